import {formatPosition} from '../manifests/position.js'
import type {HTTPBackendRef, HTTPRouteMatch} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {precedes} from './evaluate.js'
import type {Candidate, GatewayTable, ListenerRoutes} from './route-table.js'

/**
 * What `routes` and the dashboard show of the Gateway side: per accepted listener, its HTTPRoute
 * matches in the order the Gateway API's precedence tries them. Pure, from the compiled table.
 */

export interface ListedListener {
  readonly gateway: string
  readonly listener: string
  readonly port: number
  readonly protocol: string
  readonly hostname: string | null
  readonly matches: readonly Candidate[]
}

export function listedListeners(table: GatewayTable): ListedListener[] {
  return table.listeners.map((l: ListenerRoutes) => ({
    gateway: objectKey(l.gateway.meta),
    listener: l.listener.name,
    port: l.listener.port,
    protocol: l.listener.protocol,
    hostname: l.listener.hostname,
    matches: [...l.candidates].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0)),
  }))
}

/** `PathPrefix /api, GET, header version=2, query debug~^1$` (`~`: a RegularExpression value). */
export function describeMatch(match: HTTPRouteMatch): string {
  return [`${match.path.type} ${match.path.value}`, ...matchConditions(match)].join(', ')
}

/** The conditions besides the path: `GET`, `header version=2`, `query debug~^1$`. */
export function matchConditions(match: HTTPRouteMatch): string[] {
  const parts: string[] = []
  if (match.method !== null) parts.push(match.method)
  for (const h of match.headers) parts.push(`header ${h.name}${h.type === 'Exact' ? '=' : '~'}${h.value}`)
  for (const q of match.queryParams) parts.push(`query ${q.name}${q.type === 'Exact' ? '=' : '~'}${q.value}`)
  return parts
}

/** `blue:8080 (weight 1), green:8080 (weight 3)`; a lone backend without its weight; `none (500)`. */
export function describeBackendRefs(refs: readonly HTTPBackendRef[], routeNamespace: string): string {
  if (refs.length === 0) return 'none (500)'
  return refs
    .map((ref) => {
      const namespace = ref.namespace !== null && ref.namespace !== routeNamespace ? `${ref.namespace}/` : ''
      const kind = ref.group === '' && ref.kind === 'Service' ? '' : `${ref.kind}/`
      const port = ref.port === null ? '' : `:${ref.port}`
      return `${kind}${namespace}${ref.name}${port}${refs.length > 1 ? ` (weight ${ref.weight})` : ''}`
    })
    .join(', ')
}

/** The match in the API's own field names, with the route, rule and where it was written. */
export function candidateJson(c: Candidate): Record<string, unknown> {
  const m = c.match
  return {
    hostname: c.hostname,
    httpRoute: objectKey(c.route.meta),
    rule: c.ruleIndex,
    ruleName: c.rule.name,
    match: {
      path: {type: m.path.type, value: m.path.value},
      ...(m.method === null ? {} : {method: m.method}),
      ...(m.headers.length === 0 ? {} : {headers: m.headers.map((h) => ({type: h.type, name: h.name, value: h.value}))}),
      ...(m.queryParams.length === 0 ? {} : {queryParams: m.queryParams.map((q) => ({type: q.type, name: q.name, value: q.value}))}),
    },
    filters: c.rule.filters.map((f) => f.type),
    backendRefs: c.rule.backendRefs.map((b) => ({...(b.group === '' ? {} : {group: b.group}), kind: b.kind, name: b.name, namespace: b.namespace ?? c.route.meta.namespace, port: b.port, weight: b.weight, ...(b.filters.length === 0 ? {} : {filters: b.filters.map((f) => f.type)})})),
    source: formatPosition(c.rule.at),
  }
}
