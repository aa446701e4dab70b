import type {CanaryPolicy, IngressPolicy} from '../annotations/policy.js'
import type {BackendRef, PathType} from '../manifests/model.js'
import type {Position} from '../manifests/position.js'
import {matchLocation} from './location-match.js'
import {normalizeHost, normalizePath} from './normalize.js'

/** The Ingress a route came from, for messages and the dashboard. */
export interface RouteOrigin {
  readonly namespace: string
  readonly name: string
  readonly at: Position
  readonly annotations: Readonly<Record<string, string>>
}

/** One path of one Ingress rule, as the user wrote it. nginx serves it through one or two Locations. */
export interface Route {
  readonly id: number
  /** The rule's host as written (lower-cased), `*.example.com`, or null for a rule without host. */
  readonly host: string | null
  readonly path: string
  /** As written in the manifest (ImplementationSpecific stays ImplementationSpecific here). */
  readonly pathType: PathType
  /** What the controller matches it as: ingress-nginx and the Ingress API both treat ImplementationSpecific as Prefix. */
  readonly effectiveType: 'Exact' | 'Prefix'
  readonly backend: BackendRef
  readonly origin: RouteOrigin
  /** Where the path is declared, and its field path (`spec.rules[0].http.paths[1]`). */
  readonly at: Position
  readonly field: string
  /** The host is listed under spec.tls of some Ingress. */
  readonly tls: boolean
  /** What the Ingress's ingress-nginx annotations ask for. */
  readonly policy: IngressPolicy
  /** A canary Ingress for the same host, path and pathType, if any. */
  readonly canary: CanaryRoute | null
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

/** An Ingress's spec.defaultBackend, serving a host's root location when no path claims `/`. */
export interface DefaultRoute {
  readonly backend: BackendRef
  readonly origin: RouteOrigin
  readonly at: Position
  readonly policy: IngressPolicy
  /** As Route.active. */
  readonly active: boolean
}

/**
 * The rule whose annotations act on a match: its path rule, else the Ingress whose root location
 * answered (its spec.defaultBackend, or kingress's 404 standing in for ingress-nginx's default backend).
 */
export function servingRule(match: MatchResult): Route | DefaultRoute | RootRule | null {
  return match.route ?? match.defaultRoute ?? match.location?.root ?? null
}

/**
 * The server that answers has a certificate: what ingress-nginx's ssl-redirect asks
 * (lua_ingress.lua redirect_to_https, certificate.configured_for_current_request looks the
 * request's host up among the servers' certificates). The catch-all has none of its own.
 */
export function matchHasTls(match: MatchResult): boolean {
  return match.vhost !== null && match.vhost.kind !== 'any' && match.vhost.tls
}

/** The Ingress that created a host's server block: its annotations apply to the root location. */
export interface RootRule {
  readonly origin: RouteOrigin
  readonly policy: IngressPolicy
  readonly active: boolean
}

/**
 * How a location is written in nginx.conf: `= /p` (exact), `/p/` (prefix), `~* "^/p"` (regex,
 * case-insensitive). `element-prefix` is the Ingress API's Prefix (`--semantics spec`), which nginx has no form for.
 */
export type LocationKind = 'exact' | 'prefix' | 'regex' | 'element-prefix'

/** Why ingress-nginx wrote the location. */
export type LocationSource =
  /** The path as written (Exact, a regex, a root `/`, or a Prefix of a use-regex/rewrite Ingress). */
  | 'path'
  /** A Prefix path made to end in `/` (location.go normalizePrefixPath). */
  | 'slashed-prefix'
  /** The `= /p` twin ingress-nginx adds beside a Prefix's `/p/` (location.go updateServerLocations). */
  | 'exact-twin'
  /** The server's root location, served by a default backend (controller.go createServers). */
  | 'root'

export interface Location {
  readonly kind: LocationKind
  /** The location's name: `/blue/`, `/blue`, `/`; for a regex, the text after `^`. */
  readonly name: string
  /** The line nginx.conf would hold: `location = /blue`, `location /blue/`, `location ~* "^/blue"`. */
  readonly directive: string
  readonly source: LocationSource
  /** The Ingress path it serves; null for a root location served by a default backend. */
  readonly route: Route | null
  /** For a root location without route: who created the server, and the spec.defaultBackend it serves (null: 404). */
  readonly root: RootRule | null
  readonly defaultRoute: DefaultRoute | null
  readonly regex: RegExp | null
  /** rewrite-target's `rewrite "(?i)<name>" <target> break;`, when the target is not the location's own name. */
  readonly rewrite: RegExp | null
  /**
   * nginx's auto_redirect: a static location whose name ends in `/`, under proxy_pass, answers the
   * same URI without the slash with 301 (ngx_http_core_module.c, ngx_http_core_find_static_location).
   */
  readonly autoRedirect: boolean
}

export type HostMatchKind = 'exact' | 'wildcard' | 'any'

/** Why a host is in regex mode: the first Ingress (in ingress-nginx's order) whose annotations put it there. */
export interface RegexModeCause {
  readonly ingress: string
  readonly at: Position
  readonly annotation: 'use-regex' | 'rewrite-target'
}

/** One nginx server block: every path of one host, merged across Ingresses, as ordered locations. */
export interface VirtualHost {
  readonly pattern: string | null
  readonly kind: HostMatchKind
  /** Every path rule of the host, in the order of its first location. */
  readonly routes: readonly Route[]
  /** In the order ingress-nginx writes them (length, then string, descending; controller.go getBackendServers). */
  readonly locations: readonly Location[]
  readonly regexMode: RegexModeCause | null
  /** Static locations by name: exact ones, prefix ones and their lengths (longest first). */
  readonly exact: ReadonlyMap<string, Location>
  readonly prefix: ReadonlyMap<string, Location>
  readonly prefixLengths: readonly number[]
  /** auto_redirect locations by their name without the trailing `/`: the URIs nginx answers with 301. */
  readonly slashRedirects: ReadonlyMap<string, Location>
  /** The spec.defaultBackend the root location serves, if any. */
  readonly defaultRoute: DefaultRoute | null
  readonly tls: boolean
  /** app-root of the first location that sets it: a server-level `if ($uri = /)` (nginx.tmpl). */
  readonly appRoot: string | null
  /** The Ingress API's rules (`--semantics spec`) instead of nginx's. */
  readonly specSemantics: boolean
}

export type PathMatchKind = 'exact' | 'prefix' | 'regex' | 'element-prefix' | 'default-backend' | 'slash-redirect' | 'invalid-path' | 'none'

export interface MatchResult {
  readonly host: string
  /** The path as nginx matches it (decoded, dot segments resolved); the raw path when it is invalid. */
  readonly path: string
  readonly vhost: VirtualHost | null
  /** The location that answers (for a slash redirect: the location whose name the URI lacks a `/` of). */
  readonly location: Location | null
  readonly route: Route | null
  readonly defaultRoute: DefaultRoute | null
  readonly pathMatch: PathMatchKind
  /** The backend that serves the request, or null for kingress's 400/404 or a redirect. */
  readonly backend: BackendRef | null
  /** from-to-www-redirect: the rule host this request's host is the other name of. */
  readonly wwwRedirect: string | null
  /** nginx's 301 for a location named URI + `/`: the path to redirect to (the query is added by the caller). */
  readonly slashRedirect: string | null
  /** app-root: the request is for `/` on a host whose server redirects it (302, before any location). */
  readonly appRoot: string | null
}

/** The compiled, immutable routing configuration. The proxy holds one reference and swaps it on reload. */
export class RouteTable {
  constructor(
    readonly routes: readonly Route[],
    readonly exactHosts: ReadonlyMap<string, VirtualHost>,
    /** Keyed by the wildcard's suffix: `*.foo.com` is stored under `foo.com`. */
    readonly wildcardHosts: ReadonlyMap<string, VirtualHost>,
    /** ingress-nginx's catch-all server `_`: rules without host, for every Host no server names. */
    readonly anyHost: VirtualHost | null,
    /** The catch-all server's spec.defaultBackend (an Ingress with a defaultBackend and no rules). */
    readonly catchAllDefault: DefaultRoute | null,
    /** from-to-www-redirect: `www.foo.com` → `foo.com` (or the reverse), for names no rule has. */
    readonly wwwAlternates: ReadonlyMap<string, string> = new Map(),
    readonly semantics: 'ingress-nginx' | 'spec' = 'ingress-nginx',
  ) {}

  /** Every virtual host: exact ones, then wildcards, then the catch-all. */
  get virtualHosts(): VirtualHost[] {
    const all = [...this.exactHosts.values(), ...this.wildcardHosts.values()]
    if (this.anyHost) all.push(this.anyHost)
    return all
  }

  /**
   * The server for a Host: exact name, then a one-label wildcard (ingress-nginx writes `*.foo.com`
   * as `~^(?<subdomain>[\w-]+)\.foo\.com$`, template.go buildServerName), then the catch-all.
   */
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

  /** No Ingress server at all: no rule (with or without paths), no catch-all default backend. */
  get empty(): boolean {
    return this.exactHosts.size === 0 && this.wildcardHosts.size === 0 && this.anyHost === null && this.catchAllDefault === null && this.wwwAlternates.size === 0
  }

  /** An Ingress server takes the (normalised) host: its own name, a wildcard, the catch-all, a www redirect or a default backend. */
  takesHost(host: string): boolean {
    return this.findHost(host) !== null || this.catchAllDefault !== null || this.wwwAlternates.has(host)
  }

  /** `hostHeader` as received (any case, maybe with a port); `rawPath` without the query string. */
  match(hostHeader: string | undefined, rawPath: string): MatchResult {
    const host = normalizeHost(hostHeader)
    const path = normalizePath(rawPath)
    const vhost = this.findHost(host)
    if (path === null) return unmatched(host, rawPath, vhost, 'invalid-path')
    // The www redirect is a server block of its own name (pkg/util/ingress BuildRedirects): nginx prefers it to a wildcard's regex name.
    if (this.wwwAlternates.size > 0 && vhost?.kind !== 'exact') {
      const target = this.wwwAlternates.get(host)
      if (target) return {...unmatched(host, path, null, 'none'), wwwRedirect: target}
    }
    if (vhost === null) {
      const fallback = this.catchAllDefault
      return fallback ? {...unmatched(host, path, null, 'default-backend'), defaultRoute: fallback, backend: fallback.backend} : unmatched(host, path, null, 'none')
    }
    if (vhost.appRoot !== null && path === '/') return {...unmatched(host, path, vhost, 'none'), appRoot: vhost.appRoot}
    const hit = matchLocation(vhost, path)
    if (hit === null) return unmatched(host, path, vhost, 'none')
    const location = hit.location
    if (hit.redirect) return {...unmatched(host, path, vhost, 'slash-redirect'), location, slashRedirect: location.name}
    const route = location.route
    if (route !== null) return {host, path, vhost, location, route, defaultRoute: null, pathMatch: location.kind, backend: route.backend, wwwRedirect: null, slashRedirect: null, appRoot: null}
    const fallback = location.defaultRoute
    return {host, path, vhost, location, route: null, defaultRoute: fallback, pathMatch: fallback ? 'default-backend' : 'none', backend: fallback?.backend ?? null, wwwRedirect: null, slashRedirect: null, appRoot: null}
  }
}

function unmatched(host: string, path: string, vhost: VirtualHost | null, pathMatch: PathMatchKind): MatchResult {
  return {host, path, vhost, location: null, route: null, defaultRoute: null, pathMatch, backend: null, wwwRedirect: null, slashRedirect: null, appRoot: null}
}
