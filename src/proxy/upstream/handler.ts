import type {Readable} from 'node:stream'

/** One request to an upstream, as the proxy dispatches it. */
export interface UpstreamRequest {
  readonly path: string
  readonly method: string
  /** Flat `[name, value, ...]`. */
  readonly headers: string[]
  /** A stream is sent as it arrives (chunked unless the fields give a Content-Length); a Buffer whole. */
  readonly body: Readable | Buffer | null
  /** Milliseconds from the request going out to the response head; 0: none. */
  readonly headersTimeout: number
  /** Milliseconds the response body may stall between reads; 0: none. */
  readonly bodyTimeout: number
}

/**
 * What receives an exchange's events: undici's (legacy) dispatch handler protocol, which both the
 * HTTP/1.1 client here and undici's pools (HTTPS, gRPC) call. Header names and values arrive as
 * Latin-1 strings from this client and as Buffers from undici.
 */
export interface UpstreamHandler {
  /** The request is about to go out on a connection; `abort` ends the exchange with onError. */
  onConnect(abort: (error?: Error) => void): void
  /** false: pause the body until `resume` is called. */
  onHeaders(statusCode: number, rawHeaders: readonly (Buffer | string)[], resume: () => void, statusText: string): boolean
  /** false: pause until `resume`. */
  onData(chunk: Buffer): boolean
  onComplete(trailers: readonly (Buffer | string)[] | null): void
  onError(error: Error): void
}

export interface UpstreamPool {
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): boolean
  /** In-flight and queued requests finish; then the connections close. */
  close(): Promise<void>
  /** Every connection closes now; requests still queued fail. */
  destroy(): Promise<void>
}
