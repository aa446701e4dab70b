import type {Snapshot} from '../manifests/model.js'
import {evaluateGateway, type GatewayAnswer, type GatewayRequest} from '../gateway/evaluate.js'
import type {GatewayTable} from '../gateway/route-table.js'
import type {RouteTable} from '../routing/table.js'
import {wellKnownPort} from '../routing/normalize.js'

/** Which front end of the route model answers a request. */
export type FrontEnd =
  /** The Gateway API's semantics: the HTTPRoute evaluation's answer (maybe a 404 of the listener). */
  | {readonly kind: 'gateway'; readonly answer: GatewayAnswer}
  /** ingress-nginx's semantics: the Ingress table matches the request. */
  | {readonly kind: 'ingress'}
  /**
   * Nothing serves the request's port: no Gateway listener has it and no Ingress is served there (a
   * Gateway's own address whose listener a reload removed; for explain and diff, a URL port other
   * than 80/443 that no listener declares).
   */
  | {readonly kind: 'none'}

const NONE: FrontEnd = {kind: 'none'}
export const INGRESS: FrontEnd = {kind: 'ingress'}

/**
 * Where Ingresses and Gateways share an address and port, the Gateway answers when a listener of
 * the request's port and protocol has an HTTPRoute for the request's host; so does it when no
 * Ingress is served there (a Gateway's own address) or none is loaded, and such a request gets the
 * Gateway listener's 404. Otherwise the Ingresses answer, as they would without Gateways (a host
 * nobody names gets their 404). The one decision the proxy, `explain` and `diff` make, so that
 * what they say is what is served.
 *
 * `ingress`: the Ingress table served where the request arrives, or null when none is.
 */
export function frontEndFor(gateways: GatewayTable, ingress: RouteTable | null, snapshot: Snapshot, request: GatewayRequest): FrontEnd {
  const answer = gateways.listeners.length === 0 ? null : evaluateGateway(gateways, snapshot, request)
  if (answer === null) return ingress === null ? NONE : INGRESS
  return answer.claimed || ingress === null || ingress.empty ? {kind: 'gateway', answer} : INGRESS
}

/** The Ingresses are served on the scheme's own port only (80, 443), as ingress-nginx listens: `table` there, else null. */
export function ingressAt(table: RouteTable, scheme: 'http' | 'https', port: number): RouteTable | null {
  return port === wellKnownPort(scheme) ? table : null
}

