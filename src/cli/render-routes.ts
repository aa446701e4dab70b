import {formatPosition} from '../manifests/position.js'
import type {BackendRef} from '../manifests/model.js'
import {describeBackend} from '../routing/compile.js'
import type {DefaultRoute, Location, Route, RouteTable, VirtualHost} from '../routing/table.js'
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

/** Routes in the order they are consulted: host by host, in the order of their first nginx location. */
export function orderedRoutes(table: RouteTable): Route[] {
  return table.virtualHosts.flatMap((vhost) => vhost.routes)
}

/** One nginx location, in the API's field names where it has them. */
export function locationJson(location: Location): Record<string, unknown> {
  const route = location.route
  const backend = route?.backend ?? location.defaultRoute?.backend ?? null
  return {
    nginx: location.directive,
    kind: location.kind,
    name: location.name,
    source: location.source,
    path: route?.path ?? null,
    pathType: route?.pathType ?? null,
    ...(backend ? backendFields(backend) : {service: null, port: null}),
    backend: backend ? describeBackend(backend) : 'default backend (404)',
    ingress: route ? `${route.origin.namespace}/${route.origin.name}` : location.defaultRoute ? `${location.defaultRoute.origin.namespace}/${location.defaultRoute.origin.name}` : (location.root ? `${location.root.origin.namespace}/${location.root.origin.name}` : null),
    at: route ? formatPosition(route.at) : location.defaultRoute ? formatPosition(location.defaultRoute.at) : null,
  }
}

function hostJson(vhost: VirtualHost): Record<string, unknown> {
  const cause = vhost.regexMode
  return {
    host: vhost.pattern,
    tls: vhost.tls,
    regexMode: cause ? {ingress: cause.ingress, annotation: cause.annotation, source: formatPosition(cause.at)} : null,
    appRoot: vhost.appRoot,
    locations: vhost.locations.map(locationJson),
  }
}

export function routesAsJson(table: RouteTable): Record<string, unknown> {
  const defaults = table.virtualHosts.filter((v) => v.defaultRoute).map((v) => defaultJson(v.pattern, v.defaultRoute!))
  if (table.catchAllDefault && !table.anyHost?.defaultRoute) defaults.push(defaultJson(null, table.catchAllDefault))
  return {semantics: table.semantics, routes: orderedRoutes(table).map(routeJson), defaultBackends: defaults, servers: table.virtualHosts.map(hostJson)}
}

export function routesAsText(table: RouteTable): string {
  if (table.routes.length === 0 && table.catchAllDefault === null) return 'No routes: the manifests hold no Ingress rules (or none of the selected class).'
  const rows: string[][] = []
  for (const vhost of table.virtualHosts) {
    for (const location of vhost.locations) {
      const json = locationJson(location)
      const rule = location.route ? `${location.route.path} (${location.route.pathType})` : location.defaultRoute ? '(spec.defaultBackend)' : '(no rule: 404)'
      rows.push([vhost.pattern ?? '*', location.directive, rule, String(json.backend), vhost.tls ? 'yes' : 'no', json.ingress ? `${json.ingress}${json.at ? ` (${json.at})` : ''}` : '-'])
    }
  }
  if (table.catchAllDefault && !table.anyHost) {
    const d = table.catchAllDefault
    rows.push(['*', 'location /', '(spec.defaultBackend)', describeBackend(d.backend), 'no', `${d.origin.namespace}/${d.origin.name} (${formatPosition(d.at)})`])
  }
  const lines = [textTable(['HOST', 'NGINX LOCATION', 'RULE', 'BACKEND', 'TLS', 'INGRESS'], rows)]
  for (const vhost of table.virtualHosts) {
    const cause = vhost.regexMode
    if (cause) lines.push(`regex mode on ${vhost.pattern ?? '(rules without host)'}: Ingress ${cause.ingress} sets ${cause.annotation} (${formatPosition(cause.at)}); every location of the host is a case-insensitive regex, tried top to bottom.`)
    if (vhost.appRoot) lines.push(`app-root on ${vhost.pattern ?? '(rules without host)'}: / answers 302 to ${vhost.appRoot}.`)
  }
  if (table.semantics === 'spec') lines.push('--semantics spec: the Ingress API\'s documented matching (Exact, element-wise Prefix, longest wins), not ingress-nginx\'s.')
  else lines.push('Locations are in nginx.conf order (length, then string, descending). nginx tries a regex host\'s top to bottom; elsewhere an exact (=) match wins, then the longest prefix.')
  return lines.join('\n')
}
