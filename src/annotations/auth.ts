
import {textResponse} from './access.js'
import {parseHtpasswd, verifyPassword} from './htpasswd.js'
import type {IngressPolicy} from './policy.js'
import {headerValue, type EarlyResponse, type RequestView} from './request-view.js'
import {validName} from '../proxy/headers.js'

type BasicAuth = NonNullable<IngressPolicy['basicAuth']>
type ExternalAuth = NonNullable<IngressPolicy['externalAuth']>

/** Finds a loaded Secret's decoded data by namespace and name. */
export type SecretLookup = (namespace: string, name: string) => Readonly<Record<string, string>> | undefined

function unauthorized(realm: string, detail: string): EarlyResponse {
  const body = `<html>\n<head><title>401 Authorization Required</title></head>\n<body>\n<center><h1>401 Authorization Required</h1></center>\n<hr><center>kingress</center>\n</body>\n</html>\n`
  return {status: 401, headers: {'www-authenticate': `Basic realm="${realm.replaceAll('"', '')}"`, 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body))}, body, reason: `auth-type basic: ${detail}`}
}

/**
 * The Secret of auth-type: basic is read when ingress-nginx parses the Ingress (auth/main.go
 * Parse), so a missing one, or an auth-file one without the key `auth`, denies the location: 503
 * before anything else of it runs. kingress looks it up per request, as Secrets reload with the
 * manifests.
 */
export function basicAuthSecretProblem(auth: BasicAuth, secrets: SecretLookup): EarlyResponse | null {
  const data = secrets(auth.secretNamespace, auth.secretName)
  if (!data) {
    const body = `kingress: auth-secret ${auth.secretNamespace}/${auth.secretName} is not in the loaded manifests. Add the Secret (an htpasswd file under the key "auth") to the files you pass to kingress up.\n`
    return textResponse(503, body, 'auth-secret missing')
  }
  if (auth.secretType === 'auth-file' && data.auth === undefined) {
    // auth/main.go dumpSecretAuthFile: no `auth` key is a denied location.
    const body = `kingress: auth-secret ${auth.secretNamespace}/${auth.secretName} has no key "auth". Put the htpasswd file under "auth", or set auth-secret-type: auth-map.\n`
    return textResponse(503, body, 'auth-secret has no auth key')
  }
  return null
}

/** auth-type: basic with an htpasswd Secret (key `auth`, or one key per user with auth-secret-type: auth-map); basicAuthSecretProblem ran first. */
export function checkBasicAuth(auth: BasicAuth, req: RequestView, secrets: SecretLookup): EarlyResponse | null {
  const data = secrets(auth.secretNamespace, auth.secretName)
  if (!data) return basicAuthSecretProblem(auth, secrets)
  const users = auth.secretType === 'auth-map' ? new Map(Object.entries(data)) : parseHtpasswd(data.auth ?? '')
  const header = headerValue(req.headers, 'authorization')
  if (!header || !header.toLowerCase().startsWith('basic ')) return unauthorized(auth.realm, 'no credentials')
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const user = colon === -1 ? decoded : decoded.slice(0, colon)
  const hash = users.get(user)
  if (!hash || !verifyPassword(colon === -1 ? '' : decoded.slice(colon + 1), hash)) return unauthorized(auth.realm, `bad credentials for "${user}"`)
  return null
}

export interface ExternalAuthResult {
  readonly denied: EarlyResponse | null
  /** auth-response-headers copied from the auth service's answer onto the upstream request. */
  readonly upstreamHeaders: Readonly<Record<string, string>>
}

// What the auth location of ingress-nginx's nginx.tmpl sets with proxy_set_header; the client's own
// headers of these names are not passed (X-Forwarded-Proto and Content-Length are set empty: removed).
const AUTH_SET = new Set(['content-length', 'x-forwarded-proto', 'x-request-id', 'x-original-url', 'x-original-method', 'x-sent-from', 'x-real-ip', 'x-forwarded-for', 'x-auth-request-redirect'])
// Set there only with auth-method: without it the client's own go through.
const AUTH_METHOD_SET = new Set(['x-original-uri', 'x-scheme'])
// nginx's proxy module's own list (ngx_http_proxy_module.c ngx_http_proxy_headers), and the other
// hop-by-hop fields kingress never forwards (Trailer, HTTP2-Settings).
const AUTH_HOP = new Set(['host', 'connection', 'proxy-connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'expect', 'upgrade', 'http2-settings'])

/** The auth subrequest's headers: the client's (proxy_pass_request_headers on) and the auth location's own. */
export function authRequestHeaders(auth: ExternalAuth, req: RequestView, requestId: string): Record<string, string> {
  const headers: Record<string, string> = {}
  const withMethod = auth.method !== null
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || AUTH_HOP.has(name) || AUTH_SET.has(name) || (withMethod && AUTH_METHOD_SET.has(name))) continue
    // Also HTTP/2's pseudo-headers; nginx never read the others (ignore_invalid_headers on).
    if (!validName(name)) continue
    headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const requestUri = `${req.path}${req.query}`
  headers['x-request-id'] = requestId
  if (withMethod) {
    headers['x-original-uri'] = requestUri
    headers['x-scheme'] = req.scheme
  }
  headers['x-original-url'] = `${req.scheme}://${httpHost(req)}${requestUri}`
  headers['x-original-method'] = req.method
  headers['x-sent-from'] = 'nginx-ingress-controller'
  headers['x-real-ip'] = req.remoteAddress
  headers['x-forwarded-for'] = req.remoteAddress
  headers['x-auth-request-redirect'] = requestUri
  return headers
}

/**
 * auth-signin's Location, as template.go buildAuthSignURL builds it: the sign-in URL as written when
 * its query already has rd=, else with `?rd=` (no query parameters) or `&rd=` appended at its end.
 */
export function signinLocation(signin: string, redirect: string): string {
  const hash = signin.indexOf('#')
  const beforeHash = hash === -1 ? signin : signin.slice(0, hash)
  const mark = beforeHash.indexOf('?')
  const params = new URLSearchParams(mark === -1 ? '' : beforeHash.slice(mark + 1))
  if (params.get('rd')) return signin
  return `${signin}${params.size === 0 ? '?' : '&'}rd=${redirect}`
}

/** nginx's $http_host: the Host the client sent, port included (HTTP/2: its :authority). */
function httpHost(req: RequestView): string {
  return headerValue(req.headers, 'host') ?? headerValue(req.headers, ':authority') ?? req.host
}

/**
 * auth-url: a subrequest to the auth service with the original request's headers (no body), as
 * nginx's auth_request does. 2xx lets the request through; 401 and 403 are passed to the client
 * (401 redirects to auth-signin when set); anything else, or no answer, is a 500.
 */
export async function checkExternalAuth(auth: ExternalAuth, req: RequestView, requestId: string, timeoutMs = 5000): Promise<ExternalAuthResult> {
  const headers = authRequestHeaders(auth, req, requestId)
  try {
    // The undici package root costs ~9 MB of memory: loaded only once an Ingress uses auth-url.
    const {request} = await import('undici')
    const answer = await request(auth.url, {method: (auth.method ?? 'GET') as 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs})
    await answer.body.dump()
    if (answer.statusCode >= 200 && answer.statusCode < 300) {
      const upstreamHeaders: Record<string, string> = {}
      for (const name of auth.responseHeaders) {
        const value = answer.headers[name.toLowerCase()]
        if (value !== undefined) upstreamHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
      }
      return {denied: null, upstreamHeaders}
    }
    if (answer.statusCode === 401 && auth.signin) {
      // rd=$pass_access_scheme://$http_host$escaped_request_uri, the request URI escaped as one
      // component (nginx.tmpl's set_escape_uri).
      const location = signinLocation(auth.signin, `${req.scheme}://${httpHost(req)}${encodeURIComponent(`${req.path}${req.query}`)}`)
      return {denied: {status: 302, headers: {location, 'content-length': '0'}, body: '', reason: 'auth-url: 401, sent to auth-signin'}, upstreamHeaders: {}}
    }
    if (answer.statusCode === 401 || answer.statusCode === 403) {
      const body = `${answer.statusCode} ${answer.statusCode === 401 ? 'Unauthorized' : 'Forbidden'} (auth-url ${auth.url})\n`
      const extra: Record<string, string> = {}
      const challenge = answer.headers['www-authenticate']
      if (challenge) extra['www-authenticate'] = String(challenge)
      return {denied: {status: answer.statusCode, headers: {...extra, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body))}, body, reason: `auth-url answered ${answer.statusCode}`}, upstreamHeaders: {}}
    }
    return {denied: authFailure(`auth-url ${auth.url} answered ${answer.statusCode}; only 2xx, 401 and 403 are meaningful`), upstreamHeaders: {}}
  } catch (error) {
    return {denied: authFailure(`auth-url ${auth.url} could not be reached (${(error as Error).message}). Start the auth service, or fix the URL.`), upstreamHeaders: {}}
  }
}

function authFailure(message: string): EarlyResponse {
  return textResponse(500, `kingress: ${message}\n`, message)
}
