import type {IncomingMessage} from 'node:http'

import type {ClientRequest} from './respond.js'

/**
 * The checks a request passes before it is routed, so that what kingress routes is what the backend
 * receives and no framing is left to interpretation (RFC 9112 §3, §6; nginx's
 * ngx_http_request.c / ngx_http_parse.c, which ingress-nginx runs). Node's parser (llhttp) already
 * rejects most malformed heads (bad chunk sizes, CL+TE, duplicate Content-Length, obs-fold,
 * whitespace before the colon, bare LF); these are what it lets through.
 */
export interface Refusal {
  readonly status: 400 | 405 | 501 | 505
  readonly title: string
  readonly message: string
}

/** An HTTP/2 request (from the compat layer) rather than HTTP/1.x on either listener. */
export function isHttp2(req: ClientRequest): boolean {
  return (req as {stream?: unknown}).stream !== undefined
}

export function screenRequest(req: ClientRequest): Refusal | null {
  const h2 = isHttp2(req)
  // HTTP/1.x side: `GET / HTTP/2.0` (or 0.9) parsed by llhttp is no HTTP/2 request. nginx: 505.
  if (!h2 && !(req.httpVersionMajor === 1 && (req.httpVersionMinor === 0 || req.httpVersionMinor === 1))) {
    return {status: 505, title: 'HTTP version not supported', message: `kingress serves HTTP/1.0 and HTTP/1.1 on this connection, not HTTP/${req.httpVersion}. HTTP/2 is served over TLS (ALPN h2) on the HTTPS port.`}
  }
  // nginx (ngx_http_parse_request_line, ngx_http_v2_parse_method): a method is A-Z, '_' and '-'.
  // HTTP/2 lets any token through (`get`), which an HTTP/1.1 backend may read differently.
  if (!/^[A-Z_-]+$/.test(req.method ?? '')) return {status: 400, title: 'Bad request', message: `"${printable(req.method ?? '')}" is not a method kingress forwards (upper-case letters, "_" and "-").`}
  // RFC 9110 §9.3.6: kingress is no forward proxy (ingress-nginx answers 405 too).
  if (req.method === 'CONNECT') return {status: 405, title: 'Method not allowed', message: 'kingress is a reverse proxy: CONNECT tunnels are not served.'}
  const target = targetProblem(req.url ?? '')
  if (target !== null) return {status: 400, title: 'Bad request', message: target}
  const host = hostProblem(req, h2)
  if (host !== null) return {status: 400, title: 'Bad request', message: host}
  if (!h2) return framingProblem(req as IncomingMessage)
  return null
}

/**
 * A fragment is never part of a request target (RFC 9112 §3.2: origin-form is path and query); a
 * backslash or an encoded NUL is read differently by different backends (nginx refuses %00 with 400).
 * Control characters and spaces never belong in a target.
 */
export function targetProblem(url: string): string | null {
  if (url === '') return 'The request has no target.'
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 35 /* # */) return `The request target "${printable(url)}" has a fragment (#...): browsers never send one, and backends disagree on what it means.`
    if (c === 92 /* \ */) return `The request target "${printable(url)}" has a backslash: backends disagree on whether it is a path separator.`
    if (c <= 0x20 || c === 0x7f) return `The request target "${printable(url)}" has a control character or space.`
    if (c === 37 /* % */ && url.charCodeAt(i + 1) === 48 && url.charCodeAt(i + 2) === 48) return `The request target "${printable(url)}" has an encoded NUL (%00).`
  }
  return null
}

// reg-name (RFC 3986 §3.2.2) without the comma, or an IP literal; optional port.
const HOST_SYNTAX = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+;=%]+)(?::(\d{0,5}))?$/

/** Why a Host (or :authority) value is not `host[:port]`, or null when it is. */
export function hostValueProblem(value: string): string | null {
  const m = HOST_SYNTAX.exec(value)
  if (m === null || value.includes('..')) return `"${printable(value)}" is not a host[:port] (no comma, slash, userinfo or space).`
  if (m[1] !== undefined && m[1] !== '' && Number(m[1]) > 65535) return `the port in "${printable(value)}" is above 65535.`
  return null
}

/** RFC 9112 §3.2: exactly one valid Host on HTTP/1.1 (HTTP/1.0 may have none); HTTP/2 routes on :authority (RFC 9113 §8.3.1). */
function hostProblem(req: ClientRequest, h2: boolean): string | null {
  const raw = req.rawHeaders
  let count = 0
  let value = ''
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') {
      count++
      value = raw[i + 1]!
    }
  }
  if (h2) {
    const authority = req.headers[':authority'] as string | undefined
    if (count > 1) return 'The request has more than one Host header.'
    const chosen = authority ?? (count === 1 ? value : undefined)
    if (chosen === undefined) return 'The HTTP/2 request has neither :authority nor Host.'
    const problem = hostValueProblem(chosen)
    return problem === null ? null : `The request authority ${problem}`
  }
  if (count > 1) return 'The request has more than one Host header (RFC 9112 §3.2).'
  if (count === 0) return req.httpVersionMinor === 0 ? null : 'The HTTP/1.1 request has no Host header (RFC 9112 §3.2).'
  const problem = hostValueProblem(value)
  return problem === null ? null : `The Host header ${problem}`
}

/**
 * RFC 9112 §6.1 and nginx: Transfer-Encoding on HTTP/1.0 → 400; any Transfer-Encoding other than
 * exactly `chunked` → 501 (`gzip, chunked` included: kingress decodes no codings).
 */
function framingProblem(req: IncomingMessage): Refusal | null {
  const raw = req.rawHeaders
  let te: string | null = null
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length !== 17 || raw[i]!.toLowerCase() !== 'transfer-encoding') continue
    te = te === null ? raw[i + 1]! : `${te}, ${raw[i + 1]!}`
  }
  if (te === null) return null
  if (req.httpVersionMinor === 0) return {status: 400, title: 'Bad request', message: 'An HTTP/1.0 request cannot use Transfer-Encoding (RFC 9112 §6.1).'}
  if (te.trim().toLowerCase() !== 'chunked') return {status: 501, title: 'Not implemented', message: `Transfer-Encoding "${printable(te)}" is not supported: only "chunked".`}
  return null
}

function printable(text: string): string {
  const cut = text.length > 200 ? text.slice(0, 200) + '…' : text
  return cut.replace(/[^\x21-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
