import {badResponse as bad} from './errors.js'
import {BAD_FIELD_BYTE} from './field-syntax.js'
import {parseResponseHead, type ResponseHead} from './response-head.js'

/** What the parser hands on: final heads (1xx interim heads are skipped), body bytes, the end. */
export interface ResponseSink {
  onHead(head: ResponseHead): void
  /** false: deliver nothing more until resume(). */
  onBody(chunk: Buffer): boolean
  /** Trailers as a flat `[name, value, ...]` list (chunked bodies only), else null. */
  onEnd(trailers: string[] | null): void
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const CRLF = 0x0a0d
const HEX = /^[0-9a-fA-F]{1,15}$/
/** A chunk-size line longer than this is refused (its extensions are never read). */
const MAX_CHUNK_LINE = 4096

/**
 * An incremental HTTP/1.1 response parser for one response at a time, fed with socket reads. Errors
 * are thrown as UpstreamError; after one the parser must not be fed again.
 */
export class ResponseParser {
  private state = State.Done
  private method = 'GET'
  /** Bytes of an unfinished head, chunk-size line or trailer section. */
  private partial: Buffer | null = null
  /** Body bytes left of the Content-Length or of the current chunk. */
  private remaining = 0
  /** The CR after a chunk's data has been read, its LF not yet. */
  private sawChunkCr = false
  private paused = false
  /** Bytes read past a pause, delivered on resume(). */
  private held: Buffer | null = null
  private stopped = false

  constructor(
    private readonly sink: ResponseSink,
    private readonly maxHeadSize: number,
  ) {}

  /** Expects the response to a request with this method. */
  start(method: string): void {
    this.state = State.Head
    this.method = method
    this.partial = null
    this.sawChunkCr = false
    this.paused = false
    this.held = null
    this.stopped = false
  }

  get done(): boolean {
    return this.state === State.Done
  }

  /** The body ends when the upstream closes the connection (no length, not chunked). */
  get endsAtClose(): boolean {
    return this.state === State.UntilClose
  }

  get isPaused(): boolean {
    return this.paused
  }

  /** Nothing more is delivered (the exchange was aborted). */
  stop(): void {
    this.stopped = true
    this.held = null
  }

  /** Feeds bytes read from the socket. Returns the count of bytes left over after a complete response. */
  execute(data: Buffer): number {
    if (this.paused) {
      this.held = this.held === null ? data : Buffer.concat([this.held, data])
      return 0
    }
    let offset = 0
    while (offset < data.length && !this.stopped) {
      switch (this.state) {
        case State.Head:
          offset = this.readHead(data, offset)
          break
        case State.Length:
          offset = this.readBody(data, offset, State.Done)
          if (this.remaining === 0) this.finish(null)
          break
        case State.ChunkSize:
          offset = this.readChunkSize(data, offset)
          break
        case State.ChunkData:
          offset = this.readBody(data, offset, State.ChunkDataEnd)
          break
        case State.ChunkDataEnd:
          // The CRLF after a chunk's data, which may arrive split across reads.
          if (data[offset] !== (this.sawChunkCr ? 0x0a : 0x0d)) throw bad('a chunk does not end with CRLF')
          offset++
          this.sawChunkCr = !this.sawChunkCr
          if (!this.sawChunkCr) this.state = State.ChunkSize
          break
        case State.Trailers:
          offset = this.readTrailers(data, offset)
          break
        case State.UntilClose: {
          const chunk = offset === 0 ? data : data.subarray(offset)
          offset = data.length
          this.deliver(chunk)
          break
        }
        case State.Done:
          return data.length - offset
      }
      if (this.paused) {
        if (offset < data.length && !this.stopped) this.held = data.subarray(offset)
        return 0
      }
    }
    return 0
  }

  /** Holds back body bytes until resume() (the sink's onHead may ask for this too). */
  pause(): void {
    if (this.state !== State.Done) this.paused = true
  }

  /** Delivers the bytes that arrived after the pause, once the sink can take them again; returns as execute does. */
  resume(): number {
    if (!this.paused || this.stopped) return 0
    this.paused = false
    const held = this.held
    this.held = null
    return held === null ? 0 : this.execute(held)
  }

  /** The upstream closed the connection: the end of a body delimited by the close. */
  closeEnded(): void {
    if (this.state !== State.UntilClose) return
    this.state = State.Done
    this.finish(null)
  }

  /** Delivers the bytes of the current body or chunk that `data` holds from `offset`; returns the offset after them. */
  private readBody(data: Buffer, offset: number, after: State): number {
    const take = Math.min(this.remaining, data.length - offset)
    this.remaining -= take
    if (this.remaining === 0) this.state = after
    this.deliver(offset === 0 && take === data.length ? data : data.subarray(offset, offset + take))
    return offset + take
  }

  private deliver(chunk: Buffer): void {
    if (chunk.length === 0) return
    // A pause asked for with the last bytes of the body changes nothing: the response is complete.
    if (this.sink.onBody(chunk) || this.state === State.Done) return
    this.paused = true
  }

  private finish(trailers: string[] | null): void {
    if (!this.stopped) this.sink.onEnd(trailers)
  }

  /** Appends to the unfinished part and returns the bytes to search, with where the new bytes begin. */
  private gather(data: Buffer, offset: number): Buffer {
    const fresh = offset === 0 ? data : data.subarray(offset)
    return this.partial === null ? fresh : Buffer.concat([this.partial, fresh])
  }

  private readHead(data: Buffer, offset: number): number {
    const before = this.partial === null ? 0 : this.partial.length
    const buf = this.gather(data, offset)
    const end = buf.indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1')
    if (end === -1) {
      if (buf.length > this.maxHeadSize) throw bad(`the response head is larger than ${this.maxHeadSize} bytes`)
      this.partial = buf
      return data.length
    }
    if (end > this.maxHeadSize) throw bad(`the response head is larger than ${this.maxHeadSize} bytes`)
    this.partial = null
    const head = parseResponseHead(buf.toString('latin1', 0, end), this.method)
    const consumed = end + 4 - before
    if (head.status < 200) {
      // 100 Continue was never asked for (no Expect goes upstream); 101 without an Upgrade request.
      if (head.status === 100 || head.status === 101) throw bad(`an unsolicited ${head.status} response`)
      return offset + consumed
    }
    const framing = head.framing
    if (framing.kind === 'none') this.state = State.Done
    else if (framing.kind === 'length') {
      this.state = State.Length
      this.remaining = framing.length
    } else if (framing.kind === 'chunked') this.state = State.ChunkSize
    else this.state = State.UntilClose
    this.sink.onHead(head)
    if (this.state === State.Done) this.finish(null)
    return offset + consumed
  }

  private readChunkSize(data: Buffer, offset: number): number {
    const before = this.partial === null ? 0 : this.partial.length
    const buf = this.gather(data, offset)
    const end = buf.indexOf(CRLF_TEXT, Math.max(0, before - 1), 'latin1')
    if (end === -1) {
      if (buf.length > MAX_CHUNK_LINE) throw bad('a chunk-size line is too long')
      this.partial = buf
      return data.length
    }
    if (end > MAX_CHUNK_LINE) throw bad('a chunk-size line is too long')
    this.partial = null
    const line = buf.toString('latin1', 0, end)
    const semicolon = line.indexOf(';')
    const size = semicolon === -1 ? line : line.slice(0, semicolon)
    if (!HEX.test(size)) throw bad(`the chunk size ${JSON.stringify(line.slice(0, 40))} is not hexadecimal`)
    if (semicolon !== -1 && BAD_FIELD_BYTE.test(line.slice(semicolon))) throw bad('a chunk extension has a control character')
    const length = Number.parseInt(size, 16)
    const consumed = end + 2 - before
    if (length === 0) this.state = State.Trailers
    else {
      this.state = State.ChunkData
      this.remaining = length
    }
    return offset + consumed
  }

  private readTrailers(data: Buffer, offset: number): number {
    const before = this.partial === null ? 0 : this.partial.length
    const buf = this.gather(data, offset)
    if (buf.length >= 2 && buf.readUInt16LE(0) === CRLF) {
      this.partial = null
      this.state = State.Done
      this.finish(null)
      return offset + 2 - before
    }
    const end = buf.indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1')
    if (end === -1) {
      if (buf.length > this.maxHeadSize) throw bad(`the trailers are larger than ${this.maxHeadSize} bytes`)
      this.partial = buf
      return data.length
    }
    if (end > this.maxHeadSize) throw bad(`the trailers are larger than ${this.maxHeadSize} bytes`)
    this.partial = null
    // The trailer section parses as header lines under a dummy status line.
    const trailers = parseResponseHead(`HTTP/1.1 200 \r\n${buf.toString('latin1', 0, end)}`, 'HEAD').headers
    this.state = State.Done
    this.finish(trailers)
    return offset + end + 4 - before
  }
}

const CRLF_TEXT = '\r\n'
