import {connect, type TLSSocket} from 'node:tls'

/**
 * Hand-written HTTP/2 (RFC 9113 §4, §6) with literal, never-indexed HPACK fields (RFC 7541 §6.2.3),
 * so a probe can send what a conforming client library refuses to: connection-specific headers,
 * CR/LF in values, upper-case names, pseudo-headers out of order.
 */
export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')
export const enum FrameType {
  DATA = 0,
  HEADERS = 1,
  RST_STREAM = 3,
  SETTINGS = 4,
  PING = 6,
  GOAWAY = 7,
  WINDOW_UPDATE = 8,
}
export const END_STREAM = 0x1
export const END_HEADERS = 0x4
export const ACK = 0x1

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9)
  head.writeUIntBE(payload.length, 0, 3)
  head[3] = type
  head[4] = flags
  head.writeUInt32BE(stream & 0x7fffffff, 5)
  return Buffer.concat([head, payload])
}

function integer(value: number, prefixBits: number, first: number): Buffer {
  const max = (1 << prefixBits) - 1
  if (value < max) return Buffer.from([first | value])
  const out = [first | max]
  let rest = value - max
  while (rest >= 128) {
    out.push((rest % 128) + 128)
    rest = Math.floor(rest / 128)
  }
  out.push(rest)
  return Buffer.from(out)
}

function string(text: string): Buffer {
  const bytes = Buffer.from(text, 'latin1')
  return Buffer.concat([integer(bytes.length, 7, 0), bytes])
}

/** A header block of literal never-indexed fields, in the order given, byte for byte. */
export function headerBlock(fields: readonly (readonly [string, string])[]): Buffer {
  return Buffer.concat(fields.flatMap(([name, value]) => [Buffer.from([0x10]), string(name), string(value)]))
}

export function headers(stream: number, fields: readonly (readonly [string, string])[], endStream = true): Buffer {
  return frame(FrameType.HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, headerBlock(fields))
}

export function data(stream: number, body: string | Buffer, endStream = true): Buffer {
  return frame(FrameType.DATA, endStream ? END_STREAM : 0, stream, Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'))
}

export function rstStream(stream: number, code = 8 /* CANCEL */): Buffer {
  const payload = Buffer.alloc(4)
  payload.writeUInt32BE(code)
  return frame(FrameType.RST_STREAM, 0, stream, payload)
}

export interface Frame {
  readonly type: number
  readonly flags: number
  readonly stream: number
  readonly payload: Buffer
}

export function parseFrames(buffer: Buffer): {frames: Frame[]; rest: Buffer} {
  const frames: Frame[] = []
  let at = 0
  while (buffer.length - at >= 9) {
    const length = buffer.readUIntBE(at, 3)
    if (buffer.length - at < 9 + length) break
    frames.push({type: buffer[at + 3]!, flags: buffer[at + 4]!, stream: buffer.readUInt32BE(at + 5) & 0x7fffffff, payload: buffer.subarray(at + 9, at + 9 + length)})
    at += 9 + length
  }
  return {frames, rest: buffer.subarray(at)}
}

/** HPACK Huffman codes of the digits (RFC 7541 Appendix B): enough to read a :status. */
const DIGIT_CODES: readonly [number, number, string][] = [
  [0b00000, 5, '0'],
  [0b00001, 5, '1'],
  [0b00010, 5, '2'],
  [0b011001, 6, '3'],
  [0b011010, 6, '4'],
  [0b011011, 6, '5'],
  [0b011100, 6, '6'],
  [0b011101, 6, '7'],
  [0b011110, 6, '8'],
  [0b011111, 6, '9'],
]

function huffmanDigits(bytes: Buffer): string | null {
  let bits = ''
  for (const b of bytes) bits += b.toString(2).padStart(8, '0')
  let out = ''
  for (let guard = 0; guard < 16 && bits.length > 0; guard++) {
    if (/^1{1,7}$/.test(bits)) return out // EOS padding
    const hit = DIGIT_CODES.find(([code, n]) => bits.length >= n && parseInt(bits.slice(0, n), 2) === code)
    if (hit === undefined) return null
    out += hit[2]
    bits = bits.slice(hit[1])
  }
  return out
}

const STATIC_STATUS: Readonly<Record<number, number>> = {8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500}

/**
 * The :status of a response header block, read from its first field (servers send :status first,
 * RFC 9113 §8.3): an indexed static entry, or a literal with the :status name, plain or Huffman.
 */
export function statusOf(block: Buffer): number | null {
  const first = block[0]!
  if (first & 0x80) return STATIC_STATUS[first & 0x7f] ?? null
  const index = first & 0x40 ? first & 0x3f : first & 0x0f
  if (index < 8 || index > 14) return null
  const length = block[1]! & 0x7f
  const value = block.subarray(2, 2 + length)
  const text = block[1]! & 0x80 ? huffmanDigits(value) : value.toString('latin1')
  return text === null ? null : Number(text)
}

/** One TLS connection with ALPN h2, the preface and an empty SETTINGS sent, every frame received recorded. */
export class H2Connection {
  readonly frames: Frame[] = []
  closed = false
  private buffer: Buffer = Buffer.alloc(0)
  private waiters: (() => void)[] = []

  private constructor(readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      const {frames, rest} = parseFrames(Buffer.concat([this.buffer, chunk]))
      this.buffer = rest
      for (const f of frames) {
        this.frames.push(f)
        if (f.type === FrameType.SETTINGS && !(f.flags & ACK)) socket.write(frame(FrameType.SETTINGS, ACK, 0))
        if (f.type === FrameType.PING && !(f.flags & ACK)) socket.write(frame(FrameType.PING, ACK, 0, f.payload))
      }
      this.wake()
    })
    const end = (): void => {
      this.closed = true
      this.wake()
    }
    socket.on('close', end)
    socket.on('error', end)
  }

  static open(port: number, servername = 'edge.test'): Promise<H2Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({host: '127.0.0.1', port, servername, ALPNProtocols: ['h2'], rejectUnauthorized: false})
      socket.once('error', reject)
      socket.once('secureConnect', () => {
        socket.off('error', reject)
        if (socket.alpnProtocol !== 'h2') return reject(new Error(`ALPN chose ${String(socket.alpnProtocol)}`))
        const connection = new H2Connection(socket)
        socket.write(Buffer.concat([PREFACE, frame(FrameType.SETTINGS, 0, 0), frame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.from([0, 0x0f, 0, 0]))]))
        resolve(connection)
      })
    })
  }

  send(bytes: Buffer | readonly Buffer[]): void {
    if (!this.closed) this.socket.write(Buffer.isBuffer(bytes) ? bytes : Buffer.concat(bytes))
  }

  /** Waits (at most `ms`) until `done` holds for the frames so far, or the connection closed. */
  async until(done: (frames: readonly Frame[]) => boolean, ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms
    while (!done(this.frames)) {
      if (this.closed || Date.now() > deadline) return done(this.frames)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()))
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    return true
  }

  /** How stream `id` ended: its :status, `rst` (RST_STREAM), `goaway`, or null (no answer in time). */
  async outcome(id: number, ms = 3000): Promise<number | 'rst' | 'goaway' | null> {
    const of = (frames: readonly Frame[]) => frames.find((f) => f.stream === id && (f.type === FrameType.HEADERS || f.type === FrameType.RST_STREAM)) ?? frames.find((f) => f.type === FrameType.GOAWAY)
    await this.until((frames) => of(frames) !== undefined, ms)
    const f = of(this.frames)
    if (f === undefined) return null
    if (f.type === FrameType.RST_STREAM) return 'rst'
    if (f.type === FrameType.GOAWAY) return 'goaway'
    return statusOf(f.payload)
  }

  /** The body bytes received on stream `id`. */
  body(id: number): string {
    return Buffer.concat(this.frames.filter((f) => f.stream === id && f.type === FrameType.DATA).map((f) => f.payload)).toString('utf8')
  }

  close(): void {
    this.socket.destroy()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}

/** The request pseudo-headers of a GET on edge.test, then `extra`. */
export function request(path: string, extra: readonly (readonly [string, string])[] = [], authority = 'edge.test', method = 'GET'): (readonly [string, string])[] {
  return [[':method', method], [':scheme', 'https'], [':authority', authority], [':path', path], ...extra]
}
