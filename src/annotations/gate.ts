import {answerOnlyState, compiledOnce, holdRelease, runSteps, type RouteStep, type StepStop} from '../model/steps.js'
import {checkDeclaredBodySize, checkSourceRanges, locationDenied, rateLimited, textResponse} from './access.js'
import {basicAuthSecretProblem, checkBasicAuth, type SecretLookup} from './auth.js'
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

/** An Ingress annotation as a route step (src/model/steps.ts), run with the data plane's limiter and Secrets. */
type AnnotationStep = RouteStep<GateContext>

const A = 'nginx.ingress.kubernetes.io/'

function answer(early: EarlyResponse | null): StepStop | null {
  return early === null ? null : {kind: 'answer', early}
}

/**
 * What an Ingress's annotations decide before the request is forwarded, as steps in nginx's phase
 * order for an ingress-nginx location (nginx.tmpl): a denied location's 503 alone, or else an
 * unusable auth-secret's 503 (a denial ingress-nginx finds when it parses), the declared body size (client_max_body_size,
 * checked as the location is found), the CORS preflight and permanent/temporal-redirect (rewrite
 * phase, in that order in the template), ssl-redirect (rewrite_by_lua, after them), rate limits
 * (preaccess), then access lists and basic auth (access). External auth is asynchronous and runs
 * after these. Compiled once per policy (policies are immutable, shared by an Ingress's routes).
 */
export const annotationSteps = compiledOnce(compile)

function compile(policy: IngressPolicy): AnnotationStep[] {
  const denial = policy.denied
  if (denial !== null) return [{source: 'location denied', run: () => answer(locationDenied(denial))}]
  const steps: AnnotationStep[] = []
  const basicAuth = policy.basicAuth
  if (basicAuth !== null) steps.push({source: `${A}auth-secret`, run: (_state, _req, ctx) => answer(basicAuthSecretProblem(basicAuth, ctx.secrets))})
  const limit = policy.bodySizeLimit
  steps.push({source: `${A}proxy-body-size`, run: (_state, req, ctx) => answer(checkDeclaredBodySize(limit ?? ctx.defaultBodySizeLimit, headerValue(req.headers, 'content-length')))})
  const cors = policy.cors
  if (cors !== null) steps.push({source: `${A}enable-cors`, run: (_state, req) => answer(corsPreflight(cors, req))})
  steps.push({source: `${A}permanent-redirect, temporal-redirect, ssl-redirect`, run: (_state, req, ctx) => answer(redirectFor(policy, req, ctx, ctx.locationPath))})
  const rps = policy.limitRps
  if (rps !== null) steps.push({source: `${A}limit-rps`, run: (_state, req, ctx) => (ctx.limiter.takeRequest(clientKey(ctx, req), rps) ? null : answer(rateLimited(policy.limitStatusCode, 'limit-rps')))})
  const connections = policy.limitConnections
  if (connections !== null) {
    steps.push({
      source: `${A}limit-connections`,
      run: (state, req, ctx) => {
        const key = clientKey(ctx, req)
        if (!ctx.limiter.takeConnection(key, connections)) return answer(rateLimited(policy.limitStatusCode, 'limit-connections'))
        holdRelease(state, () => ctx.limiter.releaseConnection(key))
        return null
      },
    })
  }
  if (policy.allowSourceRanges !== null || policy.denySourceRanges !== null) steps.push({source: `${A}whitelist-source-range, denylist-source-range`, run: (_state, req) => answer(checkSourceRanges(policy, req.remoteAddress))})
  if (basicAuth !== null) steps.push({source: `${A}auth-type`, run: (_state, req, ctx) => answer(checkBasicAuth(basicAuth, req, ctx.secrets))})
  return steps
}

function refused(reason: string): EarlyResponse {
  return textResponse(500, `500 Internal Server Error: ${reason}\n`, reason)
}

function clientKey(ctx: GateContext, req: RequestView): string {
  return `${ctx.ingressKey}|${req.remoteAddress}`
}

/**
 * What the location's rewrite phase answers by itself, in nginx.tmpl's order: a denied location's
 * `return 503`, the CORS preflight's `return 204`, then permanent/temporal-redirect's `return`, then ssl-redirect (rewrite_by_lua).
 */
export function rewritePhase(policy: IngressPolicy, req: RequestView, ctx: RedirectContext, locationPath: string): EarlyResponse | null {
  if (policy.denied !== null) return locationDenied(policy.denied)
  const preflight = policy.cors ? corsPreflight(policy.cors, req) : null
  return preflight ?? redirectFor(policy, req, ctx, locationPath)
}

/** Runs the Ingress's annotation steps: the answer of the first that stops the request, or what the passing ones hold. */
export function gate(policy: IngressPolicy, req: RequestView, ctx: GateContext): GateResult {
  const state = answerOnlyState(req.path)
  const stop = runSteps(annotationSteps(policy), state, req, ctx)
  if (stop !== null) return {early: stop.kind === 'answer' ? stop.early : refused(stop.reason), release: null}
  return state.release === null ? PASS : {early: null, release: state.release}
}
