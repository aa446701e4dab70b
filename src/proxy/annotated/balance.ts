import {affinityCookie, affinityToken} from '../../annotations/affinity.js'
import {evaluateHashKey, pickByHash} from '../../annotations/hash-by.js'
import type {IngressPolicy} from '../../annotations/policy.js'
import {cookieValue, type RequestView} from '../../annotations/request-view.js'
import type {ResolvedBackend, ResolvedEndpoint} from '../../backends/resolver.js'
import {ewmaScore} from './ewma.js'

export interface Pick {
  readonly member: ResolvedEndpoint | null
  /** Set-Cookie for a new affinity session, or null. */
  readonly cookie: string | null
}

const tokens = new WeakMap<ResolvedEndpoint, string>()

function tokenOf(member: ResolvedEndpoint): string {
  let token = tokens.get(member)
  if (token === undefined) {
    token = affinityToken(member.endpoint.id)
    tokens.set(member, token)
  }
  return token
}

/** Members that may take a request now: not already tried, not ejected. */
function available(backend: ResolvedBackend, tried: readonly ResolvedEndpoint[] | null, now: number): ResolvedEndpoint[] {
  return backend.balancer.members.filter((m) => (tried === null || !tried.includes(m)) && (m.health.failures === 0 || now >= m.health.ejectedUntil))
}

/**
 * The endpoint for a request, as ingress-nginx chooses it for the Ingress's policy: the affinity
 * cookie's endpoint (a new session gets a cookie), else the upstream-hash-by key's, else ewma's
 * (power of two choices on decayed latency), else round robin. Retries (`tried`) skip affinity.
 */
export function pickMember(backend: ResolvedBackend, policy: IngressPolicy, req: RequestView, routePath: string, tried: readonly ResolvedEndpoint[] | null): Pick {
  const now = Date.now()
  const affinity = policy.affinity
  if (affinity !== null && tried === null) {
    const token = cookieValue(req.headers, affinity.cookieName)
    if (token !== undefined) {
      const sticky = available(backend, null, now).find((m) => tokenOf(m) === token)
      if (sticky) return {member: sticky, cookie: null}
    }
  }
  let member: ResolvedEndpoint | null
  if (policy.upstreamHashBy !== null) {
    const candidates = available(backend, tried, now).map((m) => ({id: m.endpoint.id, m}))
    member = pickByHash(evaluateHashKey(policy.upstreamHashBy, req), candidates)?.m ?? backend.balancer.pick(tried)
  } else if (policy.loadBalance === 'ewma') {
    member = pickEwma(available(backend, tried, now), now) ?? backend.balancer.pick(tried)
  } else {
    member = backend.balancer.pick(tried)
  }
  const cookie = affinity !== null && member !== null ? affinityCookie(affinity, member.endpoint.id, routePath) : null
  return {member, cookie}
}

function pickEwma(members: readonly ResolvedEndpoint[], now: number): ResolvedEndpoint | null {
  if (members.length === 0) return null
  if (members.length === 1) return members[0]!
  const i = Math.floor(Math.random() * members.length)
  let j = Math.floor(Math.random() * (members.length - 1))
  if (j >= i) j++
  const a = members[i]!
  const b = members[j]!
  return ewmaScore(b.health, now) < ewmaScore(a.health, now) ? b : a
}
