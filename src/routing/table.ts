import type {CanaryPolicy, IngressPolicy} from '../annotations/policy.js'
import type {BackendRef, PathType} from '../manifests/model.js'
import type {Position} from '../manifests/position.js'
import {normalizeHost, normalizePath} from './normalize.js'

/** The Ingress a route came from, for messages and the dashboard. */
export interface RouteOrigin {
  readonly namespace: string
  readonly name: string
  readonly at: Position
  readonly annotations: Readonly<Record<string, string>>
}

export interface Route {
  readonly id: number
  /** The rule's host as written (lower-cased), `*.example.com`, or null for a rule without host. */
  readonly host: string | null
  readonly path: string
  readonly pathType: PathType
  readonly backend: BackendRef
  readonly origin: RouteOrigin
  /** Where the path is declared, and its field path (`spec.rules[0].http.paths[1]`). */
  readonly at: Position
  readonly field: string
  /** The host is listed under spec.tls of some Ingress. */
  readonly tls: boolean
  /** What the Ingress's ingress-nginx annotations ask for. */
  readonly policy: IngressPolicy
  /** On a host in regex mode (use-regex or rewrite-target on any of its Ingresses): `^path`, case-insensitive. */
  readonly regex: RegExp | null
  /** A canary Ingress for the same host, path and pathType, if any. */
  readonly canary: CanaryRoute | null
  /** rewrite-target's regex for this path (the route's regex, or `^path` for Exact paths), compiled once. */
  readonly rewriteRegex: RegExp | null
  /**
   * The proxy must do annotation work for requests on this route (a non-default policy, a TLS host
   * that redirects HTTP, a canary). False: the plain forwarding path, no annotation code at all.
   */
  readonly active: boolean
}

export interface CanaryRoute {
  readonly backend: BackendRef
  readonly rule: CanaryPolicy
  readonly policy: IngressPolicy
  readonly origin: RouteOrigin
  readonly at: Position
}

/** The Ingress spec.defaultBackend that answers when no path of a host matches. */
export interface DefaultRoute {
  readonly backend: BackendRef
  readonly origin: RouteOrigin
  readonly at: Position
  readonly policy: IngressPolicy
  /** As Route.active. */
  readonly active: boolean
}

/** The rule that serves a match with a backend: its path rule, else the Ingress's spec.defaultBackend. */
export function servingRule(match: MatchResult): Route | DefaultRoute {
  return match.route ?? match.defaultRoute!
}

export type HostMatchKind = 'exact' | 'wildcard' | 'any'

/** All paths one host serves, merged across Ingresses, indexed for lookup without scanning. */
export interface VirtualHost {
  readonly pattern: string | null
  readonly kind: HostMatchKind
  /** Every route of the host, best precedence first (longest path, Exact before Prefix). */
  readonly routes: readonly Route[]
  readonly exact: ReadonlyMap<string, Route>
  /** Prefix routes by their path without trailing slash (`/` is the empty string). */
  readonly prefix: ReadonlyMap<string, Route>
  /** ImplementationSpecific routes (nginx string-prefix `location`), and their lengths, longest first. */
  readonly stringPrefix: ReadonlyMap<string, Route>
  readonly stringPrefixLengths: readonly number[]
  /** Non-empty when the host is in regex mode: Prefix and ImplementationSpecific routes, longest path first, tried in order. */
  readonly regexRoutes: readonly Route[]
  readonly defaultRoute: DefaultRoute | null
  readonly tls: boolean
}

export type PathMatchKind = 'exact' | 'prefix' | 'string-prefix' | 'regex' | 'default-backend' | 'none'

export interface MatchResult {
  readonly host: string
  readonly path: string
  readonly vhost: VirtualHost | null
  readonly route: Route | null
  readonly defaultRoute: DefaultRoute | null
  readonly pathMatch: PathMatchKind
  /** The backend that serves the request, or null for kingress's 404. */
  readonly backend: BackendRef | null
  /** from-to-www-redirect: the rule host this request's host is the other name of. */
  readonly wwwRedirect: string | null
}

/** The compiled, immutable routing configuration. The proxy holds one reference and swaps it on reload. */
export class RouteTable {
  constructor(
    readonly routes: readonly Route[],
    readonly exactHosts: ReadonlyMap<string, VirtualHost>,
    /** Keyed by the wildcard's suffix: `*.foo.com` is stored under `foo.com`. */
    readonly wildcardHosts: ReadonlyMap<string, VirtualHost>,
    readonly anyHost: VirtualHost | null,
    readonly catchAllDefault: DefaultRoute | null,
    /** from-to-www-redirect: `www.foo.com` → `foo.com` (or the reverse), for names no rule has. */
    readonly wwwAlternates: ReadonlyMap<string, string> = new Map(),
    /** Every host under some Ingress's spec.tls (exact names and `*.` wildcards), lower case. */
    readonly tlsHosts: ReadonlySet<string> = new Set(),
  ) {}

  /** The request host has a spec.tls entry (exact, or a wildcard one label above it). */
  hostHasTls(host: string): boolean {
    if (this.tlsHosts.size === 0) return false
    if (this.tlsHosts.has(host)) return true
    const dot = host.indexOf('.')
    return dot > 0 && this.tlsHosts.has('*' + host.slice(dot))
  }

  /** Every virtual host: exact ones, then wildcards, then the rule without host. */
  get virtualHosts(): VirtualHost[] {
    const all = [...this.exactHosts.values(), ...this.wildcardHosts.values()]
    if (this.anyHost) all.push(this.anyHost)
    return all
  }

  /** Chooses the virtual host for a Host header value: exact, then one-label wildcard, then the rule without host. */
  findHost(host: string): VirtualHost | null {
    const exact = this.exactHosts.get(host)
    if (exact) return exact
    const dot = host.indexOf('.')
    if (dot > 0) {
      const wildcard = this.wildcardHosts.get(host.slice(dot + 1))
      if (wildcard) return wildcard
    }
    return this.anyHost
  }

  /** `hostHeader` as received (any case, maybe with a port); `rawPath` without the query string. */
  match(hostHeader: string | undefined, rawPath: string): MatchResult {
    const host = normalizeHost(hostHeader)
    const path = normalizePath(rawPath)
    const vhost = this.findHost(host)
    if (this.wwwAlternates.size > 0 && (vhost === null || vhost.kind === 'any')) {
      const target = this.wwwAlternates.get(host)
      if (target) return {host, path, vhost: null, route: null, defaultRoute: null, pathMatch: 'none', backend: null, wwwRedirect: target}
    }
    if (vhost) {
      const hit = matchPath(vhost, path)
      if (hit) return {host, path, vhost, route: hit.route, defaultRoute: null, pathMatch: hit.kind, backend: hit.route.backend, wwwRedirect: null}
    }
    const fallback = vhost?.defaultRoute ?? (vhost && vhost.kind !== 'any' ? null : this.catchAllDefault)
    if (fallback) return {host, path, vhost, route: null, defaultRoute: fallback, pathMatch: 'default-backend', backend: fallback.backend, wwwRedirect: null}
    return {host, path, vhost, route: null, defaultRoute: null, pathMatch: 'none', backend: null, wwwRedirect: null}
  }
}

interface PathHit {
  readonly route: Route
  readonly kind: 'exact' | 'prefix' | 'string-prefix' | 'regex'
}

/**
 * Longest matching path wins; at equal length Exact beats Prefix beats ImplementationSpecific.
 * Cost grows with the depth of the request path and the number of distinct
 * ImplementationSpecific path lengths, not with the number of routes.
 */
export function matchPath(vhost: VirtualHost, path: string): PathHit | null {
  let best: PathHit | null = null
  let bestLength = -1

  const exact = vhost.exact.get(path)
  if (exact) {
    best = {route: exact, kind: 'exact'}
    bestLength = path.length
  }
  if (vhost.regexRoutes.length > 0) return best ?? matchRegex(vhost.regexRoutes, path)

  if (vhost.prefix.size > 0) {
    let candidate = path.endsWith('/') ? path.slice(0, -1) : path
    for (;;) {
      if (candidate.length < bestLength || (candidate.length === bestLength && best !== null)) break
      const route = vhost.prefix.get(candidate)
      if (route) {
        best = {route, kind: 'prefix'}
        bestLength = candidate.length
        break
      }
      if (candidate === '') break
      candidate = candidate.slice(0, candidate.lastIndexOf('/'))
    }
  }

  for (const length of vhost.stringPrefixLengths) {
    if (length <= bestLength) break
    if (length > path.length) continue
    const route = vhost.stringPrefix.get(length === path.length ? path : path.slice(0, length))
    if (route) {
      best = {route, kind: 'string-prefix'}
      break
    }
  }
  return best
}

/** nginx regex locations: the first that matches, in ingress-nginx's order (longest path first). */
function matchRegex(routes: readonly Route[], path: string): PathHit | null {
  for (const route of routes) {
    if (route.regex!.test(path)) return {route, kind: 'regex'}
  }
  return null
}
