import { parseTime } from './common.js'

/**
 * One record of a container runtime's log file, wrapping one line of the container's output (or a part of a
 * long one). Two kinds:
 * - CRI (containerd, CRI-O: /var/log/containers, /var/log/pods): `2026-11-25T10:00:01.123456789Z stderr F <line>`;
 *   `F` ends a line, `P` is a part of a line longer than the runtime's buffer (16 KB by default).
 * - Docker's json-file driver: `{"log":"<line>\n","stream":"stderr","time":"…"}`; a part of a long line has no
 *   trailing newline.
 * In both, the next record of the same stream goes on with a partial line.
 */
export interface ContainerRecord {
  time: number | null
  stream: string
  partial: boolean
  /** The container's own text, without the newline (its layout is read as any other line's). */
  text: string
  /** A record of the same kind and stream holding `text` instead (to read a rejoined line as one). */
  wrap(text: string): string
}

/** `line` as a container runtime's record (CRI or Docker json-file), or null; cheap for other lines. */
export function containerRecord(line: string): ContainerRecord | null {
  return line.charCodeAt(0) === 123 /* { */ ? dockerRecord(line) : criRecord(line)
}

let lastCriLine: string | null = null
let lastCri: ContainerRecord | null = null

/**
 * `line` as a CRI record, or null when it is not one (checked by characters: most lines fail at once). The
 * answer for the line last asked about is remembered: the multiline assembler reads a record before the
 * parser does, with the same string.
 */
export function criRecord(line: string): ContainerRecord | null {
  // The shortest: `2026-11-25T10:00:01Z stdout F` (the text may be empty).
  const c0 = line.charCodeAt(0)
  if (line.length < 29 || c0 < 48 || c0 > 57 || line.charCodeAt(10) !== 84 /* T */ || line.charCodeAt(4) !== 45 || line.charCodeAt(7) !== 45) return null
  if (line === lastCriLine) return lastCri
  lastCriLine = line
  return (lastCri = readCri(line))
}

function readCri(line: string): ContainerRecord | null {
  const sp = line.indexOf(' ', 19)
  if (sp < 0 || sp > 40) return null
  const s = sp + 1
  let stream: string
  if (line.startsWith('stdout ', s)) stream = 'stdout'
  else if (line.startsWith('stderr ', s)) stream = 'stderr'
  else return null
  const tag = line.charCodeAt(s + 7)
  if (tag !== 70 /* F */ && tag !== 80 /* P */) return null
  const after = s + 8
  if (after < line.length && line.charCodeAt(after) !== 32) return null
  const time = parseTime(line.slice(0, sp))
  if (time === null) return null
  const prefix = `${line.slice(0, s + 7)}F `
  return { time, stream, partial: tag === 80, text: after < line.length ? line.slice(after + 1) : '', wrap: (text) => prefix + text }
}

/** `line` as a Docker json-file record, or null. The parsed object is kept for parseJsonLine (see dockerObject). */
export function dockerRecord(line: string): ContainerRecord | null {
  if (!line.startsWith('{"log":')) return null
  const o = dockerObject(line)
  if (o === null || typeof o.log !== 'string') return null
  const log = o.log
  const partial = !log.endsWith('\n')
  const text = partial ? log : log.slice(0, log.endsWith('\r\n') ? -2 : -1)
  const stream = typeof o.stream === 'string' ? o.stream : ''
  return { time: parseTime(o.time), stream, partial, text, wrap: (t) => JSON.stringify({ log: `${t}\n`, stream: o.stream, time: o.time }) }
}

let lastLine: string | null = null
let lastObject: Record<string, unknown> | null = null

/**
 * JSON.parse of a Docker record, remembered for the line last asked about: the multiline assembler reads a
 * record before the parser does, and the line is then the same string, so it is parsed once.
 */
export function dockerObject(line: string): Record<string, unknown> | null {
  if (line === lastLine) return lastObject
  let o: unknown = null
  try {
    o = JSON.parse(line)
  } catch {
    o = null
  }
  lastLine = line
  lastObject = o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : null
  return lastObject
}
