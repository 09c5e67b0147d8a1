import { createHash, randomBytes } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
/** Largest message accepted; Slack's envelopes are far smaller. */
const MAX_MESSAGE = 4 << 20

/** The `Sec-WebSocket-Accept` answer for a key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64')
}

/** Encode one frame. Clients must mask (RFC 6455 §5.3); servers must not. */
export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10
  const out = Buffer.alloc(head + (mask ? 4 : 0) + len)
  out[0] = 0x80 | opcode
  if (len < 126) out[1] = len
  else if (len < 65536) (out[1] = 126), out.writeUInt16BE(len, 2)
  else (out[1] = 127), out.writeBigUInt64BE(BigInt(len), 2)
  if (mask) {
    out[1]! |= 0x80
    const key = randomBytes(4)
    key.copy(out, head)
    for (let i = 0; i < len; i++) out[head + 4 + i] = payload[i]! ^ key[i & 3]!
  } else payload.copy(out, head)
  return out
}

/** Incremental frame decoder: feed bytes, get whole messages (fragments joined) and control frames. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  private fragmentOpcode = 0

  /** Returns the complete frames in `chunk` (plus what was buffered). Throws on protocol violations. */
  push(chunk: Buffer): Array<{ opcode: number; data: Buffer }> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk
    const out: Array<{ opcode: number; data: Buffer }> = []
    for (;;) {
      if (this.buf.length < 2) break
      const b0 = this.buf[0]!
      const b1 = this.buf[1]!
      let len = b1 & 0x7f
      let off = 2
      if (len === 126) {
        if (this.buf.length < 4) break
        len = this.buf.readUInt16BE(2)
        off = 4
      } else if (len === 127) {
        if (this.buf.length < 10) break
        const big = this.buf.readBigUInt64BE(2)
        if (big > BigInt(MAX_MESSAGE)) throw new Error('websocket frame too large')
        len = Number(big)
        off = 10
      }
      const masked = (b1 & 0x80) !== 0
      if (this.buf.length < off + (masked ? 4 : 0) + len) break
      let data = this.buf.subarray(off + (masked ? 4 : 0), off + (masked ? 4 : 0) + len)
      if (masked) {
        const key = this.buf.subarray(off, off + 4)
        data = Buffer.from(data)
        for (let i = 0; i < data.length; i++) data[i]! ^= key[i & 3]!
      }
      this.buf = this.buf.subarray(off + (masked ? 4 : 0) + len)
      const opcode = b0 & 0x0f
      const fin = (b0 & 0x80) !== 0
      if (opcode >= 8) {
        out.push({ opcode, data: Buffer.from(data) })
        continue
      }
      if (opcode !== 0) (this.fragments = []), (this.fragmentOpcode = opcode)
      this.fragments.push(Buffer.from(data))
      if (this.fragments.reduce((a, b) => a + b.length, 0) > MAX_MESSAGE) throw new Error('websocket message too large')
      if (fin) {
        out.push({ opcode: this.fragmentOpcode, data: Buffer.concat(this.fragments) })
        this.fragments = []
      }
    }
    return out
  }
}

/**
 * A minimal WebSocket client (RFC 6455: text messages, ping/pong, close) for Slack Socket Mode. Node 20
 * has no WebSocket without a flag, and Socket Mode needs only this much.
 */
export class MiniWebSocket {
  private closed = false

  private constructor(private socket: Duplex, private handlers: { message: (text: string) => void; close: (why: string) => void }) {
    const decoder = new FrameDecoder()
    socket.on('data', (chunk: Buffer) => {
      let frames
      try {
        frames = decoder.push(chunk)
      } catch (e) {
        return this.terminate((e as Error).message)
      }
      for (const f of frames) {
        if (f.opcode === 1) handlers.message(f.data.toString('utf8'))
        else if (f.opcode === 9) this.write(10, f.data)
        else if (f.opcode === 8) {
          this.write(8, f.data.subarray(0, 2))
          this.terminate('closed by server')
        }
      }
    })
    socket.on('close', () => this.terminate('connection closed'))
    socket.on('error', (e) => this.terminate(e.message))
  }

  /** Connect to a `ws://` or `wss://` URL; resolves once the handshake is verified. */
  static connect(url: string, handlers: { message: (text: string) => void; close: (why: string) => void }, timeoutMs = 10_000): Promise<MiniWebSocket> {
    const u = new URL(url)
    const key = randomBytes(16).toString('base64')
    const request = u.protocol === 'wss:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const req = request({
        hostname: u.hostname, port: u.port || (u.protocol === 'wss:' ? 443 : 80), path: u.pathname + u.search, method: 'GET',
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
        timeout: timeoutMs,
      })
      req.on('upgrade', (res, socket, head) => {
        if (res.headers['sec-websocket-accept'] !== acceptKey(key)) {
          socket.destroy()
          return reject(new Error('websocket handshake: bad Sec-WebSocket-Accept'))
        }
        const ws = new MiniWebSocket(socket, handlers)
        if (head.length) socket.unshift(head)
        resolve(ws)
      })
      req.on('response', (res) => (res.resume(), reject(new Error(`websocket handshake: HTTP ${res.statusCode}`))))
      req.on('timeout', () => req.destroy(new Error('websocket handshake timed out')))
      req.on('error', reject)
      req.end()
    })
  }

  /** Send one text message. */
  send(text: string): void {
    this.write(1, Buffer.from(text, 'utf8'))
  }

  /** Close politely (status 1000) and drop the connection. */
  close(): void {
    const code = Buffer.alloc(2)
    code.writeUInt16BE(1000)
    this.write(8, code)
    this.terminate('closed by us')
  }

  private write(opcode: number, data: Buffer): void {
    if (!this.closed) this.socket.write(encodeFrame(opcode, data, true))
  }

  private terminate(why: string): void {
    if (this.closed) return
    this.closed = true
    this.socket.end()
    this.socket.destroy()
    this.handlers.close(why)
  }
}
