import {NGINX_PREFIX} from './outcome.js'
import {cidrContains} from './values.js'
import type {IngressPolicy, LocationDenial} from './policy.js'
import type {EarlyResponse} from './request-view.js'

/** A plain-text answer of kingress's own. */
export function textResponse(status: number, body: string, reason: string): EarlyResponse {
  return {status, headers: {'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body))}, body, reason}
}

/** whitelist/allowlist-source-range and denylist-source-range: 403 as nginx's allow/deny. */
export function checkSourceRanges(policy: IngressPolicy, remoteAddress: string): EarlyResponse | null {
  if (policy.denySourceRanges?.some((cidr) => cidrContains(cidr, remoteAddress))) {
    return textResponse(403, `403 Forbidden: ${remoteAddress} is in denylist-source-range\n`, 'denylist-source-range')
  }
  if (policy.allowSourceRanges && !policy.allowSourceRanges.some((cidr) => cidrContains(cidr, remoteAddress))) {
    const allowed = policy.allowSourceRanges.map((c) => c.text).join(', ')
    return textResponse(403, `403 Forbidden: ${remoteAddress} is not in whitelist-source-range (${allowed})\n`, 'whitelist-source-range')
  }
  return null
}

/**
 * A location ingress-nginx denies over an annotation (nginx.tmpl: `return 503`, "Location
 * denied"): nothing else of the location runs, not even its redirects.
 */
export function locationDenied(denial: LocationDenial): EarlyResponse {
  const why = denial.by === 'ingress-nginx' ? `ingress-nginx denies this Ingress's locations over ${denial.annotation}: ${denial.reason}. Fix the annotation (kingress validate shows it).` : `${denial.annotation}: ${denial.reason}, so kingress denies this Ingress's locations rather than serve them without it.`
  return textResponse(503, `503 Service Temporarily Unavailable: ${why}\n`, `location denied (${denial.annotation.replace(NGINX_PREFIX, '')})`)
}

/** proxy-body-size: a declared Content-Length above the limit is refused before any byte is forwarded. */
export function checkDeclaredBodySize(limit: number | null, contentLength: string | undefined): EarlyResponse | null {
  if (!limit || contentLength === undefined) return null
  const length = Number(contentLength)
  return Number.isFinite(length) && length > limit ? bodyTooLarge(limit) : null
}

export function bodyTooLarge(limit: number): EarlyResponse {
  return textResponse(413, `413 Request Entity Too Large: the body is larger than proxy-body-size (${limit} bytes). Raise nginx.ingress.kubernetes.io/proxy-body-size on the Ingress ("0" for no limit).\n`, 'proxy-body-size')
}

export function rateLimited(status: number, what: 'limit-rps' | 'limit-connections'): EarlyResponse {
  return textResponse(status, `${status} ${status === 429 ? 'Too Many Requests' : 'Service Temporarily Unavailable'}: ${what} reached for your address\n`, what)
}
