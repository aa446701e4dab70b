import type {BackendRef} from '../manifests/model.js'
import {describeBackend, prefixKey} from './compile.js'
import {normalizeHost, normalizePath} from './normalize.js'
import type {MatchResult, Route, RouteTable, VirtualHost} from './table.js'

/** Why one route did or did not match a request path. */
export interface Candidate {
  readonly route: Route
  readonly matches: boolean
  readonly chosen: boolean
  readonly reason: string
}

export interface Explanation {
  readonly url: string
  readonly host: string
  readonly path: string
  readonly hostMatch: string
  readonly result: MatchResult
  readonly candidates: readonly Candidate[]
  /** One sentence: who serves the request, or why nobody does. */
  readonly verdict: string
  readonly status: 200 | 404
}

/** The slow, talkative twin of RouteTable.match: same answer, plus the reasons. For `kingress explain`. */
export function explain(table: RouteTable, url: string): Explanation {
  const parsed = parseUrl(url)
  const result = table.match(parsed.host, parsed.path)
  const host = normalizeHost(parsed.host)
  const path = normalizePath(parsed.path)
  const vhost = result.vhost
  const candidates = vhost ? vhost.routes.map((route) => candidate(route, path, result)) : []
  return {
    url,
    host,
    path,
    hostMatch: describeHostMatch(host, vhost, table),
    result,
    candidates,
    verdict: verdict(result),
    status: result.backend ? 200 : 404,
  }
}

function parseUrl(url: string): {host: string; path: string} {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`
  const parsed = new URL(withScheme)
  // URL() resolves dot segments itself; take the raw path so kingress's own normalisation is what is explained.
  const afterAuthority = withScheme.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
  const rawPath = afterAuthority.split(/[?#]/)[0] || '/'
  return {host: parsed.host, path: rawPath}
}

function describeHostMatch(host: string, vhost: VirtualHost | null, table: RouteTable): string {
  if (!vhost) {
    const known = table.virtualHosts.map((v) => v.pattern ?? '(any host)').join(', ') || 'none'
    return `no rule is for host "${host}" and no rule leaves host empty (hosts served: ${known})`
  }
  if (vhost.kind === 'exact') return `host "${host}" matches rule host "${vhost.pattern}" exactly`
  if (vhost.kind === 'wildcard') return `host "${host}" matches wildcard "${vhost.pattern}" (one label in place of *), and no rule names it exactly`
  return `no rule names host "${host}"; the rules without a host match every host`
}

function candidate(route: Route, path: string, result: MatchResult): Candidate {
  const chosen = result.route?.id === route.id
  const {matches, reason} = pathVerdict(route, path)
  return {route, matches, chosen, reason: chosen ? `${reason}; longest match, chosen` : matches ? `${reason}, but a longer or more specific path wins` : reason}
}

function pathVerdict(route: Route, path: string): {matches: boolean; reason: string} {
  switch (route.pathType) {
    case 'Exact':
      return route.path === path ? {matches: true, reason: 'Exact path equals the request path'} : {matches: false, reason: `Exact path "${route.path}" is not the whole request path`}
    case 'Prefix': {
      const key = prefixKey(route.path)
      const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
      const matches = key === '' || trimmed === key || trimmed.startsWith(key + '/')
      return matches
        ? {matches, reason: `Prefix "${route.path}" matches element by element`}
        : {matches, reason: `Prefix "${route.path}" does not match: prefixes compare whole path elements (${key || '/'} ≠ start of ${path})`}
    }
    case 'ImplementationSpecific': {
      const matches = path.startsWith(route.path)
      return matches
        ? {matches, reason: `ImplementationSpecific "${route.path}" is a string prefix of the path (ingress-nginx: location ${route.path})`}
        : {matches, reason: `ImplementationSpecific "${route.path}" is not a string prefix of the path`}
    }
  }
}

function verdict(result: MatchResult): string {
  if (result.route) return `served by ${describe(result.route.backend)} through Ingress ${result.route.origin.namespace}/${result.route.origin.name} (${result.route.at.file}:${result.route.at.line})`
  if (result.defaultRoute) {
    return `no path matches; spec.defaultBackend ${describe(result.defaultRoute.backend)} of Ingress ${result.defaultRoute.origin.namespace}/${result.defaultRoute.origin.name} answers`
  }
  if (result.vhost) return `no path of host ${result.vhost.pattern ?? '(any)'} matches and no spec.defaultBackend applies: kingress answers 404`
  return 'no rule matches this host: kingress answers 404'
}

function describe(backend: BackendRef): string {
  return `${backend.kind === 'resource' ? 'resource' : 'Service'} ${describeBackend(backend)}`
}
