import {policyIsActive} from '../annotations/active.js'
import {parseAnnotations} from '../annotations/parse.js'
import {rewriteRegexFor} from '../annotations/rewrite.js'
import type {AnnotationReport, IngressPolicy} from '../annotations/policy.js'
import type {Diagnostic} from '../manifests/diagnostic.js'
import {objectKey, type BackendRef, type Ingress, type PathType, type Snapshot} from '../manifests/model.js'
import {annotationWarnings} from './annotation-warnings.js'
import {RouteTable, type CanaryRoute, type DefaultRoute, type HostMatchKind, type Route, type RouteOrigin, type VirtualHost} from './table.js'
import {hostWarnings, serviceWarnings, tlsWarnings} from './warnings.js'

export interface CompileOptions {
  /** Serve only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation). */
  readonly className?: string
}

export interface CompileResult {
  readonly table: RouteTable
  readonly diagnostics: Diagnostic[]
  /** The Ingresses that passed the class filter, oldest first. */
  readonly ingresses: readonly Ingress[]
  /** Per Ingress (`namespace/name`), how each ingress-nginx annotation is honoured. */
  readonly annotationReports: ReadonlyMap<string, readonly AnnotationReport[]>
}

/**
 * Snapshot → RouteTable, pure: the same snapshot always gives the same table and the same
 * diagnostics. Ingresses for one host are merged as ingress-nginx merges them; on a conflict (same
 * host, path and pathType) the oldest Ingress wins.
 */
export function compile(snapshot: Snapshot, options: CompileOptions = {}): CompileResult {
  const diagnostics: Diagnostic[] = []
  const ingresses = selectByClass(snapshot.ingresses, options.className, diagnostics).sort(byAge)
  const tlsHosts = collectTlsHosts(ingresses)

  const policies = new Map<Ingress, IngressPolicy>()
  const annotationReports = new Map<string, readonly AnnotationReport[]>()
  for (const ingress of ingresses) {
    const parsed = parseAnnotations(ingress.meta.annotations, ingress.meta.namespace)
    policies.set(ingress, parsed.policy)
    annotationReports.set(objectKey(ingress.meta), parsed.reports)
  }
  const regexHosts = hostsInRegexMode(ingresses, policies)

  const builders = new Map<string, HostBuilder>()
  const builderFor = (host: string | null): HostBuilder => {
    const key = host ?? ''
    let builder = builders.get(key)
    if (!builder) {
      builder = new HostBuilder(host, host !== null && coveredByTls(host, tlsHosts), regexHosts.has(key))
      builders.set(key, builder)
    }
    return builder
  }

  let nextId = 0
  const canaries: Ingress[] = []
  let catchAllDefault: DefaultRoute | null = null
  for (const ingress of ingresses) {
    const policy = policies.get(ingress)!
    if (policy.canary) {
      canaries.push(ingress)
      continue
    }
    const origin = originOf(ingress)
    const active = policyIsActive(policy)
    const defaultRoute = ingress.defaultBackend && ingress.defaultBackendAt ? {backend: ingress.defaultBackend, origin, at: ingress.defaultBackendAt, policy, active: active || tlsHosts.size > 0} : null
    if (defaultRoute && ingress.rules.length === 0) catchAllDefault ??= defaultRoute
    for (const rule of ingress.rules) {
      const builder = builderFor(rule.host)
      if (defaultRoute) builder.offerDefault(defaultRoute)
      if (rule.host === null && defaultRoute) catchAllDefault ??= defaultRoute
      for (const path of rule.paths) {
        const routePath = path.path === '' ? '/' : path.path
        const regex = builder.regexMode && path.pathType !== 'Exact' ? nginxRegex(routePath, path, diagnostics) : null
        const route: Route = {
          id: nextId++,
          host: rule.host,
          path: routePath,
          pathType: path.pathType,
          backend: path.backend,
          origin,
          at: path.at,
          field: path.field,
          tls: builder.tls,
          policy,
          regex,
          canary: null,
          rewriteRegex: policy.rewriteTarget === null ? null : rewriteRegexFor(routePath, regex),
          // A wildcard or host-less rule can serve a host listed under spec.tls: ssl-redirect is decided per request.
          active: active || builder.tls || (tlsHosts.size > 0 && (rule.host === null || rule.host.startsWith('*.'))),
        }
        const loser = builder.add(route)
        if (loser) diagnostics.push(conflictWarning(loser.kept, loser.dropped))
      }
    }
  }
  for (const ingress of canaries) attachCanary(ingress, policies.get(ingress)!, builders, diagnostics)

  const exactHosts = new Map<string, VirtualHost>()
  const wildcardHosts = new Map<string, VirtualHost>()
  let anyHost: VirtualHost | null = null
  for (const builder of [...builders.values()].sort((a, b) => (a.host ?? '').localeCompare(b.host ?? ''))) {
    const vhost = builder.build()
    if (vhost.kind === 'exact') exactHosts.set(vhost.pattern!, vhost)
    else if (vhost.kind === 'wildcard') wildcardHosts.set(vhost.pattern!.slice(2), vhost)
    else anyHost = vhost
  }

  diagnostics.push(
    ...tlsWarnings(ingresses, builders),
    ...hostWarnings(ingresses),
    ...serviceWarnings(ingresses, snapshot.services),
    ...annotationWarnings(ingresses, policies, annotationReports, regexHosts),
  )
  const wwwAlternates = wwwAlternatesOf(ingresses, policies, exactHosts)
  const table = new RouteTable([...builders.values()].flatMap((b) => b.allRoutes()), exactHosts, wildcardHosts, anyHost, catchAllDefault, wwwAlternates, tlsHosts)
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

/** Oldest first: a creationTimestamp orders objects that have one, before those without; then load order. */
export function byAge(a: Ingress, b: Ingress): number {
  const ta = a.meta.creationTimestamp
  const tb = b.meta.creationTimestamp
  if (ta !== null && tb !== null && ta !== tb) return Date.parse(ta) - Date.parse(tb)
  if (ta !== null && tb === null) return -1
  if (ta === null && tb !== null) return 1
  return a.meta.loadIndex - b.meta.loadIndex
}

function originOf(ingress: Ingress): RouteOrigin {
  return {namespace: ingress.meta.namespace, name: ingress.meta.name, at: ingress.meta.at, annotations: ingress.meta.annotations}
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

const PATH_TYPE_RANK: Record<PathType, number> = {Exact: 0, Prefix: 1, ImplementationSpecific: 2}

/** Precedence within one host: longer path first; at equal length Exact, Prefix, ImplementationSpecific. */
function byPrecedence(a: Route, b: Route): number {
  const la = matchLength(a)
  const lb = matchLength(b)
  if (la !== lb) return lb - la
  return PATH_TYPE_RANK[a.pathType] - PATH_TYPE_RANK[b.pathType] || a.id - b.id
}

function matchLength(route: Route): number {
  return route.pathType === 'Prefix' ? prefixKey(route.path).length : route.path.length
}

/** Prefix `/foo/` and `/foo` are the same rule (the trailing slash is ignored); `/` is the empty key. */
export function prefixKey(path: string): string {
  let end = path.length
  while (end > 0 && path[end - 1] === '/') end--
  return path.slice(0, end)
}

function conflictWarning(kept: Route, dropped: Route): Diagnostic {
  const host = dropped.host ?? '*(any host)'
  const winner = `Ingress ${kept.origin.namespace}/${kept.origin.name} (${kept.at.file}:${kept.at.line})`
  return {
    severity: 'warning',
    at: dropped.at,
    field: `${dropped.field}.path`,
    message: `${host} ${dropped.path} (${dropped.pathType}) is already served by ${winner}, which is older and wins; this path is ignored. Remove one of them or change the path.`,
  }
}

class HostBuilder {
  private readonly routes: Route[] = []
  private readonly exact = new Map<string, Route>()
  private readonly prefix = new Map<string, Route>()
  private readonly stringPrefix = new Map<string, Route>()
  private defaultRoute: DefaultRoute | null = null

  constructor(
    readonly host: string | null,
    readonly tls: boolean,
    readonly regexMode: boolean,
  ) {}

  allRoutes(): Route[] {
    return this.routes
  }

  /** The route a canary Ingress shadows: same path and pathType. */
  find(path: string, pathType: Route['pathType']): Route | undefined {
    const [index, key] = this.indexFor({path, pathType})
    return index.get(key)
  }

  replace(old: Route, updated: Route): void {
    const [index, key] = this.indexFor(old)
    index.set(key, updated)
    this.routes[this.routes.indexOf(old)] = updated
  }

  /** Adds a route unless an older one has the same path and pathType; then reports the pair. */
  add(route: Route): {kept: Route; dropped: Route} | null {
    const [index, key] = this.indexFor(route)
    const existing = index.get(key)
    if (existing) return {kept: existing, dropped: route}
    index.set(key, route)
    this.routes.push(route)
    return null
  }

  offerDefault(route: DefaultRoute): void {
    this.defaultRoute ??= route
  }

  build(): VirtualHost {
    const kind: HostMatchKind = this.host === null ? 'any' : this.host.startsWith('*.') ? 'wildcard' : 'exact'
    const lengths = [...new Set([...this.stringPrefix.keys()].map((k) => k.length))].sort((a, b) => b - a)
    return {
      pattern: this.host,
      kind,
      routes: [...this.routes].sort(byPrecedence),
      exact: this.exact,
      prefix: this.prefix,
      stringPrefix: this.stringPrefix,
      stringPrefixLengths: lengths,
      regexRoutes: this.regexMode ? this.routes.filter((r) => r.regex !== null).sort(byPathLengthDesc) : [],
      defaultRoute: this.defaultRoute,
      tls: this.tls,
    }
  }

  private indexFor(route: Pick<Route, 'path' | 'pathType'>): [Map<string, Route>, string] {
    switch (route.pathType) {
      case 'Exact':
        return [this.exact, route.path]
      case 'Prefix':
        return [this.prefix, prefixKey(route.path)]
      case 'ImplementationSpecific':
        return [this.stringPrefix, route.path]
    }
  }
}

export function describeBackend(backend: BackendRef): string {
  if (backend.kind === 'resource') return `${backend.resourceKind}/${backend.name}${backend.apiGroup ? ` (${backend.apiGroup})` : ''}`
  return `${backend.service}:${'number' in backend.port ? backend.port.number : backend.port.name}`
}

/** ingress-nginx puts every path of a host in regex mode when any of its Ingresses has use-regex or rewrite-target. */
function hostsInRegexMode(ingresses: readonly Ingress[], policies: ReadonlyMap<Ingress, IngressPolicy>): Set<string> {
  const hosts = new Set<string>()
  for (const ingress of ingresses) {
    const policy = policies.get(ingress)!
    if (!policy.useRegex && policy.rewriteTarget === null) continue
    for (const rule of ingress.rules) hosts.add(rule.host ?? '')
  }
  return hosts
}

/** `location ~* "^<path>"`: anchored at the start, case-insensitive, as ingress-nginx writes it. */
function nginxRegex(path: string, at: {at: Diagnostic['at']; field: string}, diagnostics: Diagnostic[]): RegExp {
  try {
    return new RegExp('^' + path, 'i')
  } catch (error) {
    diagnostics.push({
      severity: 'warning',
      at: at.at,
      field: `${at.field}.path`,
      message: `"${path}" is not a valid regular expression (${(error as Error).message}); it is matched literally. In regex mode every path of the host is a regex: escape special characters.`,
    })
    return new RegExp('^' + path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
  }
}

function byPathLengthDesc(a: Route, b: Route): number {
  return b.path.length - a.path.length || a.id - b.id
}

/** A canary Ingress does not conflict with the main one: it becomes the alternative backend of the same path. */
function attachCanary(ingress: Ingress, policy: IngressPolicy, builders: ReadonlyMap<string, HostBuilder>, diagnostics: Diagnostic[]): void {
  const origin = originOf(ingress)
  for (const rule of ingress.rules) {
    for (const path of rule.paths) {
      const routePath = path.path === '' ? '/' : path.path
      const builder = builders.get(rule.host ?? '')
      const main = builder?.find(routePath, path.pathType)
      if (!builder || !main) {
        diagnostics.push({
          severity: 'warning',
          at: path.at,
          field: `${path.field}.path`,
          message: `canary Ingress ${objectKey(ingress.meta)}: no main (non-canary) Ingress serves ${rule.host ?? '*'} ${routePath} (${path.pathType}), so this canary is never used. A canary must repeat the host, path and pathType of the Ingress it shadows.`,
        })
        continue
      }
      const canary: CanaryRoute = {backend: path.backend, rule: policy.canary!, policy, origin, at: path.at}
      builder.replace(main, {...main, canary, active: true})
    }
  }
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
