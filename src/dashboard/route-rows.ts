import type {BackendTable, ResolvedBackend} from '../backends/resolver.js'
import {formatAddress, type Endpoint} from '../backends/types.js'
import {describeBackendRefs, listedListeners, matchConditions} from '../gateway/route-list.js'
import type {GatewayTable} from '../gateway/route-table.js'
import type {MatchResult, Route, RouteTable} from '../routing/table.js'
import type {EndpointState, RouteRow, RouteRowEndpoint} from './types.js'

/**
 * Builds the dashboard's RouteRow[] from what the runtime serves. It imports types and one small
 * pure helper: this module costs nothing to load and touches no socket.
 *
 *   routes: () => routeRows(state.table, (route) => state.backends.forMatch(routeMatch(route)))
 */
export function routeRows(table: RouteTable, backendFor: (route: Route) => ResolvedBackend | undefined, now: number = Date.now()): RouteRow[] {
  return table.routes.map((route) => {
    const backend = backendFor(route)
    const service = backend?.label ?? backendLabel(route)
    const endpoints = backend ? backend.endpoints.map((endpoint) => endpointRow(endpoint, backend, now)) : []
    return {
      routeId: route.id,
      host: route.host,
      path: route.path,
      pathType: route.pathType,
      service,
      serviceKey: backend?.key,
      endpoints,
      problem: backend ? backend.problem : 'no backend resolved',
    }
  })
}

/**
 * One row per HTTPRoute match on each accepted Gateway listener, in precedence order; its routeId is
 * the match's (negative) Candidate id, which the proxy puts on the RequestEvents it answers. The
 * endpoints are those of the first backendRef the proxy can resolve.
 */
export function gatewayRouteRows(gateways: GatewayTable, backends: BackendTable, now: number = Date.now()): RouteRow[] {
  const rows: RouteRow[] = []
  for (const listener of listedListeners(gateways)) {
    for (const c of listener.matches) {
      const namespace = c.route.meta.namespace
      const ref = c.rule.backendRefs.find((b) => b.port !== null && b.group === '' && b.kind === 'Service')
      const backend = ref === undefined ? undefined : backends.forService(ref.namespace ?? namespace, ref.name, ref.port!)
      rows.push({
        routeId: c.id,
        host: c.hostname === '*' ? null : c.hostname,
        path: c.match.path.value,
        // `PathPrefix, GET, header x=1`: the label shows the match's other conditions beside its path type.
        pathType: [c.match.path.type, ...matchConditions(c.match)].join(', '),
        service: describeBackendRefs(c.rule.backendRefs, namespace),
        serviceKey: backend?.key,
        endpoints: backend ? backend.endpoints.map((endpoint) => endpointRow(endpoint, backend, now)) : [],
        problem: backend ? backend.problem : c.rule.backendRefs.length === 0 ? 'no backendRefs: the Gateway answers 500' : 'no backendRef kingress can resolve',
      })
    }
  }
  return rows
}

/**
 * A stand-in MatchResult that selects `route`, for `BackendTable.forMatch` (which reads only `route`
 * and `defaultRoute`). Prefer a `BackendTable.forRoute(route)` if the runtime adds one.
 */
export function routeMatch(route: Route): MatchResult {
  const match: Pick<MatchResult, 'route' | 'defaultRoute'> = {route, defaultRoute: null}
  return match as MatchResult
}

export function endpointAddress(endpoint: Pick<Endpoint, 'host' | 'port'>): string {
  return formatAddress(endpoint.host, endpoint.port)
}

/** ready / starting (healthcheck still starting) / unhealthy (any other not-ready reason) / ejected (passive health). */
export function endpointState(ready: boolean, notReadyReason: string | null, ejected: boolean): EndpointState {
  if (!ready) return notReadyReason !== null && /starting/i.test(notReadyReason) ? 'starting' : 'unhealthy'
  return ejected ? 'ejected' : 'ready'
}

function endpointRow(endpoint: Endpoint, backend: ResolvedBackend, now: number): RouteRowEndpoint {
  const member = backend.balancer.members.find((m) => m.endpoint.id === endpoint.id)
  const health = member?.health
  const ejected = health !== undefined && health.failures > 0 && now < health.ejectedUntil
  return {
    name: endpoint.name,
    address: member?.address ?? endpointAddress(endpoint),
    state: endpointState(endpoint.ready, endpoint.notReadyReason, ejected),
    reason: ejected ? (health?.lastError ?? null) : endpoint.notReadyReason,
  }
}

function backendLabel(route: Route): string {
  const backend = route.backend
  if (backend.kind === 'resource') return `${backend.resourceKind}/${backend.name}`
  return `${backend.service}:${'number' in backend.port ? backend.port.number : backend.port.name}`
}
