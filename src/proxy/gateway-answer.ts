import type {IncomingHttpHeaders} from 'node:http'

import type {BackendTable, ResolvedBackend} from '../backends/resolver.js'
import {corsOutcome} from '../gateway/cors.js'
import {type GatewayAnswer, type GatewayBackend, type GatewayMirror, type GatewayRequest, type HeaderEdit} from '../gateway/evaluate.js'
import {frontEndFor, INGRESS, type FrontEnd} from '../model/front-end.js'
import type {RuntimeState} from '../runtime/state.js'
import type {ListenerInfo} from './context.js'
import {routedPort} from './gateway-scope.js'
import type {RequestTarget} from './target.js'
import type {EarlyResponse} from '../annotations/request-view.js'
import type {ErrorPage} from './error-page.js'
import type {PageRequest} from './pages.js'

/**
 * Turns a GatewayAnswer (the pure evaluation of an HTTPRoute) into what the exchange does: an early
 * redirect, an error page with the route and listener that decided it, or a backend to forward to
 * with the request target, Host and header edits of the rule's filters.
 */

export type GatewayAction =
  | {readonly kind: 'redirect'; readonly early: EarlyResponse}
  | {readonly kind: 'page'; readonly status: number; readonly code: string; readonly title: string; readonly message: string; readonly hint: string}
  | {readonly kind: 'no-endpoints'; readonly backend: ResolvedBackend}
  | {readonly kind: 'forward'; readonly backend: ResolvedBackend; readonly forward: GatewayForward}

/** What the chosen backend gets and what comes back: the rule's filters, then the backendRef's. */
export interface GatewayForward {
  readonly target: string
  readonly host: string | null
  readonly requestHeaders: readonly HeaderEdit[]
  /** Null: nothing to edit. */
  readonly responseHeaders: readonly HeaderEdit[] | null
  readonly mirrors: readonly GatewayMirror[]
}

/** The request as the evaluation reads it: Node's header object as it is (the evaluation reads headers only for a header match). */
export function gatewayRequestOf(scheme: 'http' | 'https', port: number, method: string, host: string, path: string, query: string, headers: IncomingHttpHeaders): GatewayRequest {
  return {scheme, port, host, method, path, query, headers}
}

/**
 * Which front end answers on this socket (src/model/front-end.ts): its Gateways (without a scope:
 * every Gateway's listeners, 80 on the HTTP socket, 443 on the HTTPS one) and, unless it is a
 * Gateway's own address, the Ingresses.
 */
export function frontEndOf(state: RuntimeState, listener: ListenerInfo, method: string, target: RequestTarget, headers: IncomingHttpHeaders): FrontEnd {
  const scope = listener.gateway
  const ingress = scope?.ingress === false ? null : state.table
  const gateways = scope === undefined ? state.gateways : scope.tableOf(state.gateways)
  if (gateways.listeners.length === 0 && ingress !== null) return INGRESS
  const request = gatewayRequestOf(listener.scheme, routedPort(listener), method, target.host ?? '', target.path, target.forward.slice(target.path.length), headers)
  return frontEndFor(gateways, ingress, state.snapshot, request)
}

/** `HTTPRoute ns/name rule 0 (listener ns/gw/http)`: for pages, logs and the dashboard. */
export function describeGatewayRule(answer: GatewayAnswer): string {
  const listener = answer.listener === null ? '' : ` on Gateway listener ${answer.listener}`
  return answer.route === null ? `Gateway listener ${answer.listener ?? '(none)'}` : `HTTPRoute ${answer.route} rule ${answer.rule ?? 0}${listener}`
}

/** `random` in [0, 1): which backend's share of the total weight the request falls in. */
export function pickWeighted(backends: readonly GatewayBackend[], random: number): GatewayBackend {
  let total = 0
  for (const b of backends) total += b.weight
  let point = random * total
  for (const b of backends) {
    point -= b.weight
    if (point < 0) return b
  }
  return backends[backends.length - 1]!
}

/**
 * What the exchange does with the answer; `method` and `headers` are the client's (for CORS).
 * `ownAddress`: the side (`gateway ns/name`) when the socket is that Gateway's own address, where no Ingress is served.
 */
export function gatewayAction(answer: GatewayAnswer, backends: BackendTable, random: number, method: string, headers: IncomingHttpHeaders, ownAddress: string | null = null): GatewayAction {
  const where = describeGatewayRule(answer)
  if (answer.location !== null) return {kind: 'redirect', early: {status: answer.status, headers: {location: answer.location}, body: '', reason: `RequestRedirect of ${where}`}}
  if (answer.status === 404) {
    const elsewhere = ownAddress !== null && !answer.claimed ? ` This is the address of ${ownAddress}; the Ingresses are served on --bind only.` : ''
    return page(404, answer.route === null ? 'no-route' : 'no-rule', 'Not found', `${capitalise(answer.reason)} (${where}): a conformant Gateway answers 404.${elsewhere}`, 'Add a match for this path to an HTTPRoute attached to this listener; `kingress explain URL FILES` shows the candidates.')
  }
  if (answer.status === 400) return page(400, 'bad-request', 'Bad request', `${capitalise(answer.reason)} (${where}).`, 'Send a path that stays below the root.')
  if (answer.status !== 200) return page(answer.status, 'invalid-rule', 'Internal error', `${capitalise(answer.reason)} (${where}).`, 'Fix the rule; `kingress status FILES` shows the route\'s conditions.')
  const picked = pickWeighted(answer.backends, random)
  if (picked.redirect !== null) return {kind: 'redirect', early: {status: picked.redirect.status, headers: {location: picked.redirect.location}, body: '', reason: `RequestRedirect of a backendRef of ${where}`}}
  if (picked.problem !== null) return page(500, 'invalid-backend', 'Internal error', `${where} sent this request to an invalid backendRef: ${picked.problem}. A conformant Gateway answers 500 for that backend's share of the traffic.`, 'Fix the backendRef; `kingress status FILES` shows its ResolvedRefs condition.')
  let responseHeaders = picked.responseHeaders
  if (picked.cors !== null) {
    const cors = corsOutcome(picked.cors, method, corsHeaders(headers))
    if (cors !== null && cors.kind === 'preflight') return {kind: 'redirect', early: {status: 204, headers: Object.fromEntries(cors.headers), body: '', reason: `CORS preflight answered by ${where}`}}
    if (cors !== null) responseHeaders = [...responseHeaders, {set: cors.headers.filter(([name]) => name !== 'vary'), add: [['Vary', 'Origin']], remove: []}]
  }
  const resolved = picked.port === null ? undefined : backends.forService(picked.namespace, picked.name, picked.port)
  if (resolved === undefined) return page(500, 'invalid-backend', 'Internal error', `${where} names Service ${picked.namespace}/${picked.name} without a port.`, 'Give the backendRef a port: a Service backendRef needs one.')
  if (resolved.balancer.members.length === 0 && picked.notFound !== null) return page(500, 'invalid-backend', 'Internal error', `${where} sent this request to a backendRef that does not resolve: ${picked.notFound}, and no endpoint provider serves it. A conformant Gateway answers 500 (ResolvedRefs: BackendNotFound).`, 'Load the Service\'s manifest, or give its endpoints with --backend NAMESPACE/NAME=HOST:PORT.')
  if (resolved.balancer.members.length === 0) return {kind: 'no-endpoints', backend: resolved}
  return {kind: 'forward', backend: resolved, forward: {target: picked.upstreamTarget, host: picked.upstreamHost, requestHeaders: picked.requestHeaders, responseHeaders: responseHeaders.length === 0 ? null : responseHeaders, mirrors: picked.mirrors}}
}

function corsHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of ['origin', 'access-control-request-method', 'access-control-request-headers']) {
    const value = headers[name]
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value
  }
  return out
}

function page(status: number, code: string, title: string, message: string, hint: string): GatewayAction {
  return {kind: 'page', status, code, title, message, hint}
}

/** The error page of a 'page' action, naming the route and listener that decided it. */
export function gatewayPage(action: Extract<GatewayAction, {kind: 'page'}>, rule: string, request: PageRequest): ErrorPage {
  return {status: action.status, code: action.code, title: action.title, message: action.message, ...request, rule, backend: null, endpoints: [], details: [], hint: action.hint}
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
