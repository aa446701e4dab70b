import type {BackendRef, Snapshot} from '../manifests/model.js'
import type {DefaultRoute, MatchResult, RouteTable} from '../routing/table.js'
import type {GatewayTable} from '../gateway/route-table.js'
import {RoundRobin} from './balancer.js'
import {formatSelector} from './docker/candidates.js'
import type {EndpointHealth, HealthRegistry} from './health.js'
import {formatAddress, serviceRefKey, type BackendTarget, type Endpoint, type EndpointProvider, type ServiceRef} from './types.js'

/** One ready endpoint as the proxy dials it. */
export interface ResolvedEndpoint {
  readonly endpoint: Endpoint
  /** `host:port` (IPv6 in brackets): the key of its connection pool and what logs show. */
  readonly address: string
  readonly health: EndpointHealth
}

/** A backend reference resolved to endpoints, with a balancer; immutable except for balancer state. */
export interface ResolvedBackend {
  readonly key: string
  /** `webserver-blue-svc:80`, for pages and logs. */
  readonly label: string
  readonly ref: ServiceRef | null
  readonly provider: string | null
  readonly source: string
  /** Why this backend cannot take traffic, and what to do; null when it has a ready endpoint. */
  readonly problem: string | null
  readonly endpoints: readonly Endpoint[]
  readonly balancer: RoundRobin<ResolvedEndpoint>
}

/** Backends for one RouteTable, looked up by route id without building keys per request. */
export class BackendTable {
  constructor(
    private readonly byRoute: readonly (ResolvedBackend | undefined)[],
    private readonly byDefault: ReadonlyMap<DefaultRoute, ResolvedBackend>,
    readonly all: readonly ResolvedBackend[],
    /** The canary Ingress's backend of a route (by route id), when the route has a canary. */
    private readonly byCanary: readonly (ResolvedBackend | undefined)[] = [],
    /** HTTPRoute backendRefs to Services, by `namespace/name:port`. */
    private readonly byService: ReadonlyMap<string, ResolvedBackend> = new Map(),
  ) {}

  /** The Service an HTTPRoute backendRef names, resolved when the table was built; undefined if no rule names it. */
  forService(namespace: string, name: string, port: number): ResolvedBackend | undefined {
    return this.byService.get(`${namespace}/${name}:${port}`)
  }

  forCanary(routeId: number): ResolvedBackend | undefined {
    return this.byCanary[routeId]
  }

  forMatch(match: MatchResult): ResolvedBackend | undefined {
    if (match.route) return this.byRoute[match.route.id]
    if (match.defaultRoute) return this.byDefault.get(match.defaultRoute)
    return undefined
  }

  endpointIds(): Set<string> {
    const ids = new Set<string>()
    for (const backend of this.all) for (const member of backend.balancer.members) ids.add(member.endpoint.id)
    return ids
  }
}

/** Asks the providers, in order, for every backend the table (and the HTTPRoutes on Gateway listeners) references. */
export function resolveBackends(table: RouteTable, snapshot: Snapshot, providers: readonly EndpointProvider[], health: HealthRegistry, gateways: GatewayTable = {listeners: []}): BackendTable {
  const cache = new Map<string, ResolvedBackend>()
  const resolveRef = (namespace: string, backend: BackendRef): ResolvedBackend => {
    const key = backend.kind === 'service' ? serviceRefKey({namespace, service: backend.service, port: backend.port}) : `${namespace}/resource:${backend.resourceKind}/${backend.name}`
    let resolved = cache.get(key)
    if (!resolved) {
      resolved = resolveOne(key, namespace, backend, snapshot, providers, health)
      cache.set(key, resolved)
    }
    return resolved
  }
  const byRoute: (ResolvedBackend | undefined)[] = []
  const byCanary: (ResolvedBackend | undefined)[] = []
  for (const route of table.routes) {
    byRoute[route.id] = resolveRef(route.origin.namespace, route.backend)
    if (route.canary) byCanary[route.id] = resolveRef(route.canary.origin.namespace, route.canary.backend)
  }
  const byDefault = new Map<DefaultRoute, ResolvedBackend>()
  const defaults = new Set<DefaultRoute>()
  for (const vhost of table.virtualHosts) if (vhost.defaultRoute) defaults.add(vhost.defaultRoute)
  if (table.catchAllDefault) defaults.add(table.catchAllDefault)
  for (const route of defaults) byDefault.set(route, resolveRef(route.origin.namespace, route.backend))
  const byService = new Map<string, ResolvedBackend>()
  for (const listener of gateways.listeners) {
    for (const candidate of listener.candidates) {
      const rule = candidate.rule
      // The backendRefs, and the backendRefs of RequestMirror filters (the rule's and the backendRefs').
      const mirrors = [...rule.filters, ...rule.backendRefs.flatMap((b) => b.filters)].flatMap((f) => (f.mirrorBackendRef === null ? [] : [f.mirrorBackendRef]))
      for (const ref of [...rule.backendRefs, ...mirrors]) {
        // Only Services with a port: other kinds answer 500 by the Gateway API, never reach a provider.
        if (ref.group !== '' || ref.kind !== 'Service' || ref.port === null) continue
        const namespace = ref.namespace ?? candidate.route.meta.namespace
        const key = `${namespace}/${ref.name}:${ref.port}`
        if (!byService.has(key)) byService.set(key, resolveRef(namespace, {kind: 'service', service: ref.name, port: {number: ref.port}}))
      }
    }
  }
  return new BackendTable(byRoute, byDefault, [...cache.values()], byCanary, byService)
}

function resolveOne(key: string, namespace: string, backend: BackendRef, snapshot: Snapshot, providers: readonly EndpointProvider[], health: HealthRegistry): ResolvedBackend {
  if (backend.kind === 'resource') {
    const label = `${backend.resourceKind}/${backend.name}`
    const problem = `the backend is a resource (${label}), not a Service: kingress serves only Service backends. Use service: {name: ..., port: ...} in the Ingress.`
    return {key, label, ref: null, provider: null, source: 'resource backend', problem, endpoints: [], balancer: new RoundRobin([])}
  }
  const ref: ServiceRef = {namespace, service: backend.service, port: backend.port}
  const label = `${ref.service}:${'number' in ref.port ? ref.port.number : ref.port.name}`
  for (const provider of providers) {
    const target = provider.resolve(ref, snapshot)
    if (target) return fromTarget(key, label, provider.name, target, health)
  }
  return {key, label, ref, provider: null, source: 'unresolved', problem: unresolvedProblem(ref, snapshot, providers), endpoints: [], balancer: new RoundRobin([])}
}

function fromTarget(key: string, label: string, provider: string, target: BackendTarget, health: HealthRegistry): ResolvedBackend {
  const ready: ResolvedEndpoint[] = []
  for (const endpoint of target.endpoints) {
    if (!endpoint.ready) continue
    const address = formatAddress(endpoint.host, endpoint.port)
    ready.push({endpoint, address, health: health.get(endpoint.id)})
  }
  let problem = target.problem
  if (ready.length === 0 && problem === null) {
    const reasons = target.endpoints.map((e) => `${e.name}: ${e.notReadyReason ?? 'not ready'}`)
    problem = reasons.length > 0 ? `no endpoint is ready (${reasons.join('; ')}).` : `${target.source} found no endpoint.`
  }
  return {key, label, ref: target.ref, provider, source: target.source, problem, endpoints: target.endpoints, balancer: new RoundRobin(ready)}
}

/** What to tell the user when no provider knows the Service. */
export function unresolvedProblem(ref: ServiceRef, snapshot: Snapshot, providers: readonly EndpointProvider[]): string {
  const flag = `--backend ${ref.service}=127.0.0.1:3000`
  const docker = providers.some((p) => p.name === 'docker')
  const service = snapshot.services.find((s) => s.meta.name === ref.service && s.meta.namespace === ref.namespace)
  if (service?.selector) {
    const selector = formatSelector(service.selector)
    const dockerPart = docker ? `no running Docker container has the labels ${selector}` : `Docker discovery is not in use (--no-docker, or not available), so its selector ${selector} matches nothing`
    return `Service ${ref.namespace}/${ref.service} selects containers by labels, and ${dockerPart}. Start a container with those labels, or point the Service at a local server: ${flag} (repeat the flag for more endpoints).`
  }
  const explained = providers.map((p) => (p as {explainMiss?: (ref: ServiceRef) => string}).explainMiss?.(ref)).find((text) => text)
  const dockerPart = explained ? `; ${explained}` : docker ? `, and no Docker container is labelled kingress.service=${ref.service} or named ${ref.service}` : ''
  return `no endpoints for Service ${ref.service}: no --backend flag names it, no Service object with that name is loaded${dockerPart}. Pass ${flag} (repeat the flag for more endpoints), or load a Service with an EndpointSlice.`
}
