import {formatPosition} from '../manifests/position.js'
import type {BackendRef} from '../manifests/model.js'
import {describeBackend} from '../routing/compile.js'
import type {DefaultRoute, Route, RouteTable} from '../routing/table.js'
import {textTable} from './text-table.js'

export interface RouteJson {
  readonly host: string | null
  readonly path: string
  readonly pathType: string
  readonly service: string | null
  readonly port: number | string | null
  readonly backend: string
  readonly tls: boolean
  readonly ingress: string
  readonly source: string
}

export function backendFields(backend: BackendRef): {service: string | null; port: number | string | null} {
  if (backend.kind === 'resource') return {service: null, port: null}
  return {service: backend.service, port: 'number' in backend.port ? backend.port.number : backend.port.name}
}

export function routeJson(route: Route): RouteJson {
  return {
    host: route.host,
    path: route.path,
    pathType: route.pathType,
    ...backendFields(route.backend),
    backend: describeBackend(route.backend),
    tls: route.tls,
    ingress: `${route.origin.namespace}/${route.origin.name}`,
    source: formatPosition(route.at),
  }
}

function defaultJson(host: string | null, route: DefaultRoute): Record<string, unknown> {
  return {host, ...backendFields(route.backend), backend: describeBackend(route.backend), ingress: `${route.origin.namespace}/${route.origin.name}`, source: formatPosition(route.at)}
}

/** Routes in the order they are consulted: host by host, best path first. */
export function orderedRoutes(table: RouteTable): Route[] {
  return table.virtualHosts.flatMap((vhost) => vhost.routes)
}

export function routesAsJson(table: RouteTable): Record<string, unknown> {
  const defaults = table.virtualHosts.filter((v) => v.defaultRoute).map((v) => defaultJson(v.pattern, v.defaultRoute!))
  if (table.catchAllDefault && !table.anyHost?.defaultRoute) defaults.push(defaultJson(null, table.catchAllDefault))
  return {routes: orderedRoutes(table).map(routeJson), defaultBackends: defaults}
}

export function routesAsText(table: RouteTable): string {
  const rows = orderedRoutes(table).map((route) => {
    const json = routeJson(route)
    return [route.host ?? '*', route.path, route.pathType, json.backend, route.tls ? 'yes' : 'no', `${json.ingress} (${json.source})`]
  })
  for (const vhost of table.virtualHosts) {
    if (vhost.defaultRoute) rows.push([vhost.pattern ?? '*', '(default)', '-', describeBackend(vhost.defaultRoute.backend), vhost.tls ? 'yes' : 'no', `${vhost.defaultRoute.origin.namespace}/${vhost.defaultRoute.origin.name} (${formatPosition(vhost.defaultRoute.at)})`])
  }
  if (table.catchAllDefault && !table.anyHost?.defaultRoute) {
    const d = table.catchAllDefault
    rows.push(['*', '(default)', '-', describeBackend(d.backend), 'no', `${d.origin.namespace}/${d.origin.name} (${formatPosition(d.at)})`])
  }
  if (rows.length === 0) return 'No routes: the manifests hold no Ingress rules (or none of the selected class).'
  return textTable(['HOST', 'PATH', 'PATH TYPE', 'BACKEND', 'TLS', 'INGRESS'], rows)
}
