import type {ClientRequest} from './respond.js'

/**
 * Calls `done(true)` once the first chunk of a request body has been parsed (it is put back, so
 * piping reads it as usual) or the body ended; `done(false)` when the request fails first (a
 * malformed chunked body: the client-error listener answers it).
 */
export function firstChunk(req: ClientRequest, done: (ok: boolean) => void): void {
  if (req.readableEnded) return done(true)
  const finish = (ok: boolean): void => {
    req.off('data', onData)
    req.off('end', onEnd)
    req.off('error', onFail)
    req.off('close', onFail)
    done(ok)
  }
  const onData = (chunk: Buffer): void => {
    req.pause()
    req.unshift(chunk)
    finish(true)
  }
  const onEnd = (): void => finish(true)
  const onFail = (): void => finish(false)
  req.on('data', onData)
  req.once('end', onEnd)
  req.once('error', onFail)
  req.once('close', onFail)
}

/**
 * nginx's client_body_timeout: the longest gap between two reads of the request body. A body paused
 * by back-pressure (the upstream is slow to take it) is not the client's stall and is not counted.
 */
export class BodyGapTimer {
  private readonly timer: NodeJS.Timeout
  private req: ClientRequest | null = null

  constructor(
    private readonly ms: number,
    private readonly onStall: () => void,
  ) {
    this.timer = setTimeout(() => this.check(), ms)
    this.timer.unref()
  }

  /** Counts every chunk the client sends from now on; stops at the body's end. */
  watch(req: ClientRequest): void {
    this.req = req
    req.on('data', () => this.touch())
    req.once('end', () => this.stop())
  }

  touch(): void {
    this.timer.refresh()
  }

  stop(): void {
    clearTimeout(this.timer)
  }

  private check(): void {
    const req = this.req
    if (req !== null && (req.readableEnded || req.readableFlowing === false)) {
      if (!req.readableEnded) this.timer.refresh()
      return
    }
    this.onStall()
  }
}
