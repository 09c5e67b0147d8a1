/**
 * Templates of several lines (`"Loaded HTML Templates (%d): \n%s\n"`, a banner printed as one call): the index
 * matches their first line (build.ts); a line-based log gives the other lines lines of their own, which belong
 * to the same message. `TemplateTail` says whether the next physical lines are those, so a reader folds them
 * into the entry and the message counts once.
 */
import { compile, type Compiled } from './compile.js'
import { fits } from './confirm.js'
import { trimTemplate } from './template.js'

/** The lines after the first of a template, each a pattern for one physical line. */
export class TemplateTail {
  /** Per line: its compiled template; null for a line with no literal text (`%s`: any line), '' for an empty one. */
  private constructor(private readonly lines: ReadonlyArray<Compiled | null | ''>) {}

  /** The lines after the first of `template`, or null when it has one line. */
  static of(template: string | null): TemplateTail | null {
    if (template === null) return null
    const full = trimTemplate(template)
    const nl = full.indexOf('\n')
    if (nl < 0) return null
    const shared = new Map<string, number[]>()
    const rest = full.slice(nl + 1).split('\n').map((l) => (l.trim() === '' ? '' : compile(l.trim(), shared)))
    return new TemplateTail(rest)
  }

  /** How many lines follow the first. */
  get length(): number {
    return this.lines.length
  }

  /** Whether `text` can be line `i` after the first (0-based). */
  fits(i: number, text: string): boolean {
    const l = this.lines[i]
    if (l === undefined) return false
    const t = text.trim()
    if (l === '') return t === ''
    return l === null || fits(l, t)
  }
}

/** Where a reader is in a matched multi-line message: its tail and how many of its lines it has seen. */
export class TailCursor {
  private tail: TemplateTail | null = null
  private seen = 0

  /** An entry matched a statement whose template is `tail` (null: one line): the next lines may continue it. */
  start(tail: TemplateTail | null): void {
    this.tail = tail
    this.seen = 0
  }

  /** How many of the open message's other lines were seen; null when no message is open (none can continue). */
  position(): number | null {
    return this.tail !== null && this.seen < this.tail.length ? this.seen : null
  }

  /** Go on reading a message whose first line matched a statement with `tail`, `seen` of its other lines read. */
  resume(tail: TemplateTail | null, seen: number): void {
    this.tail = tail
    this.seen = seen
  }

  /** Whether the entry `text` is the next line of the message being read (then it is folded, not counted). */
  continues(text: string): boolean {
    const t = this.tail
    if (t === null) return false
    if (this.seen < t.length && t.fits(this.seen, text)) {
      this.seen++
      return true
    }
    this.tail = null
    return false
  }
}
