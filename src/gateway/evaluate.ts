import type {HTTPRouteMatch, HTTPValueMatch, Listener, Snapshot} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {headerFields} from '../annotations/request-view.js'
import {normalizeHost, normalizePath} from '../routing/normalize.js'
import type {CorsPolicy} from './cors.js'
import type {RequestView} from '../annotations/request-view.js'
import {copyState, initialState, runSteps, type StepStop} from '../model/steps.js'
import {trimSlash, type GatewayMirror, type HeaderEdit} from './filters.js'
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
  /** As Node parses them (lower-case names) or as written (`diff`, `explain`): any case, a repeated header as a list. */
  readonly headers: RequestHeaders
}

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>

export type {GatewayMirror, HeaderEdit} from './filters.js'

export interface GatewayBackend {
  readonly namespace: string
  readonly name: string
  readonly port: number | null
  readonly weight: number
  /** Why a controller sends this share 500 (InvalidKind, RefNotPermitted, a filter kingress cannot run), or null. */
  readonly problem: string | null
  /**
   * The Service is not in the manifests (ResolvedRefs BackendNotFound): still a route, since an
   * endpoint provider (--backend, Docker) may serve it; the proxy answers 500 when none does.
   */
  readonly notFound: string | null
  /** The rule's filters, then this backendRef's own: what a request sent to this backend gets. */
  readonly redirect: {readonly status: number; readonly location: string} | null
  readonly upstreamTarget: string
  readonly upstreamHost: string | null
  readonly requestHeaders: readonly HeaderEdit[]
  readonly responseHeaders: readonly HeaderEdit[]
  readonly mirrors: readonly GatewayMirror[]
  readonly cors: CorsPolicy | null
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
  /** The rule's RequestMirror filters (whose backendRef resolves). */
  readonly mirrors: readonly GatewayMirror[]
  /** The rule's CORS filter. */
  readonly cors: CorsPolicy | null
  /**
   * Each attempt's wait for the response head, in ms: the rule's timeouts.backendRequest (0:
   * disabled, "0s"); null when the rule sets none (kingress's read timeout).
   */
  readonly timeoutMs: number | null
  /** timeouts.request in ms: the whole exchange, body streaming included (0: disabled); null: none. */
  readonly requestMs: number | null
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

const NONE = {routeId: null, location: null, backends: [], upstreamTarget: null, upstreamHost: null, route: null, rule: null, match: null, claimed: true, requestHeaders: [], responseHeaders: [], mirrors: [], cors: null, timeoutMs: null, requestMs: null} as const

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
  const fields = new RequestFields(req)
  let best: Candidate | null = null
  for (const candidate of chosen.candidates) {
    if (!hostnameMatches(candidate.hostname, host) || !matches(candidate, path, req.method, fields)) continue
    if (best === null || precedes(candidate, best)) best = candidate
  }
  if (best === null) return {...NONE, claimed, status: 404, listener: listenerName, reason: claimed ? 'no rule of the routes attached to the listener matches' : `no route attached to the listener is for host ${host}`}
  return answerFor(best, snapshot, req, host, path, listenerName)
}

/** The accepted listeners of the request's port and protocol (of one Gateway when given). */
export function listenersFor(table: GatewayTable, req: Pick<GatewayRequest, 'port' | 'scheme'>, gateway?: string): readonly ListenerRoutes[] {
  const index = byPortOf(table)
  const listeners = (req.scheme === 'https' ? index.https : index.http).get(req.port) ?? NO_LISTENERS
  return gateway === undefined ? listeners : listeners.filter((l) => objectKey(l.gateway.meta) === gateway)
}

interface PortIndex {
  readonly http: ReadonlyMap<number, readonly ListenerRoutes[]>
  readonly https: ReadonlyMap<number, readonly ListenerRoutes[]>
}

const NO_LISTENERS: readonly ListenerRoutes[] = []
const byPort = new WeakMap<GatewayTable, PortIndex>()

/** The table's HTTP and HTTPS listeners by port, indexed once per table (tables are immutable). */
function byPortOf(table: GatewayTable): PortIndex {
  let index = byPort.get(table)
  if (index === undefined) {
    const http = new Map<number, ListenerRoutes[]>()
    const https = new Map<number, ListenerRoutes[]>()
    for (const l of table.listeners) {
      const map = l.listener.protocol === 'HTTPS' ? https : l.listener.protocol === 'HTTP' ? http : null
      if (map !== null) map.set(l.listener.port, [...(map.get(l.listener.port) ?? []), l])
    }
    index = {http, https}
    byPort.set(table, index)
  }
  return index
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

/**
 * The request's headers (by lower-case name) and query parameters, each built on first use: most
 * matches test the path alone, and a request then pays for neither copy.
 */
export class RequestFields {
  private lowered: Readonly<Record<string, string>> | null = null
  private parsed: Map<string, string> | null = null

  constructor(private readonly req: Pick<GatewayRequest, 'headers' | 'query'>) {}

  get headers(): Readonly<Record<string, string>> {
    return (this.lowered ??= headerFields(this.req.headers))
  }

  get query(): ReadonlyMap<string, string> {
    return (this.parsed ??= parseQuery(this.req.query))
  }
}

export function matches(c: Candidate, path: string, method: string, fields: RequestFields): boolean {
  const m = c.match
  if (!pathMatches(c, m, path)) return false
  if (m.method !== null && m.method !== method) return false
  if (m.headers.length !== 0) {
    const headers = fields.headers
    for (let i = 0; i < m.headers.length; i++) {
      const key = c.headerKeys[i]!
      // Own keys only: a header match named `constructor` must not find Object.prototype's.
      const value = Object.hasOwn(headers, key) ? headers[key] : undefined
      if (value === undefined || !valueMatches(m.headers[i]!, value)) return false
    }
  }
  if (m.queryParams.length !== 0) {
    const query = fields.query
    for (const q of m.queryParams) {
      const value = query.get(q.name)
      if (value === undefined || !valueMatches(q, value)) return false
    }
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

/** A RegularExpression header or query match, compiled once per match object (the table is immutable). */
const valueRegexes = new WeakMap<HTTPValueMatch, RegExp>()

function valueMatches(match: HTTPValueMatch, actual: string): boolean {
  if (match.type === 'Exact') return actual === match.value
  let regex = valueRegexes.get(match)
  if (regex === undefined) {
    try {
      regex = new RegExp(`^(?:${match.value})$`)
    } catch {
      // An expression JavaScript cannot compile matches nothing (as fullMatchRegex does for paths).
      regex = /(?!)/
    }
    valueRegexes.set(match, regex)
  }
  return regex.test(actual)
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

function answerFor(c: Candidate, snapshot: Snapshot, req: GatewayRequest, host: string, path: string, listenerName: string): GatewayAnswer {
  const where = {route: objectKey(c.route.meta), rule: c.ruleIndex, match: c.matchIndex, listener: listenerName, routeId: c.id}
  const view: RequestView = {method: req.method, scheme: req.scheme, host, path, query: req.query, headers: req.headers, remoteAddress: ''}
  const state = initialState(path)
  const stop = runSteps(c.steps, state, view, null)
  if (stop !== null) return {...NONE, ...where, ...stopped(stop)}
  const backends: GatewayBackend[] = []
  c.rule.backendRefs.forEach((ref, i) => {
    if (ref.weight <= 0) return
    const problem = backendProblem(snapshot, c.route.meta.namespace, ref)
    // The backendRef's own filters run after the rule's, on a copy of what the rule's made.
    const ownSteps = c.backendSteps[i]!
    const own = ownSteps.length === 0 ? state : copyState(state)
    const ownStop = ownSteps.length === 0 ? null : runSteps(ownSteps, own, view, null)
    // A Service that is not loaded is still a route to it: diff compares routing, not endpoints.
    const refProblem = problem === null || problem.reason === 'BackendNotFound' ? null : problem.message
    backends.push({
      namespace: ref.namespace ?? c.route.meta.namespace,
      name: ref.name,
      port: ref.port,
      weight: ref.weight,
      problem: refProblem ?? (ownStop?.kind === 'refuse' ? ownStop.reason : null),
      notFound: problem !== null && problem.reason === 'BackendNotFound' ? problem.message : null,
      redirect: ownStop?.kind === 'answer' ? {status: ownStop.early.status, location: ownStop.early.headers['location'] ?? ''} : null,
      upstreamTarget: own.path + req.query,
      upstreamHost: own.host,
      requestHeaders: own.requestHeaders,
      responseHeaders: own.responseHeaders,
      mirrors: own.mirrors,
      cors: own.cors,
    })
  })
  if (backends.length === 0) return {...NONE, ...where, status: 500, reason: 'the rule has no backendRef with weight: a conformant implementation answers 500'}
  if (backends.every((b) => b.problem !== null)) return {...NONE, ...where, backends, status: 500, reason: backends[0]!.problem!}
  const timeouts = timeoutsOf(c.rule.timeouts)
  return {...NONE, ...where, status: 200, backends, upstreamTarget: state.path + req.query, upstreamHost: state.host, requestHeaders: state.requestHeaders, responseHeaders: state.responseHeaders, mirrors: state.mirrors, cors: state.cors, ...timeouts, reason: 'forwarded'}
}

/** A rule's step that stopped the request: its redirect (RequestRedirect), or 500 for a filter kingress cannot run. */
function stopped(stop: StepStop): {status: number; location: string | null; reason: string} {
  if (stop.kind === 'refuse') return {status: 500, location: null, reason: stop.reason}
  return {status: stop.early.status, location: stop.early.headers['location'] ?? null, reason: stop.early.reason}
}

/**
 * httproute_types.go HTTPRouteTimeouts: `request` bounds the whole exchange with the client,
 * `backendRequest` each attempt to a backend (the proxy's wait for the response head). "0s"
 * disables one; an absent field leaves kingress's own timeouts.
 */
function timeoutsOf(timeouts: {readonly request: string | null; readonly backendRequest: string | null}): {timeoutMs: number | null; requestMs: number | null} {
  const request = durationMs(timeouts.request)
  const backend = durationMs(timeouts.backendRequest)
  return {timeoutMs: backend, requestMs: request}
}

const DURATION_PART = /(\d+)(ms|h|m|s)/g

/** A Gateway API Duration (`1h`, `500ms`, `1m30s`: GEP-2257); null when absent or not one. */
export function durationMs(text: string | null): number | null {
  if (text === null || !/^(\d{1,5}(h|m|s|ms)){1,4}$/.test(text)) return null
  let ms = 0
  for (const [, n, unit] of text.matchAll(DURATION_PART)) ms += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1)
  return ms
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

const ENCODED = /[%+]/

function decodeURIComponentSafe(text: string): string {
  if (!ENCODED.test(text)) return text
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

