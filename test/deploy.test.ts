import { spawnSync } from 'node:child_process'
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments, parse as parseYaml } from 'yaml'
import { validateConfig } from '../src/config/load.js'
import { startDiceRun, type DiceRun } from '../src/cli/commands/testutil/dice-run.js'
import { tempDir } from '../src/testutil/tmp.js'

const ROOT = join(import.meta.dirname, '..')
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8')
const CI = read('.ci/run') + read('scripts/check-package.sh')
const pkg = JSON.parse(read('package.json'))

/** Dockerfile instructions by stage: continuation lines joined, comments dropped. */
function dockerfile(): Array<{ from: string; steps: Array<{ op: string; arg: string }> }> {
  const stages: Array<{ from: string; steps: Array<{ op: string; arg: string }> }> = []
  const text = read('Dockerfile').replace(/\\\n/g, ' ')
  for (const line of text.split('\n')) {
    const m = /^([A-Z]+)\s+(.*)$/.exec(line.trim())
    if (!m || line.trim().startsWith('#')) continue
    if (m[1] === 'FROM') stages.push({ from: m[2]!, steps: [] })
    else stages.at(-1)!.steps.push({ op: m[1]!, arg: m[2]! })
  }
  return stages
}

const EXEC_FORM = (arg: string): string[] => JSON.parse(arg.slice(arg.indexOf('[')))

describe('Dockerfile', () => {
  const stages = dockerfile()
  const final = stages.at(-1)!
  const of = (op: string) => final.steps.filter((s) => s.op === op)

  it('builds in a separate stage with the commands CI runs, on a Node line engines claims', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    const npmRuns = stages[0]!.steps.filter((s) => s.op === 'RUN' && /\bnpm\b/.test(s.arg)).map((s) => s.arg)
    expect(npmRuns.length).toBeGreaterThanOrEqual(3)
    // Every npm step is a command .ci/run or scripts/check-package.sh runs (paths aside): what CI checked is what ships.
    const shape = (c: string) => c.replace(/\S*\/\S*/g, 'PATH').replace(/"\$[a-z]+"/g, 'PATH').replace(/\s+/g, ' ').trim()
    const ciCommands = CI.split('\n').map(shape)
    for (const cmd of npmRuns) expect(ciCommands.some((c) => c.includes(shape(cmd))), `Dockerfile: "${cmd}" is not what CI runs`).toBe(true)
    for (const s of stages) {
      const major = /^node:(\d+)-/.exec(s.from)?.[1]
      expect(major, s.from).toBeDefined()
      expect(pkg.engines.node).toContain(`^${major}.`)
    }
    // The runtime stage takes the installed package from the build stage, not the sources.
    expect(of('COPY').map((s) => s.arg)).toEqual(['--from=build /opt/dice /opt/dice'])
  })

  it('runs as a non-root user, dice run by default on the configured port, with git for dice index', () => {
    const user = of('USER').at(-1)?.arg
    expect(user).toBeDefined()
    expect(['root', '0']).not.toContain(user)
    expect(EXEC_FORM(of('ENTRYPOINT')[0]!.arg)).toEqual(['dice'])
    const cmd = EXEC_FORM(of('CMD')[0]!.arg)
    expect(cmd.slice(0, 1)).toEqual(['run'])
    const port = cmd[cmd.indexOf('--port') + 1]
    expect(of('EXPOSE').map((s) => s.arg)).toEqual([port])
    expect(of('RUN').some((s) => /apt-get install .*\bgit\b/.test(s.arg) && /safe\.directory/.test(s.arg))).toBe(true)
  })

  it('has a HEALTHCHECK that passes against a running dice run and fails when nothing answers', async () => {
    const hc = of('HEALTHCHECK')[0]!.arg
    const argv = EXEC_FORM(hc)
    expect(argv[0]).toBe('node')
    expect(argv.join(' ')).toContain('/healthz')
    const dir = tempDir('health')
    const run: DiceRun = await startDiceRun(['--db', join(dir, 'dice.db'), 'run', '--port', '0'], { cwd: dir })
    try {
      const port = new URL(run.url).port
      const probe = (p: string) => spawnSync(process.execPath, argv.slice(1).map((a) => a.replace(':7878/', `:${p}/`)), { timeout: 10_000 }).status
      expect(probe(port)).toBe(0)
      run.child.kill('SIGTERM')
      await run.exited
      expect(probe(port)).toBe(1)
    } finally {
      run.child.kill('SIGKILL')
    }
  })
})

describe('compose.yaml', () => {
  const compose = parseYaml(read('compose.yaml'))
  it('runs dice on PostgreSQL, once PostgreSQL is healthy, with a volume for the git checkout and a required web token', () => {
    const { dice, postgres, index } = compose.services
    expect(postgres.image).toMatch(/^postgres:/)
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready')
    expect(dice.depends_on.postgres.condition).toBe('service_healthy')
    const url = new URL(dice.environment.DICE_DATABASE_URL.replace(/\$\{[^}]+\}/g, 'x'))
    expect([url.protocol, url.hostname, url.pathname]).toEqual(['postgres:', 'postgres', `/${postgres.environment.POSTGRES_DB}`])
    expect(dice.environment.DICE_WEB_TOKEN).toMatch(/^\$\{DICE_WEB_TOKEN:\?/)
    expect(dice.command).toEqual(expect.arrayContaining(['run', '--host', '0.0.0.0']))
    expect(dice.build).toBe('.')
    // The checkout volume is declared and mounted where `dice index` reads it.
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['checkout', 'pgdata']))
    const mount = index.volumes.find((v: string) => v.startsWith('checkout:'))
    expect(index.command.slice(-1)).toEqual([mount.split(':')[1]])
    expect(index.image).toBe(dice.image)
  })
})

describe('systemd units', () => {
  const dir = join(ROOT, 'deploy/systemd')
  it('run dice run as an unprivileged user, restart on failure, and index on a timer', () => {
    const unit = read('deploy/systemd/dice.service')
    expect(unit).toMatch(/^User=dice$/m)
    expect(unit).toMatch(/^ExecStart=\S*\/dice .* run( |$)/m)
    expect(unit).toMatch(/^Restart=on-failure$/m)
    expect(read('deploy/systemd/dice-index.service')).toMatch(/^ExecStart=\S*\/dice .* index \S+/m)
    expect(read('deploy/systemd/dice-index.timer')).toMatch(/^OnUnitActiveSec=/m)
  })

  it('pass systemd-analyze verify (with the dice binary path pointed at this checkout)', () => {
    const sa = spawnSync('systemd-analyze', ['--version'])
    if (sa.status !== 0) return // not on this machine: the unit files were still read above
    const tmp = tempDir('systemd')
    const units = readdirSync(dir)
    for (const u of units) {
      copyFileSync(join(dir, u), join(tmp, u))
      // verify checks ExecStart's program exists; the units name where npm installs it.
      writeFileSync(join(tmp, u), readFileSync(join(tmp, u), 'utf8').replace(/\/usr\/local\/bin\/dice\b/g, join(ROOT, 'bin/dice.js')))
    }
    const r = spawnSync('systemd-analyze', ['verify', ...units], { cwd: tmp, encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
  })
})

describe('Kubernetes manifests', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes/dice.yaml')).map((d) => d.toJS())
  const kind = (k: string) => docs.filter((d) => d?.kind === k)

  it('run two replicas of dice run on PostgreSQL as non-root, probed on /healthz, behind a Service', () => {
    const [dep] = kind('Deployment')
    expect(dep.spec.replicas).toBe(2)
    const pod = dep.spec.template.spec
    expect(pod.securityContext.runAsNonRoot).toBe(true)
    expect(pod.securityContext.runAsUser).not.toBe(0)
    const c = pod.containers[0]
    expect(c.args).toEqual(expect.arrayContaining(['run', '--host', '0.0.0.0']))
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]))
    expect(env.DICE_DATABASE_URL.valueFrom.secretKeyRef).toMatchObject({ name: 'dice', key: 'database-url' })
    expect(env.DICE_WEB_TOKEN.valueFrom.secretKeyRef.key).toBe('web-token')
    for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe.httpGet).toEqual({ path: '/healthz', port: 'http' })
    const port = c.ports.find((p: any) => p.name === 'http').containerPort
    expect(c.args[c.args.indexOf('--port') + 1]).toBe(String(port))
    expect(dep.spec.selector.matchLabels).toEqual(dep.spec.template.metadata.labels)
    const [svc] = kind('Service')
    expect(svc.spec.selector).toEqual(dep.spec.template.metadata.labels)
    expect(svc.spec.ports[0].targetPort).toBe('http')
  })

  it('re-index with a CronJob on the same image and database, one run at a time, after a full clone', () => {
    const [dep] = kind('Deployment')
    const [cron] = kind('CronJob')
    expect(cron.spec.concurrencyPolicy).toBe('Forbid')
    const pod = cron.spec.jobTemplate.spec.template.spec
    const index = pod.containers[0]
    expect(index.image).toBe(dep.spec.template.spec.containers[0].image)
    expect(index.args).toEqual(expect.arrayContaining(['index', '/repo']))
    expect(index.env.find((e: any) => e.name === 'DICE_DATABASE_URL').valueFrom.secretKeyRef.key).toBe('database-url')
    const clone = pod.initContainers[0].command
    expect(clone.slice(0, 2)).toEqual(['git', 'clone'])
    // git blame needs the history: a shallow clone would leave statements without an owner.
    expect(clone).not.toContain('--depth')
    expect(pod.securityContext.runAsNonRoot).toBe(true)
  })

  it('ships a dice.yml that Dice accepts', () => {
    const [cm] = kind('ConfigMap')
    expect(() => validateConfig(parseYaml(cm.data['dice.yml']), 'deploy/kubernetes/dice.yaml ConfigMap dice.yml')).not.toThrow()
  })
})

describe('docs/OPERATIONS.md', () => {
  it('walks through each deployment this repository ships', () => {
    const ops = read('docs/OPERATIONS.md')
    for (const h of ['## Deploy', '### Docker', '### Docker Compose', '### systemd', '### Kubernetes']) expect(ops).toContain(h)
    for (const f of ['Dockerfile', 'compose.yaml', 'deploy/systemd/dice.service', 'deploy/kubernetes/dice.yaml']) expect(ops).toContain(f)
  })
})

