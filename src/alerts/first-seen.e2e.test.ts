import { afterAll, describe, expect, it } from 'vitest'
import { until } from '../cli/commands/testutil/dice-run.js'
import { AlertWorld, PIG, PIG_ID, plus, sleep } from './testutil/world.js'

const T1 = '2026-03-10T14:00:00.000Z'
const CONFIG = `alerts:
  checkSeconds: 1
  firstSeen: { enabled: true }
`

describe('first seen since the deploy, end to end (two dice run on one PostgreSQL schema, Slack stand-in, --at)', () => {
  const w = new AlertWorld()
  afterAll(() => w.close())

  it('DMs the author once, seconds after a statement added by the deploy first logs; not for one muted, not for one that kept logging', async () => {
    await w.open(CONFIG)
    w.repo.write('src/disk.c', 'void f(){\n  WARN_LOG("slow disk %s", d);\n}\n')
    w.repo.commit(PIG, 'A')
    await w.index(plus(T1, -3_600_000))
    const [a, b] = await w.start(2, T1)
    await w.ingest(a!, [`${plus(T1, 30_000)} web-1 WARN slow disk sda`, `${plus(T1, 31_000)} web-2 WARN slow disk sdb`])

    w.repo.write('src/cache.c', 'void g(){\n  WARN_LOG("cache entry %s evicted twice", k);\n  ERROR_LOG("disk %s is full", d);\n}\n')
    const commitB = w.repo.commit(PIG, 'B')
    await w.index(plus(T1, 60_000))
    await until(async () => w.runs.every((r) => /catalog reloaded: 3 statements/.test(r.stderr())), 'both instances to reload the catalog')
    await w.dice(['mute', await w.id('disk %s is full'), '--as', 'pig'])
    await sleep(2500)
    expect(w.dms(PIG_ID)).toHaveLength(0)

    const at = plus(T1, 90_000)
    const t0 = Date.now()
    await Promise.all([
      w.ingest(a!, [`${at} web-1 WARN cache entry 7 evicted twice`, `${at} web-1 ERROR disk sda is full`, `${at} web-1 WARN slow disk sda`]),
      w.ingest(b!, [`${at} web-2 WARN cache entry 8 evicted twice`, `${at} web-3 WARN cache entry 9 evicted twice`, `${at} web-2 ERROR disk sdb is full`]),
    ])
    await until(async () => w.dms(PIG_ID).length > 0, 'the first-seen DM').catch((e) => {
      throw new Error(`${e.message}\n${w.logs()}`)
    })
    expect(Date.now() - t0).toBeLessThan(10_000)
    await sleep(4000)
    const dms = w.dms(PIG_ID)
    expect(dms).toHaveLength(1)
    expect(dms[0]!.body.text).toBe(`first seen since ${commitB.slice(0, 7)} (deployed 14:01): \`cache entry %s evicted twice\` — added by you in ${commitB.slice(0, 7)}, 3 hosts so far\nsrc/cache.c:2`)
    expect(w.slack.ok('chat.postMessage')).toHaveLength(1)
  })
})
