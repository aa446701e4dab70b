import type {Http2ServerResponse} from 'node:http2'

import type {UpstreamProtocol} from './pools.js'

/**
 * An HTTP/2 response head straight to the stream, when the upstream's answer cannot have trailers.
 * The compatibility layer's writeHead removes, re-checks and copies every header one by one, and
 * always has the stream wait for trailers, so that each response ends with an extra, empty frame
 * (bench/PERFORMANCE.md). What it does to the headers is kept: `connection` dropped, and nothing
 * sent on a stream the client already reset. Values are not checked here, as the compatibility
 * layer does not check them: the caller checks a route's edits (headers.ts assertSendable).
 */
export function respondWithKnownLength(res: Http2ServerResponse, status: number, flat: readonly string[]): void {
  const stream = res.stream
  if (stream.destroyed || stream.closed) return
  // No prototype: a header named `constructor` or `__proto__` is a header like any other.
  const head = Object.create(null) as Record<string, string | string[] | number>
  head[':status'] = status
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase()
    const value = flat[i + 1]!
    if (name === 'connection' && value !== 'trailers') continue
    const before = head[name]
    if (before === undefined) head[name] = value
    else if (Array.isArray(before)) before.push(value)
    else head[name] = [before as string, value]
  }
  res.statusCode = status
  stream.respond(head, {waitForTrailers: false})
}

/**
 * No trailers can follow: an HTTP/1.1 upstream (it sends trailers only chunked) whose answer is a
 * HEAD's, a 204 or 304, or has a Content-Length. gRPC backends are reached over HTTP/2, where a
 * Content-Length and trailers go together.
 */
export function lengthIsKnown(protocol: UpstreamProtocol, method: string | undefined, status: number, flat: readonly string[]): boolean {
  if (protocol === 'GRPC' || protocol === 'GRPCS') return false
  if (method === 'HEAD' || status === 204 || status === 304) return true
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.length === 14 && flat[i]!.toLowerCase() === 'content-length') return true
  return false
}
