import {checkDeclaredBodySize, checkSourceRanges, rateLimited} from './access.js'
import {checkBasicAuth, type SecretLookup} from './auth.js'
import {corsPreflight} from './cors.js'
import type {IngressPolicy} from './policy.js'
import type {RateLimiter} from './rate-limit.js'
import {redirectFor, type RedirectContext} from './redirects.js'
import {headerValue, type EarlyResponse, type RequestView} from './request-view.js'

export interface GateContext extends RedirectContext {
  readonly limiter: RateLimiter
  readonly secrets: SecretLookup
  /** Identifies the Ingress for per-Ingress limits (`namespace/name`). */
  readonly ingressKey: string
  /** kingress's default body limit when the Ingress sets none (--profile ingress-nginx: 1m). */
  readonly defaultBodySizeLimit: number | null
}

export interface GateResult {
  readonly early: EarlyResponse | null
  /** Call when the exchange ends, when a limit-connections slot was taken. */
  readonly release: (() => void) | null
}

const PASS: GateResult = {early: null, release: null}

/**
 * Everything an Ingress's annotations decide before the request is forwarded, in ingress-nginx's
 * order: access lists, redirects, CORS preflight, rate limits, basic auth, declared body size.
 * (External auth is asynchronous and runs after this.)
 */
export function gate(policy: IngressPolicy, req: RequestView, ctx: GateContext): GateResult {
  const denied = checkSourceRanges(policy, req.remoteAddress)
  if (denied) return {early: denied, release: null}
  const redirect = redirectFor(policy, req, ctx)
  if (redirect) return {early: redirect, release: null}
  if (policy.cors) {
    const preflight = corsPreflight(policy.cors, req)
    if (preflight) return {early: preflight, release: null}
  }
  const clientKey = `${ctx.ingressKey}|${req.remoteAddress}`
  if (policy.limitRps !== null && !ctx.limiter.takeRequest(clientKey, policy.limitRps)) {
    return {early: rateLimited(policy.limitStatusCode, 'limit-rps'), release: null}
  }
  let release: (() => void) | null = null
  if (policy.limitConnections !== null) {
    if (!ctx.limiter.takeConnection(clientKey, policy.limitConnections)) return {early: rateLimited(policy.limitStatusCode, 'limit-connections'), release: null}
    release = () => ctx.limiter.releaseConnection(clientKey)
  }
  const early = (policy.basicAuth ? checkBasicAuth(policy.basicAuth, req, ctx.secrets) : null) ?? checkDeclaredBodySize(policy.bodySizeLimit ?? ctx.defaultBodySizeLimit, headerValue(req.headers, 'content-length'))
  if (early) {
    release?.()
    return {early, release: null}
  }
  return release ? {early: null, release} : PASS
}
