import {useCanary} from '../../annotations/canary.js'
import {forwardSteps} from '../../annotations/forward-steps.js'
import {initialState, runSteps, UNCHANGED, type StepState} from '../../model/steps.js'
import {corsHeaders} from '../../annotations/cors.js'
import type {GateContext} from '../../annotations/gate.js'
import type {SecretLookup} from '../../annotations/auth.js'
import type {IngressPolicy} from '../../annotations/policy.js'
import type {RequestView} from '../../annotations/request-view.js'
import type {ResolvedBackend} from '../../backends/resolver.js'
import type {Snapshot} from '../../manifests/model.js'
import type {RuntimeState} from '../../runtime/state.js'
import {matchHasTls, servingRule, type MatchResult} from '../../routing/table.js'
import {pickMember, type Pick as EndpointPick} from './balance.js'
import type {ProxyContext} from '../context.js'
import type {UpstreamProtocol} from '../pools.js'

/**
 * What an Ingress's annotations decide for one request once it is let through: the upstream
 * protocol and timeouts, the body limit, the rewritten target, headers both ways. Built only on the
 * annotated path (Route.active); plain routes never allocate one.
 */
export class RequestPlan {
  readonly protocol: UpstreamProtocol
  readonly connectMs: number | null
  readonly headersMs: number
  readonly bodyMs: number
  readonly sendMs: number
  /** Bytes; 0: unlimited. */
  readonly bodyLimit: number
  /** The policy that chose the endpoint: the canary Ingress's when the canary serves (load-balance, hash-by, affinity). */
  balancing: IngressPolicy
  /** Upstream request target (path and query) when rewrite-target changed it. */
  target: string | null = null
  /** Frees the limit-connections slot. */
  release: (() => void) | null = null
  /** When the upstream attempt started (ewma). */
  sentAt = 0

  constructor(
    readonly policy: IngressPolicy,
    readonly view: RequestView,
    ctx: ProxyContext,
  ) {
    this.balancing = policy
    this.protocol = policy.backendProtocol
    this.connectMs = policy.connectTimeoutMs
    const t = ctx.timeouts
    // proxy-read-timeout is nginx's time between two reads: both the wait for the head and the silences in the body.
    this.headersMs = policy.readTimeoutMs ?? t.headersMs
    this.bodyMs = policy.readTimeoutMs ?? t.bodyMs
    this.sendMs = policy.sendTimeoutMs ?? t.sendMs
    this.bodyLimit = policy.bodySizeLimit ?? ctx.profile.defaultBodySizeLimit ?? 0
  }

  get ewma(): boolean {
    return this.balancing.loadBalance === 'ewma'
  }
}

const secretLookups = new WeakMap<Snapshot, SecretLookup>()

/** Loaded Secrets by namespace and name, indexed once per snapshot. */
export function secretsOf(snapshot: Snapshot): SecretLookup {
  let lookup = secretLookups.get(snapshot)
  if (!lookup) {
    const byKey = new Map(snapshot.secrets.map((s) => [`${s.meta.namespace}/${s.meta.name}`, s.data]))
    lookup = (namespace, name) => byKey.get(`${namespace}/${name}`)
    secretLookups.set(snapshot, lookup)
  }
  return lookup
}

export function gateContextFor(ctx: ProxyContext, state: RuntimeState, match: MatchResult, listenerPort: number): GateContext {
  const origin = servingRule(match)!.origin
  return {
    tls: matchHasTls(match),
    httpsPort: ctx.httpsPort,
    httpPort: listenerPort,
    limiter: ctx.limiter,
    secrets: secretsOf(state.snapshot),
    ingressKey: `${origin.namespace}/${origin.name}`,
    defaultBodySizeLimit: ctx.profile.defaultBodySizeLimit,
    locationPath: match.location?.name ?? match.path,
  }
}

/**
 * Where an annotated request goes: the canary's backend or the main one, then the endpoint by the
 * serving Ingress's balancing (affinity, upstream-hash-by, ewma, round robin).
 */
export function chooseUpstream(state: RuntimeState, match: MatchResult, plan: RequestPlan, main: ResolvedBackend): EndpointPick & {readonly backend: ResolvedBackend} {
  const backend = chooseBackend(state, match, plan.view, main, plan)
  return {backend, ...pickMember(backend, plan.balancing, plan.view, match.route?.path ?? '/', null)}
}

/** The canary Ingress's backend when its rules pick it and it has endpoints; else the main one. */
function chooseBackend(state: RuntimeState, match: MatchResult, view: RequestView, main: ResolvedBackend, plan: RequestPlan): ResolvedBackend {
  const route = match.route
  if (route === null || route.canary === null || !useCanary(route.canary.rule, view)) return main
  const canary = state.backends.forCanary(route.id)
  if (canary === undefined || canary.balancer.members.length === 0) return main
  plan.balancing = route.canary.policy
  return canary
}

/**
 * Runs the Ingress's forwarding steps (src/annotations/forward-steps.ts) once the request is let
 * through: the rewritten target, the upstream header edits, and the response head's edits, the
 * affinity cookie of a new session last.
 */
export function forwardStepsRun(plan: RequestPlan, match: MatchResult, authHeaders: Readonly<Record<string, string>> | null, cookie: string | null): Readonly<StepState> {
  const steps = forwardSteps(plan.policy)
  if (steps.length === 0 && cookie === null) return UNCHANGED
  const state = initialState(plan.view.path)
  runSteps(steps, state, plan.view, {match, authHeaders})
  if (cookie !== null) state.responseHeaders.push({set: [], add: [['set-cookie', cookie]], remove: []})
  return state
}

/** The CORS headers for this request as a flat list, or null (no CORS, or an origin it does not allow). */
function corsList(policy: IngressPolicy, view: RequestView): string[] | null {
  if (policy.cors === null) return null
  const cors = corsHeaders(policy.cors, view)
  let out: string[] | null = null
  for (const name in cors) (out ??= []).push(name, cors[name]!)
  return out
}

/**
 * CORS headers for kingress's own answers (error pages, 401/403/413/503, redirects) on a CORS-enabled
 * Ingress, so a browser script can read why its request failed, as ingress-nginx adds them to error
 * responses too. Null when the Ingress has no CORS or the answer already carries them (preflight).
 */
export function corsForOwnAnswer(plan: RequestPlan | null, already: Readonly<Record<string, string>> | null = null): string[] | null {
  if (plan === null) return null
  if (already !== null && 'access-control-allow-origin' in already) return null
  return corsList(plan.policy, plan.view)
}
