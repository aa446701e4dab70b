import {connect, type Socket} from 'node:net'
import type {Readable} from 'node:stream'

import {UpstreamError} from './errors.js'
import type {UpstreamHandler, UpstreamRequest} from './handler.js'
import type {RequestHead} from './request-head.js'
import type {ResponseHead} from './response-head.js'
import {ResponseParser, type ResponseSink} from './response-parser.js'

/** One request on its way through a connection. */
export class Job {
  /** Ended: completed, failed or aborted. Nothing more reaches the handler. */
  done = false
  keepAlive = false
  keepAliveMs: number | null = null
  writer: BodyWriter | null = null

  constructor(
    readonly request: UpstreamRequest,
    readonly handler: UpstreamHandler,
    readonly head: RequestHead,
  ) {}
}

export interface ConnectionOwner {
  /** The upstream, `host:port` or `[v6]:port`. */
  readonly address: string
  readonly maxHeadSize: number
  /** The connection finished a job and can take another. */
  release(connection: UpstreamConnection, idleMs: number | null): void
  /** The connection must not take another job (it is closing). */
  unusable(connection: UpstreamConnection): void
  /** The connection is gone (closed, failed, or never connected). */
  removed(connection: UpstreamConnection): void
}

const enum Timer {
  None,
  Connect,
  Headers,
  Body,
  Idle,
}

/**
 * One keep-alive connection to an upstream, carrying one request at a time (no pipelining). It
 * writes the request, feeds the socket's reads to a response parser and relays what it yields to
 * the job's handler, with undici's timeouts: connect, response head, body stall, idle.
 */
export class UpstreamConnection implements ResponseSink {
  readonly socket: Socket
  private readonly parser: ResponseParser
  private job: Job | null
  private connected = false
  private closed = false
  private error: Error | null = null
  private timer: NodeJS.Timeout | null = null
  private timerKind = Timer.None
  /** Set while the last job's response is complete and the connection has not been handed back yet. */
  private finishing = false
  /** The upstream sent its FIN: the connection is on its way out. */
  private ended = false

  constructor(
    private readonly owner: ConnectionOwner,
    host: string,
    port: number,
    private readonly connectTimeoutMs: number,
    first: Job,
  ) {
    this.job = first
    this.parser = new ResponseParser(this, owner.maxHeadSize)
    this.socket = connect({host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000})
    this.socket.on('connect', () => this.onSocketConnect())
    this.socket.on('data', (data: Buffer) => this.onSocketData(data))
    this.socket.on('error', (error: Error) => {
      this.error ??= error
    })
    this.socket.on('end', () => {
      this.ended = true
      this.owner.unusable(this)
    })
    this.socket.on('close', () => this.onSocketClose())
    if (connectTimeoutMs > 0) this.arm(Timer.Connect, connectTimeoutMs)
  }

  /** Neither side has closed or begun to close it: it can take a job. */
  get usable(): boolean {
    return this.connected && !this.closed && !this.socket.destroyed && !this.ended
  }

  /** Runs a job on this (connected, idle) connection. */
  run(job: Job): void {
    this.job = job
    this.disarm()
    this.parser.start(job.request.method)
    try {
      job.handler.onConnect((error?: Error) => this.abort(job, error))
    } catch (error) {
      this.fail(job, error as Error)
      return
    }
    if (job.done) return
    const request = job.request
    const head = job.head
    const body = request.body
    if (!head.hasBody || body === null) {
      this.socket.write(bodylessHead(head), 'latin1')
      this.requestWritten()
      return
    }
    if (Buffer.isBuffer(body)) {
      this.socket.cork()
      this.socket.write(framedHead(head, body.length), 'latin1')
      this.socket.write(body)
      this.socket.uncork()
      this.requestWritten()
      return
    }
    job.writer = new BodyWriter(this, job, body, head)
  }

  /** The whole request is out: the wait for the response head begins (an upload does not count against it). */
  requestWritten(): void {
    const job = this.job
    if (job === null || job.done || this.timerKind !== Timer.None) return
    if (job.request.headersTimeout > 0) this.arm(Timer.Headers, job.request.headersTimeout)
  }

  destroy(error?: Error): void {
    if (error !== undefined) this.error ??= error
    this.closed = true
    this.owner.unusable(this)
    this.socket.destroy()
  }

  // --- socket events ---

  private onSocketConnect(): void {
    this.connected = true
    this.disarm()
    const job = this.job
    if (job === null || job.done) {
      // Its job was aborted while connecting: the connection is still worth keeping.
      this.job = null
      this.finishing = false
      this.owner.release(this, null)
      return
    }
    this.run(job)
  }

  private onSocketData(data: Buffer): void {
    const job = this.job
    if (job === null || job.done) {
      // Bytes nobody asked for: the connection's framing can no longer be trusted.
      this.destroy()
      return
    }
    let leftover: number
    try {
      leftover = this.parser.execute(data)
    } catch (error) {
      this.fail(job, error as Error)
      return
    }
    this.afterParse(job, leftover)
  }

  private onSocketClose(): void {
    this.closed = true
    this.disarm()
    const job = this.job
    if (job !== null && !job.done) {
      if (this.connected && this.parser.endsAtClose && this.error === null) {
        this.parser.closeEnded()
        job.writer?.detach(!job.writer.finished)
      } else {
        this.fail(job, this.error ?? new UpstreamError('KINGRESS_UPSTREAM_CLOSED', this.connected ? 'the upstream closed the connection before the response was complete' : 'the connection closed before it was established'))
      }
    }
    this.job = null
    this.owner.removed(this)
  }

  // --- the parser's sink ---

  onHead(head: ResponseHead): void {
    const job = this.job!
    const request = job.request
    if (this.timerKind === Timer.Headers) this.disarm()
    job.keepAlive = head.keepAlive && !job.head.reset
    job.keepAliveMs = head.keepAliveSeconds === null ? null : head.keepAliveSeconds * 1000
    const declaresBody = (head.status === 204 || head.status === 304) && head.contentLength !== null && head.contentLength > 0 && request.method !== 'HEAD'
    if (head.framing.kind !== 'none' && request.bodyTimeout > 0) this.arm(Timer.Body, request.bodyTimeout)
    let go: boolean
    try {
      go = job.handler.onHeaders(head.status, head.headers, () => this.resume(job), head.reason)
    } catch (error) {
      this.fail(job, error as Error)
      return
    }
    if (job.done) return
    if (declaresBody) {
      this.fail(job, new UpstreamError('KINGRESS_UPSTREAM_BODYLESS_WITH_BODY', `a ${head.status} response declared a body of ${head.contentLength} bytes`))
      return
    }
    if (!go) this.pauseBody()
  }

  onBody(chunk: Buffer): boolean {
    const job = this.job!
    if (this.timerKind === Timer.Body) this.timer!.refresh()
    let go: boolean
    try {
      go = job.handler.onData(chunk)
    } catch (error) {
      this.fail(job, error as Error)
      return false
    }
    if (job.done) return false
    if (!go) this.pauseBody()
    return go
  }

  onEnd(trailers: string[] | null): void {
    const job = this.job!
    job.done = true
    this.disarm()
    this.finishing = true
    try {
      job.handler.onComplete(trailers)
    } catch {
      // The handler's own failure: the exchange is over either way.
    }
  }

  // --- flow control, completion, failure ---

  private pauseBody(): void {
    this.parser.pause()
    if (!this.parser.isPaused) return
    this.socket.pause()
    // A client that reads slowly is not an upstream that stalls.
    if (this.timerKind === Timer.Body) this.disarm()
  }

  private resume(job: Job): void {
    if (job.done || this.job !== job || !this.parser.isPaused) return
    const bodyTimeout = job.request.bodyTimeout
    if (bodyTimeout > 0) this.arm(Timer.Body, bodyTimeout)
    let leftover: number
    try {
      leftover = this.parser.resume()
    } catch (error) {
      this.fail(job, error as Error)
      return
    }
    if (!this.parser.isPaused) this.socket.resume()
    this.afterParse(job, leftover)
  }

  /** After the parser has run: a complete response hands the connection back, or closes it. */
  private afterParse(job: Job, leftover: number): void {
    if (!this.finishing || this.job !== job) return
    this.finishing = false
    this.job = null
    const writer = job.writer
    const bodyPending = writer !== null && !writer.finished
    if (writer !== null) writer.detach(bodyPending)
    // Bytes after the response, a body still going out, or either side closing: not reusable.
    if (leftover > 0 || bodyPending || !job.keepAlive || this.closed) {
      this.destroy()
      return
    }
    if (this.socket.isPaused()) this.socket.resume()
    this.owner.release(this, job.keepAliveMs)
  }

  abort(job: Job, error?: Error): void {
    if (job.done || this.job !== job) return
    this.fail(job, error ?? new Error('request aborted'))
  }

  /** Ends a job with an error: the handler hears it once, the connection is discarded. */
  fail(job: Job, error: Error): void {
    if (job.done) return
    job.done = true
    this.parser.stop()
    job.writer?.detach(true, error)
    this.destroy(error)
    this.failHandler(job, error)
  }

  private failHandler(job: Job, error: Error): void {
    try {
      job.handler.onError(error)
    } catch {
      // The handler's own failure while failing: nothing more can be done for this exchange.
    }
  }

  // --- timers ---

  /** Idle in the pool: closed after this long. */
  idleFor(ms: number): void {
    this.arm(Timer.Idle, ms)
  }

  private arm(kind: Timer, ms: number): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timerKind = kind
    this.timer = setTimeout(onTimer, ms, this)
    if (kind === Timer.Idle) this.timer.unref()
  }

  private disarm(): void {
    if (this.timer === null) return
    clearTimeout(this.timer)
    this.timer = null
    this.timerKind = Timer.None
  }

  /** @internal */
  timedOut(): void {
    const kind = this.timerKind
    this.timer = null
    this.timerKind = Timer.None
    const job = this.job
    if (kind === Timer.Idle || job === null || job.done) {
      this.destroy()
      return
    }
    if (kind === Timer.Connect) this.fail(job, new UpstreamError('KINGRESS_UPSTREAM_CONNECT_TIMEOUT', `no connection to ${this.owner.address} within ${this.connectTimeoutMs} ms`))
    else if (kind === Timer.Headers) this.fail(job, new UpstreamError('KINGRESS_UPSTREAM_HEADERS_TIMEOUT', `no response head within ${job.request.headersTimeout} ms`))
    else if (kind === Timer.Body) this.fail(job, new UpstreamError('KINGRESS_UPSTREAM_BODY_TIMEOUT', `the response body stalled for ${job.request.bodyTimeout} ms`))
  }
}

function onTimer(connection: UpstreamConnection): void {
  connection.timedOut()
}

/**
 * Streams a request body onto the connection, with back-pressure and the declared length checked.
 * The head goes out with the first chunk (or the end) and a sized body's last bytes with the end: a
 * client message that breaks its Content-Length never reaches the upstream as a complete request.
 */
class BodyWriter {
  finished = false
  private sent = 0
  private headSent = false
  private last: Buffer | null = null
  private waitingForDrain = false
  /** null: chunked framing. */
  private readonly length: number | null
  private readonly onData = (chunk: Buffer): void => this.write(chunk)
  private readonly onEnd = (): void => this.end()
  private readonly onError = (error: Error): void => this.connection.fail(this.job, error)
  private readonly onClose = (): void => {
    if (!this.finished) this.connection.fail(this.job, new UpstreamError('KINGRESS_UPSTREAM_INVALID_REQUEST', 'the request body ended before it was complete'))
  }
  private readonly onDrain = (): void => {
    this.waitingForDrain = false
    this.body.resume()
  }

  constructor(
    private readonly connection: UpstreamConnection,
    private readonly job: Job,
    private readonly body: Readable,
    private readonly head: RequestHead,
  ) {
    this.length = head.contentLength
    body.on('data', this.onData)
    body.on('end', this.onEnd)
    body.on('error', this.onError)
    body.on('close', this.onClose)
  }

  private writeHead(): void {
    this.headSent = true
    this.connection.socket.write(framedHead(this.head, this.length), 'latin1')
  }

  private write(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.sent += chunk.length
    const socket = this.connection.socket
    if (this.length !== null && this.sent > this.length) {
      this.connection.fail(this.job, new UpstreamError('KINGRESS_UPSTREAM_REQUEST_LENGTH', `the request body is longer than its Content-Length (${this.length} bytes)`))
      return
    }
    if (this.length !== null && this.sent === this.length) {
      // The body's last bytes wait for the client's message to end: if it goes on past its
      // Content-Length (an HTTP/2 stream reset for it), the upstream never saw a complete request.
      this.last = chunk
      return
    }
    let more: boolean
    socket.cork()
    if (!this.headSent) this.writeHead()
    if (this.length === null) {
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1')
      socket.write(chunk)
      more = socket.write('\r\n', 'latin1')
    } else more = socket.write(chunk)
    socket.uncork()
    if (!more && !this.waitingForDrain) {
      this.waitingForDrain = true
      this.body.pause()
      socket.once('drain', this.onDrain)
    }
  }

  private end(): void {
    if (this.length !== null && this.sent !== this.length) {
      this.connection.fail(this.job, new UpstreamError('KINGRESS_UPSTREAM_REQUEST_LENGTH', `the request body is ${this.sent} bytes, its Content-Length ${this.length}`))
      return
    }
    this.finished = true
    const socket = this.connection.socket
    if (this.sent === 0) {
      // No bytes after all (an HTTP/2 stream that ended with an empty DATA frame): a bodyless request.
      socket.write(bodylessHead(this.head), 'latin1')
    } else {
      socket.cork()
      if (!this.headSent) this.writeHead()
      if (this.length === null) socket.write('0\r\n\r\n', 'latin1')
      else if (this.last !== null) socket.write(this.last)
      this.last = null
      socket.uncork()
    }
    this.connection.requestWritten()
  }

  /**
   * Stops writing. A body still arriving is read to its end and dropped (the response is out, the
   * client may still be sending), or destroyed with the exchange's error.
   */
  detach(pending: boolean, error?: Error): void {
    this.body.off('data', this.onData)
    this.body.off('end', this.onEnd)
    this.body.off('error', this.onError)
    this.body.off('close', this.onClose)
    this.connection.socket.off('drain', this.onDrain)
    if (!pending) return
    this.body.on('error', ignore)
    if (error !== undefined) this.body.destroy(error)
    else this.body.resume()
  }
}

function ignore(): void {}

/** The head with its framing field and the blank line; a null length: chunked. */
function framedHead(head: RequestHead, length: number | null): string {
  return length === null ? `${head.text}transfer-encoding: chunked\r\n\r\n` : `${head.text}content-length: ${length}\r\n\r\n`
}

/** undici's rule for a request without a body: a method that expects one says it has none. */
function bodylessHead(head: RequestHead): string {
  return head.expectsPayload ? framedHead(head, 0) : `${head.text}\r\n`
}
