import {createServer, type Server, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

/** One request as a raw-TCP upstream read it off the wire. */
export interface SeenRequest {
  readonly method: string
  readonly target: string
  readonly version: string
  /** Raw header lines, in order, as `[name, value]`. */
  readonly headers: readonly (readonly [string, string])[]
  readonly body: Buffer
}

/** What the upstream answers to one request: raw bytes (anything, hostile included), or null for the JSON echo. */
export type Responder = (request: SeenRequest, socket: Socket) => Buffer | string | null

/**
 * A raw-TCP HTTP/1.1 upstream on 127.0.0.1 that counts every byte and every request it receives and
 * parses strictly (Content-Length or chunked; anything else is recorded as a protocol error), so a
 * smuggled or half-forwarded request is visible. By default each request gets a JSON echo of itself.
 */
export class RawUpstream {
  readonly requests: SeenRequest[] = []
  /** Framing the strict parser could not read (a half-forwarded request shows here). */
  readonly errors: string[] = []
  bytes = 0
  connections = 0
  responder: Responder | null = null
  private readonly sockets = new Set<Socket>()

  private constructor(
    readonly server: Server,
    readonly name: string,
  ) {}

  static async start(name: string): Promise<RawUpstream> {
    const server = createServer()
    const upstream = new RawUpstream(server, name)
    server.on('connection', (socket) => upstream.accept(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    return upstream
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port
  }

  reset(): void {
    this.requests.length = 0
    this.errors.length = 0
    this.bytes = 0
    this.connections = 0
    this.responder = null
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: Socket): void {
    this.connections++
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length
      buffer = Buffer.concat([buffer, chunk])
      // Bounded: a request is at most a few MiB in these tests.
      for (let guard = 0; guard < 1000; guard++) {
        const parsed = parseRequest(buffer)
        if (parsed === null) return
        if ('error' in parsed) {
          this.errors.push(parsed.error)
          socket.destroy()
          return
        }
        buffer = buffer.subarray(parsed.used)
        this.requests.push(parsed.request)
        const answer = this.responder?.(parsed.request, socket) ?? echo(this.name, this.requests.length, parsed.request)
        if (!socket.destroyed) socket.write(answer)
      }
    })
  }
}

function echo(name: string, seq: number, request: SeenRequest): string {
  const body = JSON.stringify({upstream: name, seq, method: request.method, target: request.target, headers: request.headers, bodyLength: request.body.length})
  return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-upstream: ${name}\r\n\r\n${body}`
}

type Parsed = {request: SeenRequest; used: number} | {error: string} | null

/** RFC 9112 strictly: CRLF lines, one framing (Content-Length digits or chunked), nothing else. */
export function parseRequest(buffer: Buffer): Parsed {
  const end = buffer.indexOf('\r\n\r\n')
  if (end === -1) return buffer.length > 64 * 1024 ? {error: 'head over 64 KiB'} : null
  const lines = buffer.toString('latin1', 0, end).split('\r\n')
  const line = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0]!)
  if (line === null) return {error: `bad request line ${JSON.stringify(lines[0])}`}
  const headers: [string, string][] = []
  for (const text of lines.slice(1)) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(text)
    if (m === null) return {error: `bad header line ${JSON.stringify(text)}`}
    headers.push([m[1]!, m[2]!])
  }
  const te = headers.filter(([n]) => n.toLowerCase() === 'transfer-encoding')
  const cl = headers.filter(([n]) => n.toLowerCase() === 'content-length')
  if (te.length > 0 && cl.length > 0) return {error: 'both Transfer-Encoding and Content-Length'}
  const request = (body: Buffer, used: number): Parsed => ({request: {method: line[1]!, target: line[2]!, version: line[3]!, headers, body}, used})
  let at = end + 4
  if (te.length > 0) {
    if (te.length !== 1 || te[0]![1].toLowerCase() !== 'chunked') return {error: `Transfer-Encoding ${te.map(([, v]) => v).join(', ')}`}
    const parts: Buffer[] = []
    for (let guard = 0; guard < 100_000; guard++) {
      const eol = buffer.indexOf('\r\n', at)
      if (eol === -1) return null
      const size = /^([0-9a-fA-F]+)$/.exec(buffer.toString('latin1', at, eol))
      if (size === null) return {error: `bad chunk size ${JSON.stringify(buffer.toString('latin1', at, eol))}`}
      const n = parseInt(size[1]!, 16)
      if (n === 0) {
        const close = buffer.indexOf('\r\n\r\n', eol)
        if (close === -1) return null
        return request(Buffer.concat(parts), close + 4)
      }
      if (buffer.length < eol + 2 + n + 2) return null
      parts.push(buffer.subarray(eol + 2, eol + 2 + n))
      if (buffer.toString('latin1', eol + 2 + n, eol + 4 + n) !== '\r\n') return {error: 'chunk not followed by CRLF'}
      at = eol + 4 + n
    }
    return {error: 'too many chunks'}
  }
  if (cl.length > 1) return {error: 'several Content-Length'}
  if (cl.length === 1) {
    if (!/^\d+$/.test(cl[0]![1])) return {error: `bad Content-Length ${cl[0]![1]}`}
    const n = Number(cl[0]![1])
    if (buffer.length < at + n) return null
    return request(buffer.subarray(at, at + n), at + n)
  }
  return request(Buffer.alloc(0), at)
}
