import type {Http2ServerResponse} from 'node:http2'

import {validateHeaderName, validateHeaderValue} from './node-http.js'

/**
 * An HTTP/2 response head straight to the stream, when the upstream's answer cannot have trailers
 * (its length is known: Content-Length, or no body at all). The compatibility layer's writeHead
 * removes, re-checks and copies every header one by one, and always has the stream wait for
 * trailers, so that each response ends with an extra, empty frame (bench/PERFORMANCE.md). Node's
 * header checks still run: a head Node would refuse throws here as it would there.
 */
export function respondWithKnownLength(res: Http2ServerResponse, status: number, flat: readonly string[]): void {
  const head: Record<string, string | string[] | number> = {':status': status}
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase()
    const value = flat[i + 1]!
    validateHeaderName(name)
    validateHeaderValue(name, value)
    const before = head[name]
    if (before === undefined) head[name] = value
    else if (Array.isArray(before)) before.push(value)
    else head[name] = [before as string, value]
  }
  res.statusCode = status
  res.stream.respond(head, {waitForTrailers: false})
}

/** No trailers can follow: a HEAD, a 204 or 304, or an upstream answer with a Content-Length (HTTP/1.1 sends trailers only when chunked). */
export function lengthIsKnown(method: string | undefined, status: number, flat: readonly string[]): boolean {
  if (method === 'HEAD' || status === 204 || status === 304) return true
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.length === 14 && flat[i]!.toLowerCase() === 'content-length') return true
  return false
}
