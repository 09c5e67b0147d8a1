import type { Level } from '../core/types.js'
import type { Expectation } from '../core/expect.js'

/** A log statement as one file's extractor sees it: no id, no blame yet. */
export interface ExtractedStatement {
  /** 1-based first and last line of the call. */
  line: number
  endLine: number
  level: Level | null
  /** Template with placeholders normalised (see match/template.ts); null when not a literal. */
  template: string | null
  matchable: boolean
  channels: string[]
  mentions: string[]
  /** `!expect N/PERIOD` from its annotation comment; absent when none. */
  expect?: Expectation | null
  /** The callee as written (`log.warn`, `ERROR_LOG`, `LOG(ERROR)`). */
  callee: string
  /** The logging wrapper (or logger a function pointer holds) the call goes through; null: a logger call. */
  via: string | null
  /** Why the statement is not matchable (`the message is a parameter of logBanner`); null when it is. */
  reason: string | null
}

/**
 * A logging wrapper: a function whose parameter becomes (part of) the message of a logger call in it, so each
 * call of it is a log statement (`debugPrint("Loaded HTML Templates")` through `fmt.Fprintf(w, "[GIN-debug] "+format)`).
 */
export interface WrapperDef {
  name: string
  /** The class it is a method of (null: a plain function). */
  container: string | null
  /** The message it logs, with a parameter mark (template.ts paramMark) where each parameter goes. */
  template: string
  level: Level | null
  /** The parameter that carries the level (`log_at(int lvl, …)`); null: the level of the call inside. */
  levelParam: number | null
  /** Its first parameter is the object (Python's `self`): a caller's arguments start one later. */
  method: boolean
}

/** What one file defines for the others: constants, logging wrappers and function pointers to loggers. */
export interface FileDefs {
  constants: Array<{ name: string; container: string | null; text: string }>
  wrappers: WrapperDef[]
  /** `reportfn = log_info`: calls of `name` are calls of the logger `target`. */
  aliases: Array<{ name: string; target: string }>
}

/** A FileDefs with nothing in it. */
export const NO_DEFS: FileDefs = Object.freeze({ constants: [], wrappers: [], aliases: [] }) as FileDefs

/** The result of extracting one file. Syntax errors are reported, never thrown. */
export interface FileExtraction {
  statements: ExtractedStatement[]
  /** True when the parser met syntax errors (statements found outside the broken parts are still returned). */
  syntaxErrors: boolean
  /** What the file defines for other files (absent: nothing). */
  defs?: FileDefs
  /** Names the file looked for in other files: a change of their definitions means extracting it again. */
  wanted?: string[]
}
