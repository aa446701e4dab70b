import {Transform, type TransformCallback} from 'node:stream'

export interface MeterOwner {
  /** The request body passed proxy-body-size. */
  bodyTooLarge(limit: number): void
  /** No chunk of the request body could be relayed upstream for proxy-send-timeout. */
  sendTimedOut(ms: number): void
}

/**
 * The request body on its way upstream, counted: proxy-body-size also holds for chunked bodies
 * (no Content-Length to check up front), and proxy-send-timeout is the longest wait between two
 * chunks relayed to the upstream.
 */
export class BodyMeter extends Transform {
  private count = 0
  private timer: NodeJS.Timeout | null = null
  private over = false

  constructor(
    private readonly owner: MeterOwner,
    /** Bytes; 0 for none. */
    private readonly limit: number,
    /** 0 for none. */
    private readonly sendMs: number,
  ) {
    super()
  }

  /** Called once the upstream connection is there and the client's body starts flowing. */
  start(): void {
    if (this.sendMs > 0 && this.timer === null) {
      this.timer = setTimeout(() => this.owner.sendTimedOut(this.sendMs), this.sendMs)
      this.timer.unref()
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.over) return callback()
    this.count += chunk.length
    if (this.limit > 0 && this.count > this.limit) {
      this.over = true
      this.stop()
      this.owner.bodyTooLarge(this.limit)
      return callback()
    }
    this.timer?.refresh()
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.stop()
    callback()
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.stop()
    callback(error)
  }

  private stop(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
