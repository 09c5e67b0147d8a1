/**
 * A minimal WebSocket server (RFC 6455) for Socket Mode tests: Slack's side of the connection. Test code
 * only: production uses `@slack/socket-mode`, and no WebSocket server package is installed. It speaks what
 * that client needs: the upgrade handshake, unmasked text frames out, masked frames in, ping → pong, and
 * the close handshake. Each connection is greeted with `hello`, as Slack does.
 */
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** One server-to-client frame; servers never mask (RFC 6455 §5.1). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10
  const out = Buffer.alloc(head + len)
  out[0] = 0x80 | opcode
  if (len < 126) out[1] = len
  else if (len < 65536) (out[1] = 126), out.writeUInt16BE(len, 2)
  else (out[1] = 127), out.writeBigUInt64BE(BigInt(len), 2)
  payload.copy(out, head)
  return out
}

/** Whole frames from a client byte stream (unfragmented, as Socket Mode clients send); the rest stays buffered. */
function decode(buf: Buffer): { frames: Array<{ opcode: number; data: Buffer }>; rest: Buffer } {
  const frames: Array<{ opcode: number; data: Buffer }> = []
  for (;;) {
    if (buf.length < 2) break
    let len = buf[1]! & 0x7f
    let off = 2
    if (len === 126) (len = buf.length >= 4 ? buf.readUInt16BE(2) : -1), (off = 4)
    else if (len === 127) (len = buf.length >= 10 ? Number(buf.readBigUInt64BE(2)) : -1), (off = 10)
    const masked = (buf[1]! & 0x80) !== 0
    const start = off + (masked ? 4 : 0)
    if (len < 0 || buf.length < start + len) break
    const data = Buffer.from(buf.subarray(start, start + len))
    if (masked) for (let i = 0; i < data.length; i++) data[i]! ^= buf[off + (i & 3)]!
    frames.push({ opcode: buf[0]! & 0x0f, data })
    buf = buf.subarray(start + len)
  }
  return { frames, rest: buf }
}

/** A running test WebSocket server. */
export interface TestWebSocketServer {
  /** `ws://127.0.0.1:PORT/link` — give it to the Slack stand-in's `setSocketModeUrl`. */
  url: string
  /** Text messages received from clients, parsed as JSON, in arrival order. */
  received: any[]
  /** Connections accepted so far. */
  connections(): number
  /** Send a JSON message on the newest connection. */
  send(message: unknown): void
  /** Wait (up to 2 s) for the `n`th (default first) received message that has this envelope_id. */
  ackFor(envelopeId: string, n?: number): Promise<any>
  close(): Promise<void>
}

/** Start the server on 127.0.0.1 with a free port. */
export async function startTestWebSocketServer(): Promise<TestWebSocketServer> {
  const received: any[] = []
  const sockets: Duplex[] = []
  const server: Server = createServer((_req, res) => res.writeHead(426).end())
  server.on('upgrade', (req, socket: Duplex) => {
    const accept = createHash('sha1').update(String(req.headers['sec-websocket-key']) + GUID).digest('base64')
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    sockets.push(socket)
    socket.on('error', () => {})
    let buf: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      const d = decode(Buffer.concat([buf, chunk]))
      buf = d.rest
      for (const f of d.frames) {
        if (f.opcode === 1) received.push(JSON.parse(f.data.toString('utf8')))
        else if (f.opcode === 9) socket.write(frame(10, f.data)) // ping → pong, or the client gives up on us
        else if (f.opcode === 8) socket.end(frame(8, f.data)) // echo the close frame, then hang up
      }
    })
    socket.write(frame(1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1 }))))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`,
    received,
    connections: () => sockets.length,
    send: (message) => sockets.at(-1)!.write(frame(1, Buffer.from(JSON.stringify(message)))),
    ackFor: async (id, n = 1) => {
      const acks = () => received.filter((r) => r.envelope_id === id)
      for (let i = 0; i < 200 && acks().length < n; i++) await new Promise((r) => setTimeout(r, 10))
      return acks()[n - 1]
    },
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  }
}
