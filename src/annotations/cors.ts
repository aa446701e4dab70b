import type {CorsPolicy} from './policy.js'
import {headerValue, type EarlyResponse, type RequestView} from './request-view.js'

/** The origin to echo, `*`, or null when the request's Origin is not allowed. */
function allowedOrigin(cors: CorsPolicy, origin: string | undefined): string | null {
  if (cors.allowOrigin.includes('*')) return '*'
  if (origin && cors.allowOrigin.includes(origin)) return origin
  return null
}

/** The preflight (`OPTIONS` with Access-Control-Request-Method) is answered by the proxy, as ingress-nginx does. */
export function corsPreflight(cors: CorsPolicy, req: RequestView): EarlyResponse | null {
  if (req.method !== 'OPTIONS' || !headerValue(req.headers, 'access-control-request-method')) return null
  return {status: 204, headers: {...corsHeaders(cors, req), 'access-control-max-age': String(cors.maxAge), 'content-type': 'text/plain charset=UTF-8', 'content-length': '0'}, body: '', reason: 'cors-preflight'}
}

/** Headers added to every response of a CORS-enabled Ingress (and to the preflight answer). */
export function corsHeaders(cors: CorsPolicy, req: RequestView): Record<string, string> {
  const origin = allowedOrigin(cors, headerValue(req.headers, 'origin'))
  if (origin === null) return {}
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': cors.allowMethods,
    'access-control-allow-headers': cors.allowHeaders,
  }
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true'
  if (cors.exposeHeaders) headers['access-control-expose-headers'] = cors.exposeHeaders
  if (origin !== '*') headers.vary = 'Origin'
  return headers
}
