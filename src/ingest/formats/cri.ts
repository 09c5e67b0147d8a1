import { parseTime } from './common.js'

/**
 * One record of a Kubernetes container log as the CRI runtimes (containerd, CRI-O) write it under
 * /var/log/containers and /var/log/pods: `2026-11-25T10:00:01.123456789Z stderr F <the container's line>`.
 * `F` ends a line of the container's output; `P` is a part of a line longer than the runtime's buffer
 * (16 KB by default), continued by the next record of the same stream.
 */
export interface CriRecord {
  time: number | null
  stream: 'stdout' | 'stderr'
  partial: boolean
  /** The container's own text (its layout is read as any other line's). */
  text: string
}

/** `line` as a CRI record, or null when it is not one (checked by characters: most lines fail at once). */
export function criRecord(line: string): CriRecord | null {
  // The shortest: `2026-11-25T10:00:01Z stdout F` (the text may be empty).
  if (line.length < 29 || line.charCodeAt(10) !== 84 /* T */ || line.charCodeAt(4) !== 45 || line.charCodeAt(7) !== 45) return null
  const sp = line.indexOf(' ', 19)
  if (sp < 0 || sp > 40) return null
  const s = sp + 1
  let stream: CriRecord['stream']
  if (line.startsWith('stdout ', s)) stream = 'stdout'
  else if (line.startsWith('stderr ', s)) stream = 'stderr'
  else return null
  const tag = line.charCodeAt(s + 7)
  if (tag !== 70 /* F */ && tag !== 80 /* P */) return null
  const after = s + 8
  if (after < line.length && line.charCodeAt(after) !== 32) return null
  const time = parseTime(line.slice(0, sp))
  if (time === null) return null
  return { time, stream, partial: tag === 80, text: after < line.length ? line.slice(after + 1) : '' }
}
