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
  /** The path of the Ingress rule (the location) that serves the request, for no-tls-redirect-locations. */
  readonly locationPath: string
}

export interface GateResult {
  readonly early: EarlyResponse | null
  /** Call when the exchange ends, when a limit-connections slot was taken. */
  readonly release: (() => void) | null
}

const PASS: GateResult = {early: null, release: null}

/**
 * What the location's rewrite phase answers by itself, in nginx.tmpl's order: the CORS preflight's
 * `return 204`, then permanent/temporal-redirect's `return`, then ssl-redirect (rewrite_by_lua).
 */
export function rewritePhase(policy: IngressPolicy, req: RequestView, ctx: RedirectContext, locationPath: string): EarlyResponse | null {
  const preflight = policy.cors ? corsPreflight(policy.cors, req) : null
  return preflight ?? redirectFor(policy, req, ctx, locationPath)
}

/**
 * Everything an Ingress's annotations decide before the request is forwarded, in nginx's phase
 * order for an ingress-nginx location (nginx.tmpl): the declared body size (client_max_body_size,
 * checked as the location is found), the CORS preflight and permanent/temporal-redirect (rewrite
 * phase, in that order in the template), ssl-redirect (rewrite_by_lua, after them), rate limits
 * (preaccess), then access lists and basic auth (access). External auth is asynchronous and runs after this.
 */
export function gate(policy: IngressPolicy, req: RequestView, ctx: GateContext): GateResult {
  const tooLarge = checkDeclaredBodySize(policy.bodySizeLimit ?? ctx.defaultBodySizeLimit, headerValue(req.headers, 'content-length'))
  if (tooLarge) return {early: tooLarge, release: null}
  const rewritePhaseAnswer = rewritePhase(policy, req, ctx, ctx.locationPath)
  if (rewritePhaseAnswer) return {early: rewritePhaseAnswer, release: null}
  const clientKey = `${ctx.ingressKey}|${req.remoteAddress}`
  if (policy.limitRps !== null && !ctx.limiter.takeRequest(clientKey, policy.limitRps)) {
    return {early: rateLimited(policy.limitStatusCode, 'limit-rps'), release: null}
  }
  let release: (() => void) | null = null
  if (policy.limitConnections !== null) {
    if (!ctx.limiter.takeConnection(clientKey, policy.limitConnections)) return {early: rateLimited(policy.limitStatusCode, 'limit-connections'), release: null}
    release = () => ctx.limiter.releaseConnection(clientKey)
  }
  const early = checkSourceRanges(policy, req.remoteAddress) ?? (policy.basicAuth ? checkBasicAuth(policy.basicAuth, req, ctx.secrets) : null)
  if (early) {
    release?.()
    return {early, release: null}
  }
  return release ? {early: null, release} : PASS
}
