import type {HTTPRouteFilter, HTTPRouteMatch, Listener, Snapshot} from '../manifests/model.js'
import {normalizeHost} from '../routing/normalize.js'
import {corsPolicyOf, type CorsPolicy} from './cors.js'
import {backendProblem} from './references.js'

/**
 * The HTTPRoute filters of a rule, then of the chosen backendRef, run in the order written
 * (apis/v1/httproute_types.go HTTPRouteFilter): pure, from the filters and the request to what the
 * proxy does. Every filter type is either applied or answered 500, never skipped.
 */

/** One RequestHeaderModifier / ResponseHeaderModifier, as written: set, then add, then remove (httproute_types.go HTTPHeaderFilter). */
export interface HeaderEdit {
  readonly set: readonly (readonly [string, string])[]
  readonly add: readonly (readonly [string, string])[]
  /** Lower-case names. */
  readonly remove: readonly string[]
}

/** A RequestMirror: the request as it stands when the filter runs, copied to another backend. */
export interface GatewayMirror {
  readonly namespace: string
  readonly name: string
  readonly port: number | null
  /** The share of requests mirrored: numerator / denominator (percent: n / 100; neither: all). */
  readonly numerator: number
  readonly denominator: number
  /** The target (with the query) and Host the mirror receives. */
  readonly target: string
  readonly host: string | null
  /** The request header filters that ran before this one. */
  readonly requestHeaders: readonly HeaderEdit[]
}

/** The request after some filters: what goes upstream, and what comes back. */
export interface FilterState {
  /** The request target without the query. */
  path: string
  host: string | null
  requestHeaders: HeaderEdit[]
  responseHeaders: HeaderEdit[]
  mirrors: GatewayMirror[]
  cors: CorsPolicy | null
}

export interface FilterRequest {
  readonly scheme: 'http' | 'https'
  readonly host: string
  readonly query: string
}

export type FilterStop =
  | {readonly kind: 'redirect'; readonly status: number; readonly location: string}
  /** A filter kingress cannot run: the request is answered 500 (the spec: a filter is never skipped). */
  | {readonly kind: 'unsupported'; readonly reason: string}

export interface FilterContext {
  readonly snapshot: Snapshot
  readonly routeNamespace: string
  readonly match: HTTPRouteMatch
  readonly listener: Listener
  readonly request: FilterRequest
  /** `backendRef` filters: where the message says they were. */
  readonly where: 'rule' | 'backendRef'
}

export function initialState(path: string): FilterState {
  return {path, host: null, requestHeaders: [], responseHeaders: [], mirrors: [], cors: null}
}

export function copyState(s: FilterState): FilterState {
  return {path: s.path, host: s.host, requestHeaders: [...s.requestHeaders], responseHeaders: [...s.responseHeaders], mirrors: [...s.mirrors], cors: s.cors}
}

/** Runs `filters` on `state` (changed in place); a redirect or an unsupported filter stops the request. */
export function runFilters(filters: readonly HTTPRouteFilter[], state: FilterState, ctx: FilterContext): FilterStop | null {
  for (const filter of filters) {
    switch (filter.type) {
      case 'RequestRedirect':
        return redirectOf(filter, ctx, state.path)
      case 'URLRewrite': {
        const rewrite = filter.config
        if (typeof rewrite.hostname === 'string') state.host = rewrite.hostname
        state.path = modifiedPath(rewrite.path, ctx.match, state.path)
        break
      }
      case 'RequestHeaderModifier':
        state.requestHeaders.push(headerEditOf(filter.config))
        break
      case 'ResponseHeaderModifier':
        state.responseHeaders.push(headerEditOf(filter.config))
        break
      case 'RequestMirror': {
        const mirror = mirrorOf(filter, state, ctx)
        if (mirror !== null) state.mirrors.push(mirror)
        break
      }
      case 'CORS':
        state.cors = corsPolicyOf(filter.config)
        break
      case 'ExtensionRef': {
        const ref = filter.config
        return {kind: 'unsupported', reason: `the ${ctx.where === 'rule' ? '' : 'backendRef '}ExtensionRef filter ${String(ref.kind ?? '')} ${String(ref.name ?? '')} is one kingress does not run: a conformant implementation answers 500 rather than skip it`}
      }
    }
  }
  return null
}

/**
 * Null when the mirror's backendRef is invalid (a kind that is not a Service, a missing ReferenceGrant):
 * nothing to copy to, and status reports its ResolvedRefs. A Service that is not loaded is still
 * tried: an endpoint provider may serve it.
 */
function mirrorOf(filter: HTTPRouteFilter, state: FilterState, ctx: FilterContext): GatewayMirror | null {
  const ref = filter.mirrorBackendRef
  const problem = ref === null ? null : backendProblem(ctx.snapshot, ctx.routeNamespace, ref)
  if (ref === null || (problem !== null && problem.reason !== 'BackendNotFound')) return null
  const config = filter.config
  let numerator = 1
  let denominator = 1
  if (typeof config.percent === 'number') {
    numerator = config.percent
    denominator = 100
  } else if (typeof config.fraction === 'object' && config.fraction !== null) {
    const fraction = config.fraction as {numerator?: unknown; denominator?: unknown}
    numerator = typeof fraction.numerator === 'number' ? fraction.numerator : 0
    denominator = typeof fraction.denominator === 'number' && fraction.denominator > 0 ? fraction.denominator : 100
  }
  return {namespace: ref.namespace ?? ctx.routeNamespace, name: ref.name, port: ref.port, numerator, denominator, target: state.path + ctx.request.query, host: state.host, requestHeaders: [...state.requestHeaders]}
}

export function headerEditOf(config: Readonly<Record<string, unknown>>): HeaderEdit {
  const pairs = (list: unknown): [string, string][] => (Array.isArray(list) ? list.filter((h): h is {name: string; value: unknown} => typeof h === 'object' && h !== null && typeof (h as {name?: unknown}).name === 'string').map((h) => [h.name, String(h.value ?? '')]) : [])
  const remove = Array.isArray(config.remove) ? config.remove.filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase()) : []
  return {set: pairs(config.set), add: pairs(config.add), remove}
}

function redirectOf(filter: HTTPRouteFilter, ctx: FilterContext, path: string): FilterStop {
  const r = filter.config
  const req = ctx.request
  const scheme = typeof r.scheme === 'string' ? r.scheme : req.scheme
  const hostname = typeof r.hostname === 'string' ? r.hostname : normalizeHost(req.host)
  // httproute_types.go HTTPRequestRedirectFilter.Port: the scheme's well-known port when the scheme changes, else the listener's; a well-known port is left out.
  const port = typeof r.port === 'number' ? r.port : typeof r.scheme === 'string' ? (scheme === 'https' ? 443 : 80) : ctx.listener.port
  const wellKnown = (scheme === 'https' && port === 443) || (scheme === 'http' && port === 80)
  const status = typeof r.statusCode === 'number' ? r.statusCode : 302
  const newPath = modifiedPath(r.path, ctx.match, path)
  return {kind: 'redirect', status, location: `${scheme}://${hostname}${wellKnown ? '' : `:${port}`}${newPath}${req.query}`}
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

export function trimSlash(value: string): string {
  return value.endsWith('/') ? value.replace(/\/+$/, '') : value
}
