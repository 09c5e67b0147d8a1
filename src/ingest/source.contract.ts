import { describe, expect, it } from 'vitest'
import type { LogSource, RawLine } from './source.js'

/** Builds the source under test over `content`. `follow`: it tails (never ends by itself) rather than replays. */
export type SourceFactory = (content: Buffer) => Promise<{ source: LogSource; follow: boolean; cleanup?: () => Promise<void> }>

const CONTENT = Buffer.from('first line\r\nsecond: ünïcödé ✓\n\n  indented continuation\nlast line\n')
const EXPECTED = ['first line', 'second: ünïcödé ✓', '', '  indented continuation', 'last line']

async function collect(source: LogSource, follow: boolean, want: number): Promise<RawLine[]> {
  const ac = new AbortController()
  const got: RawLine[] = []
  const deadline = setTimeout(() => ac.abort(), 5000)
  for await (const l of source.lines(ac.signal)) {
    got.push(l)
    if (follow && got.length >= want) ac.abort()
  }
  clearTimeout(deadline)
  return got
}

/** The behaviour every LogSource has; each source's test calls this with its own factory. */
export function runSourceContract(name: string, make: SourceFactory): void {
  describe(`${name} source contract`, () => {
    it('yields every line in order, without line ends, with no flags on clean input', async () => {
      const { source, follow, cleanup } = await make(CONTENT)
      const got = await collect(source, follow, EXPECTED.length)
      await cleanup?.()
      expect(got.map((l) => l.text)).toEqual(EXPECTED)
      expect(got.every((l) => !l.flags)).toBe(true)
    })

    it('gives checkpoints (when it has them) that move strictly forward and end at the input size', async () => {
      const { source, follow, cleanup } = await make(CONTENT)
      const got = await collect(source, follow, EXPECTED.length)
      await cleanup?.()
      const cps = got.map((l) => l.checkpoint).filter((c) => c !== undefined)
      if (cps.length === 0) return
      expect(cps).toHaveLength(got.length)
      for (let i = 1; i < cps.length; i++) {
        expect(cps[i]!.offset).toBeGreaterThan(cps[i - 1]!.offset)
        expect(cps[i]!.lines).toBe(cps[i - 1]!.lines + 1)
      }
      expect(cps.at(-1)!.offset).toBe(CONTENT.length)
    })

    it('stops when the signal aborts', async () => {
      const { source, cleanup } = await make(CONTENT)
      const ac = new AbortController()
      const t = Date.now()
      let n = 0
      for await (const _ of source.lines(ac.signal)) {
        n++
        ac.abort()
      }
      await cleanup?.()
      expect(n).toBeLessThanOrEqual(EXPECTED.length)
      expect(Date.now() - t).toBeLessThan(3000)
    })
  })
}
