import {policyIsActive} from '../annotations/active.js'
import {parseAnnotations} from '../annotations/parse.js'
import {DEFAULT_POLICY, type AnnotationReport, type IngressPolicy} from '../annotations/policy.js'
import type {Diagnostic} from '../manifests/diagnostic.js'
import {objectKey, type BackendRef, type Ingress, type IngressPath, type Snapshot} from '../manifests/model.js'
import {annotationWarnings} from './annotation-warnings.js'
import {ingressNginxOrder} from './ingress-order.js'
import {nginxLocations, type LocationDraft} from './nginx-locations.js'
import {quirkWarnings} from './quirk-warnings.js'
import {elementPrefixKey, specLocations} from './spec-locations.js'
import {RouteTable, type CanaryRoute, type DefaultRoute, type HostMatchKind, type Location, type RootRule, type Route, type RouteOrigin, type VirtualHost} from './table.js'
import {hostWarnings, serviceWarnings, tlsWarnings} from './warnings.js'

export type Semantics = 'ingress-nginx' | 'spec'

export interface CompileOptions {
  /** Serve only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation). */
  readonly className?: string
  /** ingress-nginx's locations (the default), or the Ingress API's documented matching. */
  readonly semantics?: Semantics
}

export interface CompileResult {
  readonly table: RouteTable
  readonly diagnostics: Diagnostic[]
  /** The Ingresses that passed the class filter, in ingress-nginx's order; rejected ones too (their annotation errors are in the diagnostics, and they have no routes). */
  readonly ingresses: readonly Ingress[]
  /** Per Ingress (`namespace/name`), how each ingress-nginx annotation is honoured. */
  readonly annotationReports: ReadonlyMap<string, readonly AnnotationReport[]>
}

/**
 * Snapshot → RouteTable, pure: the same snapshot always gives the same table and the same
 * diagnostics. Servers are assembled as ingress-nginx assembles them (controller.go createServers,
 * getBackendServers): Ingresses in sortIngressSlice order, the first Ingress naming a host creates
 * its server and root location, the first path with a given path and type wins.
 */
export function compile(snapshot: Snapshot, options: CompileOptions = {}): CompileResult {
  const semantics = options.semantics ?? 'ingress-nginx'
  const diagnostics: Diagnostic[] = []
  const ingresses = selectByClass(snapshot.ingresses, options.className, diagnostics).sort(ingressNginxOrder)

  const policies = new Map<Ingress, IngressPolicy>()
  const annotationReports = new Map<string, readonly AnnotationReport[]>()
  for (const ingress of ingresses) {
    const parsed = parseAnnotations(ingress.meta.annotations, ingress.meta.namespace)
    policies.set(ingress, semantics === 'spec' ? {...parsed.policy, useRegex: false} : parsed.policy)
    annotationReports.set(objectKey(ingress.meta), parsed.reports)
  }
  // An annotation value ingress-nginx's validators refuse keeps the Ingress out of the controller (store.go syncIngress).
  const loaded = ingresses.filter((ingress) => !annotationReports.get(objectKey(ingress.meta))!.some((r) => r.status === 'rejected'))
  const tlsHosts = collectTlsHosts(loaded)
  const served = loaded.filter((ingress) => policies.get(ingress)!.canary === null)
  const canaries = loaded.filter((ingress) => policies.get(ingress)!.canary !== null)

  const catchAllDefault = catchAllDefaultOf(served, policies)
  const servers = new Map<string, ServerDraft>()
  servers.set('', new ServerDraft(null, false, catchAllDefault === null ? globalDefaultRoot() : rootDraft(catchAllDefault, catchAllDefault, catchAllDefault.policy), catchAllDefault !== null))
  for (const ingress of served) {
    for (const rule of ingress.rules) {
      const key = rule.host ?? ''
      if (servers.has(key)) continue
      const tls = rule.host !== null && coveredByTls(rule.host, tlsHosts)
      const policy = policies.get(ingress)!
      const origin = originOf(ingress)
      const active = policyIsActive(policy) || tls
      const fallback = defaultRouteOf(ingress, policy, tls)
      servers.set(key, new ServerDraft(rule.host, tls, rootDraft({origin, policy, active}, fallback, policy, ingress)))
    }
  }

  const routes: Route[] = []
  for (const ingress of served) {
    const policy = policies.get(ingress)!
    const origin = originOf(ingress)
    const active = policyIsActive(policy)
    for (const rule of ingress.rules) {
      const server = servers.get(rule.host ?? '')!
      for (const path of rule.paths) {
        if (path.backend.kind === 'resource') {
          // controller.go getBackendServers skips paths without a Service backend: the root location answers them.
          diagnostics.push(resourceBackendNote(path))
          continue
        }
        const route = routeOf(routes.length, rule.host, path, origin, policy, server.tls, active || server.tls)
        const kept = server.add(route, ingress)
        if (kept === 'catch-all') diagnostics.push(catchAllConflict(route, catchAllDefault!))
        else if (kept !== null) diagnostics.push(conflictWarning(kept, route))
        else routes.push(route)
      }
    }
  }
  attachCanaries(canaries, policies, servers, routes, diagnostics)

  const exactHosts = new Map<string, VirtualHost>()
  const wildcardHosts = new Map<string, VirtualHost>()
  let anyHost: VirtualHost | null = null
  for (const server of [...servers.values()].sort((a, b) => byteOrder(a.host ?? '', b.host ?? ''))) {
    if (server.host === null && server.drafts.length === 1 && server.drafts[0]!.route === null) continue
    const vhost = server.build(semantics, diagnostics)
    if (vhost.kind === 'exact') exactHosts.set(vhost.pattern!, vhost)
    else if (vhost.kind === 'wildcard') wildcardHosts.set(vhost.pattern!.slice(2), vhost)
    else anyHost = vhost
  }
  const vhosts = [...exactHosts.values(), ...wildcardHosts.values(), ...(anyHost ? [anyHost] : [])]

  diagnostics.push(
    ...tlsWarnings(loaded, servers),
    ...hostWarnings(loaded),
    ...serviceWarnings(loaded, snapshot.services),
    ...annotationWarnings(ingresses, policies, annotationReports, new Set(vhosts.filter((v) => v.regexMode !== null).map((v) => v.pattern ?? ''))),
    ...(semantics === 'ingress-nginx' ? quirkWarnings(served, vhosts, catchAllDefault) : []),
  )
  const wwwAlternates = wwwAlternatesOf(served, policies, exactHosts)
  const table = new RouteTable(routes, exactHosts, wildcardHosts, anyHost, catchAllDefault, wwwAlternates, semantics)
  return {table, diagnostics, ingresses, annotationReports}
}

function selectByClass(all: readonly Ingress[], className: string | undefined, diagnostics: Diagnostic[]): Ingress[] {
  if (className === undefined) return [...all]
  const kept: Ingress[] = []
  for (const ingress of all) {
    if (ingress.className === className) {
      kept.push(ingress)
    } else {
      const has = ingress.className === null ? 'has no class' : `has class "${ingress.className}"`
      diagnostics.push({severity: 'note', at: ingress.meta.at, message: `Ingress ${objectKey(ingress.meta)} ${has}: not served with --class ${className}`})
    }
  }
  return kept
}

function originOf(ingress: Ingress): RouteOrigin {
  return {namespace: ingress.meta.namespace, name: ingress.meta.name, at: ingress.meta.at, annotations: ingress.meta.annotations}
}

function routeOf(id: number, host: string | null, path: IngressPath, origin: RouteOrigin, policy: IngressPolicy, tls: boolean, active: boolean): Route {
  return {
    id,
    host,
    path: path.path === '' ? '/' : path.path,
    pathType: path.pathType,
    // internal/k8s/main.go SetDefaultNGINXPathType: ImplementationSpecific (and no type) is Prefix.
    effectiveType: path.pathType === 'Exact' ? 'Exact' : 'Prefix',
    backend: path.backend,
    origin,
    at: path.at,
    field: path.field,
    tls,
    policy,
    canary: null,
    active,
  }
}

/** `tls`: the server it answers for has a certificate (ssl-redirect may act). */
function defaultRouteOf(ingress: Ingress, policy: IngressPolicy, tls: boolean): DefaultRoute | null {
  if (ingress.defaultBackend === null || ingress.defaultBackendAt === null || ingress.defaultBackend.kind !== 'service') return null
  return {backend: ingress.defaultBackend, origin: originOf(ingress), at: ingress.defaultBackendAt, policy, active: policyIsActive(policy) || tls}
}

/**
 * The catch-all server's default backend: the first Ingress with a spec.defaultBackend and no rules.
 * Its redirect and rewrite annotations are not applied there (createServers keeps the originals).
 */
function catchAllDefaultOf(ingresses: readonly Ingress[], policies: ReadonlyMap<Ingress, IngressPolicy>): DefaultRoute | null {
  for (const ingress of ingresses) {
    if (ingress.rules.length > 0) continue
    const own = policies.get(ingress)!
    const policy: IngressPolicy = {...own, redirect: null, appRoot: null, fromToWwwRedirect: false, sslRedirect: null, forceSslRedirect: false, rewriteTarget: null, useRegex: false, xForwardedPrefix: null}
    const route = defaultRouteOf(ingress, policy, false)
    if (route !== null) return route
  }
  return null
}

/** ingress-nginx's own default backend: 404 for everything, no annotations. */
function globalDefaultRoot(): LocationDraft {
  return {path: '/', type: 'Prefix', route: null, root: null, defaultRoute: null, policy: DEFAULT_POLICY, ingress: null}
}

function rootDraft(root: RootRule, fallback: DefaultRoute | null, policy: IngressPolicy, ingress?: Ingress): LocationDraft {
  return {path: '/', type: 'Prefix', route: null, root, defaultRoute: fallback, policy, ingress: ingress ? ingressRef(ingress) : null}
}

function ingressRef(ingress: Ingress): NonNullable<LocationDraft['ingress']> {
  return {key: objectKey(ingress.meta), at: ingress.meta.at, annotationAt: (key) => ingress.meta.annotationPositions[key] ?? ingress.meta.at}
}

function collectTlsHosts(ingresses: readonly Ingress[]): Set<string> {
  const hosts = new Set<string>()
  for (const ingress of ingresses) for (const tls of ingress.tls) for (const host of tls.hosts) hosts.add(host.toLowerCase())
  return hosts
}

/** A rule host is covered by a TLS host written the same way, or by a wildcard one label above it. */
export function coveredByTls(host: string, tlsHosts: ReadonlySet<string>): boolean {
  if (tlsHosts.has(host)) return true
  if (host.startsWith('*.')) return false
  const dot = host.indexOf('.')
  return dot > 0 && tlsHosts.has('*' + host.slice(dot))
}

function resourceBackendNote(path: IngressPath): Diagnostic {
  return {
    severity: 'warning',
    at: path.at,
    field: `${path.field}.backend.resource`,
    message: `ingress-nginx serves only Service backends and skips this path (controller.go getBackendServers): requests for it go to the host's root location (its spec.defaultBackend, or 404). Use a service: backend.`,
  }
}

function catchAllConflict(dropped: Route, catchAll: DefaultRoute): Diagnostic {
  return {
    severity: 'warning',
    at: dropped.at,
    field: `${dropped.field}.path`,
    message: `path / of a rule without host is ignored: Ingress ${catchAll.origin.namespace}/${catchAll.origin.name} (${catchAll.at.file}:${catchAll.at.line}) has a spec.defaultBackend and no rules, and ingress-nginx makes it the catch-all's / before any path (controller.go createServers). Remove one of the two.`,
  }
}

function conflictWarning(kept: Route, dropped: Route): Diagnostic {
  const host = dropped.host ?? '*(any host)'
  const winner = `Ingress ${kept.origin.namespace}/${kept.origin.name} (${kept.at.file}:${kept.at.line})`
  const same = dropped.pathType === kept.pathType ? '' : ` (${kept.pathType} and ${dropped.pathType} are the same location: ingress-nginx treats ImplementationSpecific as Prefix)`
  return {
    severity: 'warning',
    at: dropped.at,
    field: `${dropped.field}.path`,
    message: `${host} ${dropped.path} (${dropped.pathType}) is already served by ${winner}, which comes first in ingress-nginx's order (oldest creationTimestamp, then namespace/name from z to a) and wins${same}; this path is ignored. Remove one of them or change the path.`,
  }
}

/** One nginx server block being assembled: its root location and its paths, in insertion order. */
class ServerDraft {
  readonly drafts: LocationDraft[]
  private readonly byKey = new Map<string, number>()

  constructor(
    readonly host: string | null,
    readonly tls: boolean,
    root: LocationDraft,
    /** The catch-all's root was taken by an Ingress without rules (createServers clears IsDefBackend): a path `/` cannot replace it. */
    private readonly rootClaimed = false,
  ) {
    this.drafts = [root]
    this.byKey.set('Prefix /', 0)
  }

  /**
   * Adds a path unless one with the same path and type is there (returns the route kept, or
   * 'catch-all' for a claimed catch-all root); the root default location is replaced otherwise.
   */
  add(route: Route, ingress: Ingress): Route | 'catch-all' | null {
    const key = `${route.effectiveType} ${route.path}`
    const index = this.byKey.get(key)
    const draft: LocationDraft = {path: route.path, type: route.effectiveType, route, root: null, defaultRoute: null, policy: route.policy, ingress: ingressRef(ingress)}
    if (index === undefined) {
      this.byKey.set(key, this.drafts.length)
      this.drafts.push(draft)
      return null
    }
    const existing = this.drafts[index]!
    if (existing.route !== null) return existing.route
    if (index === 0 && this.rootClaimed) return 'catch-all'
    this.drafts[index] = draft
    return null
  }

  /** The route a canary Ingress shadows: same path and (effective) type. */
  find(path: string, type: Route['effectiveType']): Route | null {
    const index = this.byKey.get(`${type} ${path}`)
    return index === undefined ? null : this.drafts[index]!.route
  }

  replace(old: Route, updated: Route): void {
    const index = this.byKey.get(`${old.effectiveType} ${old.path}`)!
    this.drafts[index] = {...this.drafts[index]!, route: updated}
  }

  build(semantics: Semantics, diagnostics: Diagnostic[]): VirtualHost {
    const kind: HostMatchKind = this.host === null ? 'any' : this.host.startsWith('*.') ? 'wildcard' : 'exact'
    const {locations, regexMode} = semantics === 'spec' ? {locations: specLocations(this.drafts), regexMode: null} : nginxLocations(this.drafts, diagnostics)
    const exact = new Map<string, Location>()
    const prefix = new Map<string, Location>()
    const slashRedirects = new Map<string, Location>()
    const routes: Route[] = []
    const seen = new Set<Route>()
    for (const location of locations) {
      if (location.kind === 'exact' && !exact.has(location.name)) exact.set(location.name, location)
      else if (location.kind === 'prefix' && !prefix.has(location.name)) prefix.set(location.name, location)
      else if (location.kind === 'element-prefix' && !prefix.has(elementPrefixKey(location.name))) prefix.set(elementPrefixKey(location.name), location)
      if (location.autoRedirect && !slashRedirects.has(location.name.slice(0, -1))) slashRedirects.set(location.name.slice(0, -1), location)
      if (location.route !== null && !seen.has(location.route)) {
        seen.add(location.route)
        routes.push(location.route)
      }
    }
    const prefixLengths = [...new Set([...prefix.keys()].map((name) => name.length))].sort((a, b) => b - a)
    const appRoot = locations.map((l) => (l.route ?? l.root)?.policy.appRoot ?? null).find((root) => root !== null) ?? null
    return {pattern: this.host, kind, routes, locations, regexMode, exact, prefix, prefixLengths, slashRedirects, defaultRoute: rootFallback(this.drafts), tls: this.tls, appRoot, specSemantics: semantics === 'spec'}
  }
}

/** The spec.defaultBackend the root location serves; none once an Ingress path `/` took the root over. */
function rootFallback(drafts: readonly LocationDraft[]): DefaultRoute | null {
  return drafts.find((d) => d.route === null)?.defaultRoute ?? null
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function describeBackend(backend: BackendRef): string {
  if (backend.kind === 'resource') return `${backend.resourceKind}/${backend.name}${backend.apiGroup ? ` (${backend.apiGroup})` : ''}`
  return `${backend.service}:${'number' in backend.port ? backend.port.number : backend.port.name}`
}

/**
 * Canary Ingresses (controller.go mergeAlternativeBackends): a canary path finds the main location
 * with the same host, path and type, and becomes the alternative backend of that location's
 * *upstream* (Service and port) — so every location sending traffic to that upstream, on any host,
 * can send it to the canary, and only the first canary of an upstream is used (balancer.lua takes
 * alternative_backends[1]).
 */
function attachCanaries(canaries: readonly Ingress[], policies: ReadonlyMap<Ingress, IngressPolicy>, servers: ReadonlyMap<string, ServerDraft>, routes: Route[], diagnostics: Diagnostic[]): void {
  const byUpstream = new Map<string, CanaryRoute>()
  for (const ingress of canaries) {
    const policy = policies.get(ingress)!
    const origin = originOf(ingress)
    for (const rule of ingress.rules) {
      for (const path of rule.paths) {
        const routePath = path.path === '' ? '/' : path.path
        const main = servers.get(rule.host ?? '')?.find(routePath, path.pathType === 'Exact' ? 'Exact' : 'Prefix') ?? null
        const where = `${rule.host ?? '*'} ${routePath} (${path.pathType})`
        if (main === null) {
          diagnostics.push({severity: 'warning', at: path.at, field: `${path.field}.path`, message: `canary Ingress ${objectKey(ingress.meta)}: no main (non-canary) Ingress serves ${where}, so this canary is never used. A canary must repeat the host, path and pathType of the Ingress it shadows.`})
          continue
        }
        const upstream = upstreamKey(main)
        const first = byUpstream.get(upstream)
        if (first !== undefined) {
          if (first.origin !== origin) diagnostics.push({severity: 'warning', at: path.at, field: `${path.field}.path`, message: `canary Ingress ${objectKey(ingress.meta)} is not used for ${where}: Ingress ${first.origin.namespace}/${first.origin.name} is already the canary of ${describeBackend(main.backend)}, and ingress-nginx uses only the first canary of an upstream.`})
          continue
        }
        byUpstream.set(upstream, {backend: path.backend, rule: policy.canary!, policy, origin, at: path.at})
      }
    }
  }
  if (byUpstream.size === 0) return
  for (let i = 0; i < routes.length; i++) {
    const canary = byUpstream.get(upstreamKey(routes[i]!))
    if (canary === undefined) continue
    const updated = {...routes[i]!, canary, active: true}
    servers.get(updated.host ?? '')!.replace(routes[i]!, updated)
    routes[i] = updated
  }
}

function upstreamKey(route: Route): string {
  return `${route.origin.namespace}/${describeBackend(route.backend)}`
}

/** from-to-www-redirect serves the other name of each exact rule host, unless a rule names it too. */
function wwwAlternatesOf(ingresses: readonly Ingress[], policies: ReadonlyMap<Ingress, IngressPolicy>, exactHosts: ReadonlyMap<string, VirtualHost>): Map<string, string> {
  const alternates = new Map<string, string>()
  for (const ingress of ingresses) {
    if (!policies.get(ingress)!.fromToWwwRedirect) continue
    for (const rule of ingress.rules) {
      if (rule.host === null || rule.host.startsWith('*.')) continue
      const other = rule.host.startsWith('www.') ? rule.host.slice(4) : `www.${rule.host}`
      if (!exactHosts.has(other) && !alternates.has(other)) alternates.set(other, rule.host)
    }
  }
  return alternates
}
