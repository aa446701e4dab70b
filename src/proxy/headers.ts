/**
 * Header rewriting in both directions, one pass over the raw header list each way. Hop-by-hop
 * headers (RFC 9110 §7.6.1: Connection and the headers it lists, Keep-Alive, Proxy-*, TE, Trailer,
 * Transfer-Encoding, Upgrade) never cross the proxy; the X-Forwarded-* family is set the way an
 * ingress controller sets it.
 */

import {validateHeaderName, validateHeaderValue} from './node-http.js'

export const PROXY_NAME = 'kingress'

/** nginx's large_client_header_buffers 4 8k: one header line may be at most 8 KiB. */
export const MAX_HEADER_LINE = 8192

// What the scan does with a request header (by lower-cased name).
const DROP = 1
const XFF = 2
const REQUEST_ID = 3
const XFH = 4
const AUTHORITY = 5
const HOST = 6

const REQUEST_SPECIAL = new Map<string, number>([
  ['connection', DROP],
  ['keep-alive', DROP],
  ['proxy-connection', DROP],
  ['proxy-authenticate', DROP],
  ['proxy-authorization', DROP],
  ['te', DROP],
  ['trailer', DROP],
  ['transfer-encoding', DROP],
  ['upgrade', DROP],
  // Node already answered `100 Continue`; the upstream request is sent without it.
  ['expect', DROP],
  ['http2-settings', DROP],
  // nginx.tmpl's location block sets these with proxy_set_header, which also keeps the client's own
  // header of the same name from going upstream (even where the value set is empty).
  ['x-forwarded-proto', DROP],
  ['x-forwarded-scheme', DROP],
  ['x-scheme', DROP],
  ['x-forwarded-port', DROP],
  ['x-real-ip', DROP],
  ['x-original-forwarded-for', DROP],
  ['x-original-forwarded-host', DROP],
  // `Proxy: ""` there: the httpoxy mitigation (a CGI backend would read it as HTTP_PROXY).
  ['proxy', DROP],
  ['x-forwarded-for', XFF],
  ['x-forwarded-host', XFH],
  ['x-request-id', REQUEST_ID],
  [':authority', AUTHORITY],
  ['host', HOST],
])

/**
 * nginx's ignore_invalid_headers on and underscores_in_headers off (ingress-nginx's defaults): a
 * request header whose name is not letters, digits and hyphens is dropped, so `X_Forwarded_For` or
 * `Foo.Bar` can never be read as another header by a backend that normalises names.
 */
export function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i)
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45)) return false
  }
  return name.length > 0
}

// `server` too: nginx's proxy_hide_header hides the upstream's by default, and ingress-nginx
// (server-tokens: false) clears its own (nginx.tmpl `more_clear_headers Server`).
const RESPONSE_DROP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'server'])

/** The tokens of a Connection header that name further hop-by-hop headers (not close/keep-alive/upgrade). */
export function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null
  const text = Array.isArray(value) ? value.join(',') : value
  // Nearly every upstream answer says just this: no split, no Set.
  if (text.length === 10 && text.toLowerCase() === 'keep-alive') return null
  let tokens: Set<string> | null = null
  for (const part of text.split(',')) {
    const token = part.trim().toLowerCase()
    if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue
    ;(tokens ??= new Set()).add(token)
  }
  return tokens
}

export interface ForwardedInfo {
  readonly clientIp: string
  readonly scheme: 'http' | 'https'
  readonly port: number
  /** The id sent upstream: the client's X-Request-ID, or a generated one. */
  readonly requestId: string
}

export interface UpstreamHeaders {
  /** Flat `[name, value, name, value, ...]` list for undici (and for raw upgrade requests). */
  readonly list: string[]
  /** The first header line longer than MAX_HEADER_LINE, if any (answered 431). */
  readonly oversized: string | null
}

/**
 * Builds the upstream request headers from the client's raw ones. `host` is the Host header (or
 * HTTP/2 :authority) the client sent, passed through unchanged; with `replaceHost` (absolute-form
 * targets) it replaces the client's Host header. Exactly one Host goes upstream.
 *
 * The proxy_set_header list of ingress-nginx's location block (nginx.tmpl), with its defaults
 * (use-forwarded-headers: false): X-Forwarded-For is the client's address alone and the client's own
 * X-Forwarded-For and X-Forwarded-Host move to X-Original-Forwarded-For and -Host; X-Forwarded-Proto,
 * X-Forwarded-Scheme and X-Scheme are the listener's scheme. No Via: nginx adds none.
 */
export function upstreamRequestHeaders(raw: readonly string[], host: string | undefined, connection: string | string[] | undefined, info: ForwardedInfo, replaceHost = false): UpstreamHeaders {
  const listed = connection === undefined ? null : connectionTokens(connection)
  const list: string[] = []
  let xff: string | null = null
  let xfh: string | null = null
  let oversized: string | null = null
  let sawHost = false
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!
    const value = raw[i + 1]!
    if (name.length + value.length > MAX_HEADER_LINE) oversized ??= name
    const lower = name.toLowerCase()
    const special = REQUEST_SPECIAL.get(lower)
    if (special === undefined) {
      if (!validName(name)) continue // also HTTP/2 pseudo-headers other than :authority
      if (listed !== null && listed.has(lower)) continue
      list.push(name, value)
      continue
    }
    switch (special) {
      case HOST:
        if (sawHost || replaceHost) break
        sawHost = true
        list.push(name, value)
        break
      case XFF:
        xff = xff === null ? value : `${xff}, ${value}`
        break
      case XFH:
        xfh = xfh === null ? value : `${xfh}, ${value}`
        break
      case AUTHORITY:
        break
      case REQUEST_ID:
      case DROP:
        break
    }
  }
  if (!sawHost && host !== undefined) list.push('host', host)
  // nginx sends no header whose value came out empty (ngx_http_proxy_create_request).
  if (xff !== null && xff !== '') list.push('x-original-forwarded-for', xff)
  if (xfh !== null && xfh !== '') list.push('x-original-forwarded-host', xfh)
  list.push(
    'x-forwarded-for',
    info.clientIp,
    'x-forwarded-host',
    host ?? '',
    'x-forwarded-port',
    String(info.port),
    'x-forwarded-proto',
    info.scheme,
    'x-forwarded-scheme',
    info.scheme,
    'x-scheme',
    info.scheme,
    'x-real-ip',
    info.clientIp,
    'x-request-id',
    info.requestId,
  )
  return {list, oversized}
}

/**
 * The upstream response headers (Latin-1 strings from kingress's client, raw Buffers from undici)
 * as the flat list the client gets, with the hop-by-hop ones removed. Nothing is added:
 * ingress-nginx adds no Via anywhere and sets X-Request-ID only towards the upstream (nginx.tmpl).
 */
export function clientResponseHeaders(raw: readonly (Buffer | string)[]): string[] {
  const out: string[] = []
  let listed: Set<string> | null = null
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1')
    const lower = name.toLowerCase()
    if (RESPONSE_DROP.has(lower)) {
      if (lower === 'connection') {
        // Every Connection field counts: each may name more hop-by-hop headers.
        const tokens = connectionTokens(raw[i + 1]!.toString('latin1'))
        if (tokens !== null) listed = listed === null ? tokens : new Set([...listed, ...tokens])
      }
      continue
    }
    out.push(name, raw[i + 1]!.toString('latin1'))
  }
  if (listed !== null) removeHeaders(out, listed)
  return out
}

/** Removes, in place, every header of a flat `[name, value, ...]` list whose lower-case name is in `names`. */
export function removeHeaders(list: string[], names: ReadonlySet<string>): void {
  let w = 0
  for (let r = 0; r < list.length; r += 2) {
    if (names.has(list[r]!.toLowerCase())) continue
    list[w++] = list[r]!
    list[w++] = list[r + 1]!
  }
  list.length = w
}

/**
 * Throws where node:http would refuse a field of a flat `[name, value, ...]` head: for heads sent
 * where Node does not check values (HTTP/2's compatibility writeHead checks names only, and a head
 * kingress writes on a socket itself). Upstream fields arrive checked by undici's parser; a value a
 * route's edits set may have a control character, CR LF included.
 */
export function assertSendable(flat: readonly string[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    validateHeaderName(flat[i]!)
    validateHeaderValue(flat[i]!, flat[i + 1]!)
  }
}

/** `::ffff:127.0.0.1` → `127.0.0.1`. */
export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return ''
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote
}

/** The client's X-Request-ID when it is sane (printable, at most 200 characters), else null. */
export function acceptableRequestId(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) return null
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x21 || c > 0x7e) return null
  }
  return value
}
