import type {HTTPRouteFilter, HTTPRouteMatch, Listener, Snapshot} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {normalizeHost, normalizePath} from '../routing/normalize.js'
import {backendProblem} from './references.js'
import type {Candidate, GatewayTable, ListenerRoutes} from './route-table.js'

export interface GatewayRequest {
  readonly scheme: 'http' | 'https'
  readonly port: number
  /** The Host header as sent (a port in it is ignored). */
  readonly host: string
  readonly method: string
  /** The path as sent, without the query. */
  readonly path: string
  /** `?a=b` or ''. */
  readonly query: string
  readonly headers: Readonly<Record<string, string>>
}

export interface GatewayBackend {
  readonly namespace: string
  readonly name: string
  readonly port: number | null
  readonly weight: number
  /** Why a controller sends this share 500 (InvalidKind, RefNotPermitted), or null. */
  readonly problem: string | null
}

/** One RequestHeaderModifier / ResponseHeaderModifier, as written: set, then add, then remove (httproute_types.go HTTPHeaderFilter). */
export interface HeaderEdit {
  readonly set: readonly (readonly [string, string])[]
  readonly add: readonly (readonly [string, string])[]
  /** Lower-case names. */
  readonly remove: readonly string[]
}

export interface GatewayAnswer {
  /** 200 forwarded, 30x redirected, 400, 404 nothing matched, 500 an invalid backend or filter. */
  readonly status: number
  /**
   * The chosen listener has a route whose hostname takes the request's host: the Gateway answers.
   * False when no listener of the port takes the host, or its routes name other hosts.
   */
  readonly claimed: boolean
  /** The rule's RequestHeaderModifier filters, in order; applied to the upstream request. */
  readonly requestHeaders: readonly HeaderEdit[]
  /** The rule's ResponseHeaderModifier filters, in order; applied to the response the client gets. */
  readonly responseHeaders: readonly HeaderEdit[]
  /**
   * The rule's timeouts.request / backendRequest in ms (the shorter one; 0: disabled, "0s"); null
   * when the rule sets none. The proxy applies it to the wait for the response head.
   */
  readonly timeoutMs: number | null
  readonly location: string | null
  readonly backends: readonly GatewayBackend[]
  /** The request target the backend receives, after URLRewrite. */
  readonly upstreamTarget: string | null
  readonly upstreamHost: string | null
  /** `namespace/name` of the HTTPRoute, and which rule and match answered. */
  readonly route: string | null
  readonly rule: number | null
  readonly match: number | null
  readonly listener: string | null
  /** The answering match's Candidate id (negative; see route-table.ts), or null. */
  readonly routeId: number | null
  readonly reason: string
}

const NONE = {routeId: null, location: null, backends: [], upstreamTarget: null, upstreamHost: null, route: null, rule: null, match: null, claimed: true, requestHeaders: [], responseHeaders: [], timeoutMs: null} as const

/**
 * What a conformant implementation answers (apis/v1/httproute_types.go): the listener of the port
 * whose hostname is the most specific match, then across its routes' rules the match with the most
 * specific hostname, then an Exact path, the longest PathPrefix, a method, most headers, most query
 * parameters, then the oldest route, namespace/name, rule and match order. Filters run in order.
 * RegularExpression paths rank after PathPrefix ones (their precedence is implementation-specific).
 */
export function evaluateGateway(table: GatewayTable, snapshot: Snapshot, req: GatewayRequest, gateway?: string): GatewayAnswer | null {
  const host = normalizeHost(req.host)
  const listeners = listenersFor(table, req, gateway)
  if (listeners.length === 0) return null
  const chosen = bestListener(listeners, host)
  if (chosen === null) return {...NONE, claimed: false, status: 404, listener: null, reason: `no listener on port ${req.port} takes host ${host}`}
  const listenerName = `${objectKey(chosen.gateway.meta)}/${chosen.listener.name}`
  const claimed = chosen.candidates.some((c) => hostnameMatches(c.hostname, host))
  const path = normalizePath(req.path)
  if (path === null) return {...NONE, claimed, status: 400, listener: listenerName, reason: 'the path climbs above the root'}
  const query = parseQuery(req.query)
  const headers = lowerKeys(req.headers)
  let best: Candidate | null = null
  for (const candidate of chosen.candidates) {
    if (!hostnameMatches(candidate.hostname, host) || !matches(candidate, path, req.method, headers, query)) continue
    if (best === null || precedes(candidate, best)) best = candidate
  }
  if (best === null) return {...NONE, claimed, status: 404, listener: listenerName, reason: claimed ? 'no rule of the routes attached to the listener matches' : `no route attached to the listener is for host ${host}`}
  return answerFor(best, snapshot, req, path, listenerName, chosen.listener)
}

/** The accepted listeners of the request's port and protocol (of one Gateway when given). */
export function listenersFor(table: GatewayTable, req: Pick<GatewayRequest, 'port' | 'scheme'>, gateway?: string): ListenerRoutes[] {
  return table.listeners.filter((l) => l.listener.port === req.port && l.listener.protocol === (req.scheme === 'https' ? 'HTTPS' : 'HTTP') && (gateway === undefined || objectKey(l.gateway.meta) === gateway))
}

export function bestListener(listeners: readonly ListenerRoutes[], host: string): ListenerRoutes | null {
  let best: ListenerRoutes | null = null
  let bestScore = -1
  for (const l of listeners) {
    const score = listenerScore(l, host)
    if (score > bestScore) {
      best = l
      bestScore = score
    }
  }
  return bestScore < 0 ? null : best
}

/**
 * Exact hostname beats a wildcard, a longer wildcard beats a shorter one, any host comes last; -1:
 * no match. Each Gateway has an address of its own; without one given, a listener with a route for
 * the host beats one without.
 */
function listenerScore(l: ListenerRoutes, host: string): number {
  const hostname = l.listener.hostname
  const score = hostname === null ? 0 : hostname === host ? 100_000 : hostnameMatches(hostname, host) ? hostname.length : -1
  if (score < 0) return -1
  return l.candidates.some((c) => hostnameMatches(c.hostname, host)) ? score + 1_000_000 : score
}

export function hostnameMatches(hostname: string, host: string): boolean {
  if (hostname === '*' || hostname === host) return true
  if (!hostname.startsWith('*.')) return false
  const suffix = hostname.slice(1)
  return host.endsWith(suffix) && host.length > suffix.length
}

export function matches(c: Candidate, path: string, method: string, headers: Readonly<Record<string, string>>, query: ReadonlyMap<string, string>): boolean {
  const m = c.match
  if (!pathMatches(c, m, path)) return false
  if (m.method !== null && m.method !== method) return false
  for (const h of m.headers) {
    const value = headers[h.name.toLowerCase()]
    if (value === undefined || !valueMatches(h.type, h.value, value)) return false
  }
  for (const q of m.queryParams) {
    const value = query.get(q.name)
    if (value === undefined || !valueMatches(q.type, q.value, value)) return false
  }
  return true
}

function pathMatches(c: Candidate, m: HTTPRouteMatch, path: string): boolean {
  switch (m.path.type) {
    case 'Exact':
      return path === m.path.value
    case 'PathPrefix': {
      const prefix = trimSlash(m.path.value)
      return prefix === '' || path === prefix || path.startsWith(prefix + '/')
    }
    case 'RegularExpression':
      return c.pathRegex!.test(path)
  }
}

function valueMatches(type: 'Exact' | 'RegularExpression', expected: string, actual: string): boolean {
  if (type === 'Exact') return actual === expected
  try {
    return new RegExp(`^(?:${expected})$`).test(actual)
  } catch {
    return false
  }
}

/** Is `a` before `b` in the Gateway API's precedence? */
export function precedes(a: Candidate, b: Candidate): boolean {
  const order = compareHostname(a.hostname, b.hostname) || comparePath(a.match, b.match) || Number(b.match.method !== null) - Number(a.match.method !== null) || b.match.headers.length - a.match.headers.length || b.match.queryParams.length - a.match.queryParams.length || compareAge(a, b) || a.ruleIndex - b.ruleIndex || a.matchIndex - b.matchIndex
  return order < 0
}

function compareHostname(a: string, b: string): number {
  const exact = (h: string) => (h.startsWith('*') ? 0 : h.length)
  return exact(b) - exact(a) || b.length - a.length
}

const PATH_RANK = {Exact: 0, PathPrefix: 1, RegularExpression: 2} as const

function comparePath(a: HTTPRouteMatch, b: HTTPRouteMatch): number {
  return PATH_RANK[a.path.type] - PATH_RANK[b.path.type] || trimSlash(b.path.value).length - trimSlash(a.path.value).length
}

function compareAge(a: Candidate, b: Candidate): number {
  const ta = a.route.meta.creationTimestamp
  const tb = b.route.meta.creationTimestamp
  if (ta !== tb) {
    if (ta === null) return 1
    if (tb === null) return -1
    return Date.parse(ta) - Date.parse(tb)
  }
  const ka = objectKey(a.route.meta)
  const kb = objectKey(b.route.meta)
  return ka < kb ? -1 : ka > kb ? 1 : 0
}

function answerFor(c: Candidate, snapshot: Snapshot, req: GatewayRequest, path: string, listenerName: string, listener: Listener): GatewayAnswer {
  const where = {route: objectKey(c.route.meta), rule: c.ruleIndex, match: c.matchIndex, listener: listenerName, routeId: c.id}
  let target = path
  let host: string | null = null
  const requestHeaders: HeaderEdit[] = []
  const responseHeaders: HeaderEdit[] = []
  for (const filter of c.rule.filters) {
    switch (filter.type) {
      case 'RequestRedirect':
        return {...NONE, ...where, ...redirectOf(filter, c, req, path, listener)}
      case 'URLRewrite': {
        const rewrite = filter.config
        if (typeof rewrite.hostname === 'string') host = rewrite.hostname
        target = modifiedPath(rewrite.path, c.match, target)
        break
      }
      case 'RequestHeaderModifier':
        requestHeaders.push(headerEditOf(filter.config))
        break
      case 'ResponseHeaderModifier':
        responseHeaders.push(headerEditOf(filter.config))
        break
      case 'RequestMirror':
      case 'CORS':
        break
      case 'ExtensionRef':
        return {...NONE, ...where, status: 500, reason: 'an ExtensionRef filter kingress does not support: a conformant implementation answers 500 rather than skip it'}
    }
  }
  const backends = c.rule.backendRefs.filter((b) => b.weight > 0).map((ref): GatewayBackend => {
    const problem = backendProblem(snapshot, c.route.meta.namespace, ref)
    // A Service that is not loaded is still a route to it: diff compares routing, not endpoints.
    return {namespace: ref.namespace ?? c.route.meta.namespace, name: ref.name, port: ref.port, weight: ref.weight, problem: problem === null || problem.reason === 'BackendNotFound' ? null : problem.message}
  })
  if (backends.length === 0) return {...NONE, ...where, status: 500, reason: 'the rule has no backendRef with weight: a conformant implementation answers 500'}
  if (backends.every((b) => b.problem !== null)) return {...NONE, ...where, backends, status: 500, reason: backends[0]!.problem!}
  return {...NONE, ...where, status: 200, backends, upstreamTarget: target + req.query, upstreamHost: host, requestHeaders, responseHeaders, timeoutMs: timeoutOf(c.rule.timeouts), reason: 'forwarded'}
}

function timeoutOf(timeouts: {readonly request: string | null; readonly backendRequest: string | null}): number | null {
  const set = [durationMs(timeouts.request), durationMs(timeouts.backendRequest)].filter((ms): ms is number => ms !== null)
  const enabled = set.filter((ms) => ms > 0)
  if (enabled.length > 0) return Math.min(...enabled)
  return set.length > 0 ? 0 : null
}

const DURATION_PART = /(\d+)(ms|h|m|s)/g

/** A Gateway API Duration (`1h`, `500ms`, `1m30s`: GEP-2257); null when absent or not one. */
export function durationMs(text: string | null): number | null {
  if (text === null || !/^(\d{1,5}(h|m|s|ms)){1,4}$/.test(text)) return null
  let ms = 0
  for (const [, n, unit] of text.matchAll(DURATION_PART)) ms += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1)
  return ms
}

function headerEditOf(config: Readonly<Record<string, unknown>>): HeaderEdit {
  const pairs = (list: unknown): [string, string][] => (Array.isArray(list) ? list.filter((h): h is {name: string; value: unknown} => typeof h === 'object' && h !== null && typeof (h as {name?: unknown}).name === 'string').map((h) => [h.name, String(h.value ?? '')]) : [])
  const remove = Array.isArray(config.remove) ? config.remove.filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase()) : []
  return {set: pairs(config.set), add: pairs(config.add), remove}
}

function redirectOf(filter: HTTPRouteFilter, c: Candidate, req: GatewayRequest, path: string, listener: Listener): Pick<GatewayAnswer, 'status' | 'location' | 'reason'> {
  const r = filter.config
  const scheme = typeof r.scheme === 'string' ? r.scheme : req.scheme
  const hostname = typeof r.hostname === 'string' ? r.hostname : normalizeHost(req.host)
  // httproute_types.go HTTPRequestRedirectFilter.Port: the scheme's well-known port when the scheme changes, else the listener's; a well-known port is left out.
  const port = typeof r.port === 'number' ? r.port : typeof r.scheme === 'string' ? (scheme === 'https' ? 443 : 80) : listener.port
  const wellKnown = (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80)
  const status = typeof r.statusCode === 'number' ? r.statusCode : 302
  const newPath = modifiedPath(r.path, c.match, path)
  return {status, location: `${scheme}://${hostname}${wellKnown ? '' : `:${port}`}${newPath}${req.query}`, reason: 'RequestRedirect'}
}

/** ReplaceFullPath, or ReplacePrefixMatch of the matched PathPrefix (element-wise, as the match). */
function modifiedPath(modifier: unknown, match: HTTPRouteMatch, path: string): string {
  if (typeof modifier !== 'object' || modifier === null) return path
  const m = modifier as {type?: unknown; replaceFullPath?: unknown; replacePrefixMatch?: unknown}
  if (m.type === 'ReplaceFullPath' && typeof m.replaceFullPath === 'string') return m.replaceFullPath
  if (m.type === 'ReplacePrefixMatch' && typeof m.replacePrefixMatch === 'string' && match.path.type === 'PathPrefix') {
    const rest = path.slice(trimSlash(match.path.value).length)
    const replacement = trimSlash(m.replacePrefixMatch)
    const joined = replacement + rest
    return joined === '' ? '/' : joined.startsWith('/') ? joined : '/' + joined
  }
  return path
}

function trimSlash(value: string): string {
  return value.endsWith('/') ? value.replace(/\/+$/, '') : value
}

export function parseQuery(query: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (query.startsWith('?') ? query.slice(1) : query).split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    const name = decodeURIComponentSafe(eq === -1 ? part : part.slice(0, eq))
    if (!out.has(name)) out.set(name, decodeURIComponentSafe(eq === -1 ? '' : part.slice(eq + 1)))
  }
  return out
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

export function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}
