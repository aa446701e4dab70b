import type {UpstreamFailure} from './pages.js'

/** How an upstream exchange failed, from the error the upstream client (kingress's HTTP/1.1 one, or undici) or the socket reports. */
export interface Classified {
  readonly failure: UpstreamFailure
  /** The connection was never established: nothing of the request was sent, any request may be retried. */
  readonly beforeConnect: boolean
  readonly detail: string
}

/** Attempts per request across a Service's endpoints: nginx's proxy_next_upstream_tries as ingress-nginx sets it. */
export const MAX_TRIES = 3

const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTDOWN'])
const RESET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'KINGRESS_UPSTREAM_CLOSED', 'KINGRESS_UPSTREAM_POOL_CLOSED'])

/** A response field a route's edits set that Node refused (forward.ts sets it; see isRefusedFieldValue). */
export const UNSENDABLE_EDIT = 'KINGRESS_UNSENDABLE_EDIT'
/**
 * undici's refusal of a request header (core/request.js processHeader: `invalid ${name} header`).
 * Client fields reach it checked by Node's parser or nghttp2, and hop-by-hop ones are dropped, so
 * the field is one the route's configuration set.
 */
const UNDICI_REFUSED_HEADER = /^invalid \S+ header$/

/** Node's refusal of a header value (validateHeaderValue: ERR_INVALID_CHAR "... header content ..."), not of a status message. */
export function isRefusedFieldValue(error: unknown): boolean {
  return errorCode(error) === 'ERR_INVALID_CHAR' && error instanceof Error && error.message.includes('header content')
}

export function classify(error: unknown): Classified {
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : String(error)
  if (CONNECT_ERRORS.has(code)) return {failure: 'refused', beforeConnect: true, detail: code === 'ECONNREFUSED' ? 'ECONNREFUSED: nothing listens there' : `${code}: ${message}`}
  if (code === 'KINGRESS_UPSTREAM_CONNECT_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return {failure: 'connect-timeout', beforeConnect: true, detail: `connect timeout: ${message}`}
  if (code === 'KINGRESS_UPSTREAM_HEADERS_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return {failure: 'timeout', beforeConnect: false, detail: 'no response head within the read timeout'}
  if (code === 'KINGRESS_SEND_TIMEOUT') return {failure: 'timeout', beforeConnect: false, detail: message}
  if (code === 'KINGRESS_UPSTREAM_BODY_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return {failure: 'timeout', beforeConnect: false, detail: 'the response body stalled'}
  if (code === UNSENDABLE_EDIT || code === 'KINGRESS_UPSTREAM_UNSENDABLE_HEADER' || (code === 'UND_ERR_INVALID_ARG' && UNDICI_REFUSED_HEADER.test(message))) return {failure: 'unsendable-header', beforeConnect: false, detail: message}
  if (RESET_ERRORS.has(code)) return {failure: 'reset', beforeConnect: false, detail: `${code === 'UND_ERR_SOCKET' || code === 'KINGRESS_UPSTREAM_CLOSED' ? 'ECONNRESET' : code}: ${message}`}
  return {failure: 'bad-response', beforeConnect: false, detail: code ? `${code}: ${message}` : message}
}

export function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return ''
  const code = (error as {code?: unknown}).code
  if (typeof code === 'string' && code !== '') {
    // undici wraps socket errors; the cause has the OS's code.
    const cause = (error as {cause?: unknown}).cause
    if (code === 'UND_ERR_SOCKET' && typeof cause === 'object' && cause !== null && typeof (cause as {code?: unknown}).code === 'string') return (cause as {code: string}).code
    return code
  }
  const cause = (error as {cause?: unknown}).cause
  return cause !== undefined && cause !== error ? errorCode(cause) : ''
}
