import type {Http2ServerRequest} from 'node:http2'
import type {TLSSocket} from 'node:tls'

import {objectKey} from '../manifests/model.js'
import {normalizeHost, wellKnownPort} from '../routing/normalize.js'
import type {RuntimeState} from '../runtime/state.js'
import type {ListenerInfo} from './context.js'
import type {ErrorPage} from './error-page.js'
import {badRequestPage, type PageRequest} from './pages.js'
import type {ClientRequest} from './respond.js'
import {isHttp2} from './screen.js'
import type {GatewayTable, ListenerRoutes} from '../gateway/route-table.js'
import {hostnameMatches, listenersFor} from '../gateway/evaluate.js'

/** The `side` of a request event that an Ingress answered (or nobody, on an Ingress listener). */
export const INGRESS_SIDE = 'ingress'

/**
 * What one socket serves of the Gateway API: the Gateways whose address and listener port it is,
 * and whether the Ingresses answer what their routes do not claim (the --bind socket on the HTTP
 * or HTTPS port). A request is evaluated against these Gateways' listeners only.
 */
export class GatewayScope {
  /** `gateway ns/name` when one Gateway is served here, else 'ingress' (the Ingress listener) or the first Gateway's. */
  side = INGRESS_SIDE
  private keys: ReadonlySet<string> | null = null
  private tables = new WeakMap<GatewayTable, GatewayTable>()

  constructor(
    /** null: every Gateway (a session started without Gateway addressing). */
    gateways: readonly string[] | null,
    /** The listener port requests here are evaluated against (80 on the HTTP port, 8000 on a --listener-port 8000=… socket). */
    readonly port: number,
    readonly ingress: boolean,
  ) {
    this.serve(gateways)
  }

  /** Which Gateways this socket serves from now on (a reload moved Gateways; requests in flight keep their answer). */
  serve(gateways: readonly string[] | null): void {
    this.keys = gateways === null ? null : new Set(gateways)
    this.tables = new WeakMap()
    this.side = this.ingress || gateways === null || gateways.length === 0 ? INGRESS_SIDE : `gateway ${gateways[0]}`
  }

  /** The state's table cut to this socket's Gateways (cached per table: the state is swapped whole on reload). */
  tableOf(table: GatewayTable): GatewayTable {
    const keys = this.keys
    if (keys === null) return table
    let cut = this.tables.get(table)
    if (cut === undefined) {
      cut = {listeners: table.listeners.filter((l) => keys.has(objectKey(l.gateway.meta)))}
      this.tables.set(table, cut)
    }
    return cut
  }

  /** `gateway ns/name` of the listener an answer names (`ns/name/listener`). */
  sideOf(listener: string | null): string {
    return listener === null ? this.side : sideOfListener(listener)
  }
}

/**
 * GEP-3567 / conformance HTTPRouteHTTPSListenerDetectMisdirectedRequests: over HTTPS the SNI name
 * chose the listener (and its certificate). A Host that belongs to a different listener of the same
 * port gets 421, so the client opens a connection for it. Null when the request is not misdirected:
 * no SNI, or SNI and Host pick the same listener (a wildcard listener takes both, say).
 */
export function misdirectedListener(table: GatewayTable, port: number, servername: string, host: string): {readonly sni: ListenerRoutes; readonly host: ListenerRoutes | null} | null {
  const listeners = listenersFor(table, {port, scheme: 'https'})
  if (listeners.length === 0) return null
  const bySni = byHostname(listeners, servername.toLowerCase())
  if (bySni === null) return null
  const byHost = byHostname(listeners, host)
  return byHost === bySni ? null : {sni: bySni, host: byHost}
}

/** The listener a TLS implementation picks for a name: an exact hostname, then the longest wildcard, then one without hostname. */
function byHostname(listeners: readonly ListenerRoutes[], name: string): ListenerRoutes | null {
  // evaluate.ts bestListener also prefers a listener with a route for the name; for a certificate the listener's hostname alone decides.
  let best: ListenerRoutes | null = null
  let bestScore = -1
  for (const l of listeners) {
    const h = l.listener.hostname
    const score = h === null ? 0 : h === name ? 100_000 : h.startsWith('*.') && name.endsWith(h.slice(1)) && name.length > h.length - 1 ? h.length : -1
    if (score > bestScore) {
      best = l
      bestScore = score
    }
  }
  return best
}

/** The 421 page (and the Gateway that answers it, for the event's side) when the request's Host is for another listener than its TLS SNI chose; else null. */
export function misdirectedPage(state: RuntimeState, scope: GatewayScope | undefined, req: ClientRequest, host: string, request: PageRequest): {readonly page: ErrorPage; readonly side: string} | null {
  const servername = serverNameOf(req)
  if (servername === null) return null
  // Without a scope (a session without Gateway addressing) every Gateway's 443 listeners are on the HTTPS listener.
  const wrong = scope === undefined ? misdirectedListener(state.gateways, 443, servername, normalizeHost(host)) : misdirectedListener(scope.tableOf(state.gateways), scope.port, servername, normalizeHost(host))
  if (wrong === null) return null
  // Where the Ingresses are served too, a host no route of the port's listeners claims is theirs to answer, not a 421.
  const name = normalizeHost(host)
  if ((scope?.ingress ?? true) && (wrong.host === null || !wrong.host.candidates.some((c) => hostnameMatches(c.hostname, name))) && state.table.takesHost(name)) return null
  const sni = `${objectKey(wrong.sni.gateway.meta)}/${wrong.sni.listener.name}`
  const other = wrong.host === null ? 'no listener of this port' : `listener ${objectKey(wrong.host.gateway.meta)}/${wrong.host.listener.name}`
  const page: ErrorPage = {
    ...badRequestPage(421, 'Misdirected request', `This connection was opened for ${servername} (TLS SNI), which Gateway listener ${sni} serves; host ${normalizeHost(host)} is for ${other}.`, request),
    rule: `Gateway listener ${sni}`,
    hint: 'Open a new connection for this host (browsers and curl do so on a 421 by themselves).',
  }
  return {page, side: scope === undefined ? sideOfListener(sni) : scope.sideOf(sni)}
}

/** The SNI name of the TLS connection a request came in on (HTTP/1.1 or HTTP/2); null without one. */
function serverNameOf(req: ClientRequest): string | null {
  const socket = (isHttp2(req) ? (req as Http2ServerRequest).stream.session?.socket : req.socket) as TLSSocket | undefined
  const name = socket?.servername
  return typeof name === 'string' && name !== '' ? name : null
}

/** `ns/gw/listener` → `gateway ns/gw`: built once per listener name, then a lookup. */
const sides = new Map<string, string>()

/** `gateway ns/name` of a listener `ns/name/listener` (memoised: no string per request). */
export function sideOfListener(listener: string | null): string {
  if (listener === null) return 'gateway'
  let side = sides.get(listener)
  if (side === undefined) {
    side = `gateway ${listener.slice(0, listener.lastIndexOf('/'))}`
    sides.set(listener, side)
  }
  return side
}

/** A Gateway's own address that no longer has a listener for its port: a reload removed it, and the socket drains. */
export function listenerRemovedPage(scope: GatewayScope, request: PageRequest): ErrorPage {
  return badRequestPage(404, 'Not found', `No listener of ${scope.side} on port ${scope.port} is loaded any more: a reload removed it, and this address closes once its requests are answered.`, request)
}

/** The port a request on this listener is routed as: its Gateway scope's declared port, else 80/443 (the Ingress listeners). */
export function routedPort(listener: ListenerInfo): number {
  return listener.gateway?.port ?? wellKnownPort(listener.scheme)
}
