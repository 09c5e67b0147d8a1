import type { Level } from '../core/types.js'

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
  /** The callee as written (`log.warn`, `ERROR_LOG`, `LOG(ERROR)`). */
  callee: string
}

/** The result of extracting one file. Syntax errors are reported, never thrown. */
export interface FileExtraction {
  statements: ExtractedStatement[]
  /** True when the parser met syntax errors (statements found outside the broken parts are still returned). */
  syntaxErrors: boolean
}
