import type {EarlyResponse, RequestView} from '../annotations/request-view.js'
import type {HTTPRouteFilter, HTTPRouteMatch, Listener, Snapshot} from '../manifests/model.js'
import {wireValue, type HeaderEdit, type MirrorCopy, type RouteStep} from '../model/steps.js'
import {wellKnownPort} from '../routing/normalize.js'
import {corsPolicyOf, type CorsPolicy} from './cors.js'
import {backendProblem} from './references.js'

/**
 * The HTTPRoute filters of a rule, then of the chosen backendRef (apis/v1/httproute_types.go
 * HTTPRouteFilter), compiled into route steps (src/model/steps.ts) that run in the order written.
 */

/** One RequestHeaderModifier / ResponseHeaderModifier, as written: set, then add, then remove (httproute_types.go HTTPHeaderFilter). */
export type {HeaderEdit} from '../model/steps.js'

/** A RequestMirror: the request as it stands when the filter runs, copied to another backend (n / 100 for percent; all when neither is set). */
export type GatewayMirror = MirrorCopy

/** What a filter is compiled against: fixed once the route is attached to a listener. */
export interface FilterScope {
  readonly snapshot: Snapshot
  readonly routeNamespace: string
  /** The match the filters' rule answered with (ReplacePrefixMatch replaces its prefix). */
  readonly match: HTTPRouteMatch
  readonly listener: Listener
  /** `backendRef` filters: where the message says they were. */
  readonly where: 'rule' | 'backendRef'
}

/**
 * A rule's (or backendRef's) filters as route steps, in the order written. Every filter type is
 * either a step that runs or one that refuses the request, never skipped.
 */
export function filterSteps(filters: readonly HTTPRouteFilter[], scope: FilterScope): RouteStep[] {
  return filters.map((filter) => filterStep(filter, scope))
}

function filterStep(filter: HTTPRouteFilter, scope: FilterScope): RouteStep {
  switch (filter.type) {
    case 'RequestRedirect':
      return {source: 'RequestRedirect', run: (state, request) => ({kind: 'answer', early: redirectOf(filter, scope, state.path, request)})}
    case 'URLRewrite': {
      const rewrite = filter.config
      const hostname = typeof rewrite.hostname === 'string' ? rewrite.hostname : null
      return {
        source: 'URLRewrite',
        run: (state) => {
          if (hostname !== null) state.host = hostname
          state.path = modifiedPath(rewrite.path, scope.match, state.path)
          return null
        },
      }
    }
    case 'RequestHeaderModifier': {
      const edit = headerEditOf(filter.config)
      return {source: 'RequestHeaderModifier', run: (state) => (state.requestHeaders.push(edit), null)}
    }
    case 'ResponseHeaderModifier': {
      const edit = headerEditOf(filter.config)
      return {source: 'ResponseHeaderModifier', run: (state) => (state.responseHeaders.push(edit), null)}
    }
    case 'RequestMirror': {
      const share = mirrorShare(filter, scope)
      return {
        source: 'RequestMirror',
        run: (state, request) => {
          if (share !== null) state.mirrors.push({...share, target: state.path + request.query, host: state.host, requestHeaders: [...state.requestHeaders]})
          return null
        },
      }
    }
    case 'CORS': {
      const policy = corsPolicyOf(filter.config)
      return {source: 'CORS', run: (state) => ((state.cors = policy), null)}
    }
    case 'ExtensionRef': {
      const ref = filter.config
      const reason = `the ${scope.where === 'rule' ? '' : 'backendRef '}ExtensionRef filter ${String(ref.kind ?? '')} ${String(ref.name ?? '')} is one kingress does not run: a conformant implementation answers 500 rather than skip it`
      return {source: 'ExtensionRef', run: () => ({kind: 'refuse', reason})}
    }
  }
}

/**
 * Null when the mirror's backendRef is invalid (a kind that is not a Service, a missing ReferenceGrant):
 * nothing to copy to, and status reports its ResolvedRefs. A Service that is not loaded is still
 * tried: an endpoint provider may serve it.
 */
function mirrorShare(filter: HTTPRouteFilter, scope: FilterScope): Omit<MirrorCopy, 'target' | 'host' | 'requestHeaders'> | null {
  const ref = filter.mirrorBackendRef
  const problem = ref === null ? null : backendProblem(scope.snapshot, scope.routeNamespace, ref)
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
  return {namespace: ref.namespace ?? scope.routeNamespace, name: ref.name, port: ref.port, numerator, denominator}
}

export function headerEditOf(config: Readonly<Record<string, unknown>>): HeaderEdit {
  const pairs = (list: unknown): [string, string][] => (Array.isArray(list) ? list.filter((h): h is {name: string; value: unknown} => typeof h === 'object' && h !== null && typeof (h as {name?: unknown}).name === 'string').map((h) => [h.name, wireValue(String(h.value ?? ''))]) : [])
  const remove = Array.isArray(config.remove) ? config.remove.filter((n): n is string => typeof n === 'string').map((n) => n.toLowerCase()) : []
  return {set: pairs(config.set), add: pairs(config.add), remove}
}

function redirectOf(filter: HTTPRouteFilter, scope: FilterScope, path: string, req: RequestView): EarlyResponse {
  const r = filter.config
  const scheme = typeof r.scheme === 'string' ? r.scheme : req.scheme
  const hostname = typeof r.hostname === 'string' ? r.hostname : req.host
  // httproute_types.go HTTPRequestRedirectFilter.Port: the scheme's well-known port when the scheme changes, else the listener's; a well-known port is left out.
  const port = typeof r.port === 'number' ? r.port : typeof r.scheme === 'string' ? wellKnownPort(scheme) : scope.listener.port
  const wellKnown = port === wellKnownPort(scheme)
  const status = typeof r.statusCode === 'number' ? r.statusCode : 302
  const newPath = modifiedPath(r.path, scope.match, path)
  return {status, headers: {location: `${scheme}://${hostname}${wellKnown ? '' : `:${port}`}${newPath}${req.query}`}, body: '', reason: 'RequestRedirect'}
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
