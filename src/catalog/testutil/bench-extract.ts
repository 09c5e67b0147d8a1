/**
 * Extraction timing on generated C files of ~2,000 lines: a typical one (a log call every ~24 lines) and
 * a dense one (the ipsec.c fixture repeated: a log call every ~3 lines). Prints the best and median of 20
 * warm runs for parsing alone and for extractFile.
 *   node --import tsx src/catalog/testutil/bench-extract.ts
 */
import { readFileSync } from 'node:fs'
import { extractFile } from '../extract-file.js'
import { parserFor } from '../parser.js'

const typical = Array.from({ length: 80 }, (_, i) => [
  `static int step_${i}(struct ctx *c, int n)`, '{', `    int rc = prepare(c, n, ${i});`, '    if (rc < 0) {',
  `        ERROR_LOG("step ${i} failed for %s: %d", c->name, rc); // #ops`, '        return rc;', '    }',
  '    for (int j = 0; j < n; j++) {', `        c->buf[j] = transform(c->buf[j], ${i});`, '        c->sum += c->buf[j] * j;', '    }',
  '    if (c->sum > LIMIT)', '        c->sum = LIMIT;', '    update_stats(&c->stats, rc, n);', '    c->last = time(NULL);',
  `    notify(c->peer, EVT_STEP, ${i});`, '    release(c);', '    c->count++;', '    c->flags |= FLAG_DONE;',
  '    if (c->flags & FLAG_TRACE)', `        trace_step(c, ${i});`, '    cleanup(c);', '    return 0;', '}', '',
].join('\n')).join('\n')
const unit = readFileSync(new URL('../../../testdata/catalog/ipsec.c', import.meta.url), 'utf8')
let dense = ''
for (let k = 0; dense.split('\n').length < 2000; k++) dense += unit.replace(/phase_one/g, `phase_${k}`) + '\n'

const parser = await parserFor('c')
async function time(f: () => unknown): Promise<string> {
  const all: number[] = []
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    await f()
    all.push(performance.now() - t)
  }
  all.sort((a, b) => a - b)
  return `best ${all[0].toFixed(1)} ms, median ${all[10].toFixed(1)} ms`
}
for (const [name, src] of [['typical', typical], ['dense', dense]] as const) {
  for (let i = 0; i < 20; i++) await extractFile('warm.c', src)
  const n = (await extractFile('x.c', src)).statements.length
  console.log(`${name}: ${src.split('\n').length} lines, ${n} statements`)
  console.log(`  parse only   ${await time(() => parser.parse(src)!.delete())}`)
  console.log(`  extractFile  ${await time(() => extractFile('x.c', src))}`)
}
