/** Why an exchange with an upstream failed, as the proxy's failure classification reads it. */
export type UpstreamErrorCode =
  | 'KINGRESS_UPSTREAM_CONNECT_TIMEOUT'
  | 'KINGRESS_UPSTREAM_HEADERS_TIMEOUT'
  | 'KINGRESS_UPSTREAM_BODY_TIMEOUT'
  /** The upstream closed the connection before the response was complete. */
  | 'KINGRESS_UPSTREAM_CLOSED'
  /** The response is not HTTP/1.1 kingress will relay (a parse error, an oversized head, a 100 nobody asked for). */
  | 'KINGRESS_UPSTREAM_BAD_RESPONSE'
  /** A 204 or 304 that declared a body. */
  | 'KINGRESS_UPSTREAM_BODYLESS_WITH_BODY'
  /** A request field that cannot be written on the wire (a route's edit set it). */
  | 'KINGRESS_UPSTREAM_UNSENDABLE_HEADER'
  | 'KINGRESS_UPSTREAM_INVALID_REQUEST'
  /** The request body ended with another length than its Content-Length. */
  | 'KINGRESS_UPSTREAM_REQUEST_LENGTH'
  | 'KINGRESS_UPSTREAM_POOL_CLOSED'

export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'UpstreamError'
  }
}

/** A response kingress will not relay, with what was wrong with it. */
export function badResponse(message: string): UpstreamError {
  return new UpstreamError('KINGRESS_UPSTREAM_BAD_RESPONSE', `invalid response from the upstream: ${message}`)
}
