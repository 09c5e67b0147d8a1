// The CLI as one file: dist/dice.cjs, made from the compiled dist/ (run after tsc; `npm run build` does both).
// Why: starting `dice run` from ~90 ES modules spends ~50 ms resolving, reading and linking them; one CommonJS file
// is one read and one compile, and lets bin/dice.js keep V8's compiled code between starts (src/cli/code-cache.ts).
// The packages stay in node_modules (native addons, the Slack SDK and pg load lazily), except zod, which every
// start needs. dist/ stays whole: worker threads, `DICE_BUNDLE=0` and the tests load its modules.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Packages compiled into the bundle; every other dependency is required from node_modules at run time. */
const INLINED = new Set(['zod'])

export async function bundle(root = ROOT) {
  const dist = join(root, 'dist')
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
  const external = Object.keys(pkg.dependencies ?? {}).filter((d) => !INLINED.has(d)).flatMap((d) => [d, `${d}/*`])
  const out = join(dist, 'dice.cjs')
  const tmp = `${out}.${process.pid}.tmp`
  const { outputFiles } = await build({
    entryPoints: [join(dist, 'cli', 'main.js')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: out,
    write: false,
    external,
    // import() of a package or a built-in becomes require(): bin/dice.js compiles the bundle as a plain script.
    supported: { 'dynamic-import': false },
    logLevel: 'warning',
    // Each module keeps finding what lies beside it (package.json, the worker script, the matcher's sources that
    // fingerprint stored plans, the demo's data): `import.meta` becomes the URL of the module's own file in dist/,
    // computed from where the bundle is at run time (an installed package moves).
    plugins: [{
      name: 'import-meta-of-each-module',
      setup(b) {
        b.onLoad({ filter: /\.js$/ }, async (a) => {
          if (!a.path.startsWith(dist)) return undefined
          const rel = JSON.stringify(relative(dist, a.path).split('\\').join('/'))
          // Through imports of its own (a module may declare its own `require`, as catalog/parser.js does).
          const file = `__diceJoin(__dirname, ${rel})`
          let src = (await readFile(a.path, 'utf8'))
            .replaceAll('import.meta.url', `__diceFileUrl(${file}).href`)
            .replaceAll('import.meta.dirname', `__diceDirname(${file})`)
          if (src.includes('import.meta')) throw new Error(`${a.path}: import.meta other than .url and .dirname cannot be bundled`)
          if (src.includes('__dice')) src = `import { pathToFileURL as __diceFileUrl } from 'node:url'\nimport { join as __diceJoin, dirname as __diceDirname } from 'node:path'\n${src}`
          return { contents: src, loader: 'js' }
        })
      },
    }],
  })
  const code = outputFiles[0].text
  // The build's stamp: bin/dice.js keeps V8's compiled code per build (src/cli/code-cache.ts), and V8 itself checks
  // only the source's length.
  await writeFile(tmp, `// dice build ${createHash('sha256').update(code).digest('hex').slice(0, 16)}\n${code}`)
  // Renamed into place: a `dice` starting meanwhile reads the old bundle or the new one, never half of one.
  await rename(tmp, out)
  return out
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await bundle()
