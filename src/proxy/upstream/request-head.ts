import {UpstreamError} from './errors.js'
import {BAD_FIELD_BYTE, LENGTH_DIGITS, TOKEN} from './field-syntax.js'

export interface RequestHead {
  /** The request line and fields up to, not including, the framing field and the blank line. */
  readonly text: string
  /** From the Content-Length field the caller listed, or null. */
  readonly contentLength: number | null
  /** The connection is closed after this exchange (HEAD, `Connection: close`, a body on a method that expects none). */
  readonly reset: boolean
  readonly expectsPayload: boolean
  /** The request has body bytes to send (an empty Buffer is none). */
  readonly hasBody: boolean
}

const BAD_PATH_BYTE = /[^\x21-\x7e\x80-\xff]/
/** RFC 9110 methods whose semantics define a request body: they carry `content-length: 0` when they have none. */
const EXPECTS_PAYLOAD = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH'])
/** Fields the client writes itself (or that a proxy must never forward as given). */
const REFUSED = new Set(['transfer-encoding', 'keep-alive', 'upgrade'])

function unsendable(name: string): UpstreamError {
  return new UpstreamError('KINGRESS_UPSTREAM_UNSENDABLE_HEADER', `invalid ${name} header`)
}

/**
 * The head of an upstream request from a flat `[name, value, ...]` field list, as undici's HTTP/1.1
 * client wrote it before (so upstreams see the same bytes): `host` first, then `connection`, then
 * the fields in order. Host and Content-Length are taken out of the list and written by the client;
 * a field that cannot go on the wire is refused with the field's name.
 */
export function requestHead(method: string, path: string, headers: readonly string[], defaultHost: string, hasBody: boolean): RequestHead {
  if (!TOKEN.test(method)) throw new UpstreamError('KINGRESS_UPSTREAM_INVALID_REQUEST', `invalid request method "${method.slice(0, 40)}"`)
  if (path === '' || BAD_PATH_BYTE.test(path)) throw new UpstreamError('KINGRESS_UPSTREAM_INVALID_REQUEST', 'invalid request path')
  let host: string | null = null
  let contentLength: number | null = null
  let reset = method === 'HEAD'
  let fields = ''
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!
    const value = headers[i + 1]!
    if (!TOKEN.test(name)) throw new UpstreamError('KINGRESS_UPSTREAM_UNSENDABLE_HEADER', `invalid header name "${name.slice(0, 40)}"`)
    if (BAD_FIELD_BYTE.test(value)) throw unsendable(name)
    // Only names of these lengths can be special: the rest skip the lower-casing.
    const n = name.length
    if (n !== 4 && n !== 6 && n !== 7 && n !== 10 && n !== 14 && n !== 17) {
      fields += `${name}: ${value}\r\n`
      continue
    }
    const lower = name.toLowerCase()
    if (lower === 'host') {
      if (host !== null) throw new UpstreamError('KINGRESS_UPSTREAM_INVALID_REQUEST', 'duplicate host header')
      host = value
    } else if (lower === 'content-length') {
      if (contentLength !== null) throw new UpstreamError('KINGRESS_UPSTREAM_INVALID_REQUEST', 'duplicate content-length header')
      if (!LENGTH_DIGITS.test(value)) throw unsendable(name)
      contentLength = Number(value)
    } else if (REFUSED.has(lower)) throw unsendable(lower)
    else if (lower === 'connection') {
      for (const token of value.toLowerCase().split(',')) {
        const t = token.trim()
        if (!TOKEN.test(t)) throw unsendable(name)
        if (t === 'close') reset = true
      }
    } else if (lower === 'expect') throw new UpstreamError('KINGRESS_UPSTREAM_INVALID_REQUEST', 'an Expect header is not sent upstream')
    else fields += `${name}: ${value}\r\n`
  }
  const expectsPayload = EXPECTS_PAYLOAD.has(method)
  // A body on a method that defines none can leave a server unsure where the next request begins.
  if (hasBody && !expectsPayload) reset = true
  // RFC 9110 §8.6: no Content-Length on a request that has no body and whose method expects none.
  if (contentLength === 0 && !expectsPayload) contentLength = null
  const text = `${method} ${path} HTTP/1.1\r\nhost: ${host ?? defaultHost}\r\nconnection: ${reset ? 'close' : 'keep-alive'}\r\n${fields}`
  return {text, contentLength, reset, expectsPayload, hasBody}
}
