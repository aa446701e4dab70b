import type {Snapshot} from '../manifests/model.js'
import {compileGatewayTable, type GatewayTable} from '../gateway/route-table.js'
import type {RouteTable} from '../routing/table.js'

/**
 * The one immutable configuration the providers (manifests, Docker, --backend) compile into and
 * everything that serves or describes traffic reads: the proxy, `explain`, `routes`, `diff`. Two
 * front ends fill it: Ingresses with ingress-nginx's locations and their annotations as route steps,
 * HTTPRoutes on Gateway listeners with the Gateway API's precedence and their filters as route
 * steps (src/model/steps.ts); frontEndFor (front-end.ts) decides which one answers a request.
 */
export interface RouteModel {
  /** The Ingresses, as ingress-nginx's server blocks and locations. */
  readonly table: RouteTable
  /** The HTTPRoutes attached to each accepted Gateway listener (none: no Gateway is loaded). */
  readonly gateways: GatewayTable
}

/** The model of a snapshot whose Ingresses are compiled into `table`; `className` selects Gateways by gatewayClassName. */
export function routeModelOf(snapshot: Snapshot, table: RouteTable, className?: string): RouteModel {
  return {table, gateways: compileGatewayTable(snapshot, {className})}
}
