import type { IncomingMessage, ServerResponse } from 'node:http'
import { createGunzip } from 'node:zlib'
import type { Readable } from 'node:stream'
import type { Config } from '../../config/schema.js'
import { DiceError } from '../../core/errors.js'
import { LineSplitter, type SplitLine } from '../line-splitter.js'
import { parserFor, type Pipeline, type PipelineParser } from '../pipeline.js'
import { LINE_NUL, type RawLine } from '../source.js'

/** Options of the `POST /ingest` handler. */
export interface IngestHandlerOptions {
  pipeline: Pipeline
  config: Config
  /** Largest accepted body, after decompression; default 10 MiB. */
  maxBodyBytes?: number
  /** Seconds a 429 asks the client to wait. */
  retryAfterSeconds?: number
}

/** Counter source name of everything received over HTTP. */
export const HTTP_SOURCE = 'http'

class HttpFail extends Error {
  constructor(public status: number, message: string, public headers: Record<string, string> = {}) {
    super(message)
  }
}

const MAX_PARSERS = 32
const NUL_RE = /\0/g

/**
 * `POST /ingest`: newline-delimited plain text or JSON objects (or one JSON array), optionally gzip'd,
 * `?format=` as `--format`, `?host=` as the default host. Answers 200 only once the lines are counted and
 * committed (so a shipper that retries on failure loses nothing); 429 with Retry-After when more than
 * `server.maxQueuedLines` lines wait to be written (the queue never grows without bound); 413 over the
 * body limit; 415 for an unknown Content-Encoding. A request's lines are accepted whole or not at all.
 */
export function createIngestHandler(o: IngestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { pipeline, config } = o
  const maxBody = o.maxBodyBytes ?? 10 * 1024 * 1024
  const maxQueued = config.server.maxQueuedLines
  const retryAfter = String(o.retryAfterSeconds ?? 1)
  const parsers = new Map<string, PipelineParser>()

  const parserOf = (format: string): PipelineParser => {
    let p = parsers.get(format)
    if (!p) {
      try {
        p = parserFor(format, config)
      } catch (e) {
        throw new HttpFail(400, e instanceof DiceError ? e.message.replace('--format', 'format') : 'bad format')
      }
      if (parsers.size >= MAX_PARSERS) parsers.clear()
      parsers.set(format, p)
    }
    return p
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') throw new HttpFail(405, 'use POST', { Allow: 'POST' })
    const url = new URL(req.url ?? '/', 'http://localhost')
    const parser = parserOf(url.searchParams.get('format') || 'auto')
    const host = url.searchParams.get('host') || undefined
    const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase()
    if (enc !== 'identity' && enc !== 'gzip' && enc !== 'x-gzip') throw new HttpFail(415, `unsupported Content-Encoding ${JSON.stringify(enc)}; use gzip or none`)
    const declared = Number(req.headers['content-length'] ?? NaN)
    if (declared > maxBody) throw new HttpFail(413, `body over ${maxBody} bytes`)
    if (pipeline.pendingLines() >= maxQueued) throw busy()
    const body = await readBody(req, maxBody, enc !== 'identity')
    const json = /\bjson\b/i.test(String(req.headers['content-type'] ?? ''))
    const lines = toLines(body, json, host, config.match.maxLineBytes)
    const queued = pipeline.pendingLines()
    if (queued > 0 && queued + lines.length > maxQueued) throw busy()
    const before = pipeline.metrics()[HTTP_SOURCE] as Record<string, number> | undefined
    for (const raw of lines) pipeline.push(HTTP_SOURCE, raw, parser)
    pipeline.endSource(HTTP_SOURCE)
    const after = pipeline.metrics()[HTTP_SOURCE] as Record<string, number>
    try {
      await pipeline.flush()
    } catch {
      // The lines stay in memory and the next flush retries them; the client cannot know, so say so.
      throw new HttpFail(503, 'lines received but not yet stored; retrying may count them twice', { 'Retry-After': retryAfter })
    }
    const d = (k: string) => (after?.[k] ?? 0) - (before?.[k] ?? 0)
    send(res, 200, { lines: d('lines'), matched: d('matched'), counted: d('counted'), unowned: d('unowned'), malformed: d('malformed') })
  }

  const busy = () => new HttpFail(429, `more than ${maxQueued} lines are waiting to be stored; retry later`, { 'Retry-After': retryAfter })

  return (req, res) => {
    handle(req, res).catch((e) => {
      const f = e instanceof HttpFail ? e : new HttpFail(500, 'internal error')
      if (f.status === 413 || f.status === 429 || f.status === 415 || f.status === 405) {
        // We answer before reading the body: close the connection instead of reading what is left.
        res.setHeader('Connection', 'close')
        req.resume()
      }
      send(res, f.status, { error: f.message }, f.headers)
    })
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end()
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(JSON.stringify(body) + '\n')
}

function readBody(req: IncomingMessage, limit: number, gzip: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream: Readable = gzip ? req.pipe(createGunzip()) : req
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    const fail = (e: HttpFail) => {
      if (failed) return
      failed = true
      if (gzip) req.unpipe()
      reject(e)
    }
    stream.on('data', (c: Buffer) => {
      if (failed) return
      size += c.length
      // Counted after decompression: a small gzip bomb is refused like a big body.
      if (size > limit) return fail(new HttpFail(413, `body over ${limit} bytes`))
      chunks.push(c)
    })
    stream.on('end', () => failed || resolve(Buffer.concat(chunks, size)))
    stream.on('error', () => fail(new HttpFail(400, gzip ? 'body is not valid gzip' : 'could not read the body')))
    req.on('aborted', () => fail(new HttpFail(400, 'request aborted')))
  })
}

/** Split a body into raw lines: one JSON array (Content-Type json), or NDJSON / plain text lines. */
function toLines(body: Buffer, json: boolean, host: string | undefined, maxLineBytes: number): RawLine[] {
  const out: RawLine[] = []
  if (json && firstByte(body) === 0x5b /* [ */) {
    let arr: unknown
    try {
      arr = JSON.parse(body.toString('utf8'))
    } catch {
      throw new HttpFail(400, 'body starts with [ but is not a JSON array')
    }
    if (!Array.isArray(arr)) throw new HttpFail(400, 'expected a JSON array')
    for (const item of arr) {
      if (typeof item === 'string') out.push(rawOf(item, host, 0))
      else if (item && typeof item === 'object') out.push(unwrap(item as Record<string, unknown>, host) ?? rawOf(JSON.stringify(item), host, 0))
      else if (item != null) out.push(rawOf(String(item), host, 0))
    }
    return out
  }
  const split: SplitLine[] = []
  const s = new LineSplitter(maxLineBytes)
  s.push(body, split)
  s.end(split)
  for (const l of split) {
    if (l.text.charCodeAt(0) === 0x7b /* { */) {
      const env = unwrapText(l.text, host)
      if (env) {
        env.flags = l.flags
        out.push(env)
        continue
      }
    }
    out.push({ text: l.text, flags: l.flags, host })
  }
  return out
}

function rawOf(text: string, host: string | undefined, flags: number): RawLine {
  if (text.includes('\0')) (text = text.replace(NUL_RE, '')), (flags |= LINE_NUL)
  if (text.endsWith('\n')) text = text.slice(0, -1)
  return { text, flags, host }
}

function unwrapText(text: string, host: string | undefined): RawLine | null {
  let obj: unknown
  try {
    obj = JSON.parse(text)
  } catch {
    return null
  }
  return obj && typeof obj === 'object' && !Array.isArray(obj) ? unwrap(obj as Record<string, unknown>, host) : null
}

/**
 * Shippers wrap each log line in an envelope: Fluent Bit and Docker put it in `log`, Vector in `message`
 * (with `source_type`), Beats in `message` (with `@timestamp` and `agent`). Take the line out, and the
 * shipper's host as the default host, so the line is parsed as the application wrote it. Anything else is
 * the application's own JSON and is parsed whole.
 */
function unwrap(obj: Record<string, unknown>, host: string | undefined): RawLine | null {
  let text: string | null = null
  if (typeof obj.log === 'string' && obj.message === undefined && obj.msg === undefined) text = obj.log
  else if (typeof obj.message === 'string' && (typeof obj.source_type === 'string' || (obj['@timestamp'] !== undefined && obj.agent !== undefined))) text = obj.message
  if (text === null) return null
  const h = obj.host
  const envHost = typeof h === 'string' ? h
    : h && typeof h === 'object' && typeof (h as Record<string, unknown>).name === 'string' ? (h as Record<string, string>).name
    : typeof obj.hostname === 'string' ? obj.hostname : undefined
  return rawOf(text, envHost ?? host, 0)
}

function firstByte(b: Buffer): number {
  for (let i = 0; i < b.length && i < 4096; i++) {
    const c = b[i]!
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c
  }
  return -1
}
