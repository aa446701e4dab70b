import type {Gateway, HTTPRoute, HTTPRouteMatch, HTTPRouteRule, Listener, Secret, Snapshot} from '../manifests/model.js'
import type {TlsHostRequest} from '../tls/store.js'
import type {RouteStep} from '../model/steps.js'
import {attach, isGatewayRef} from './attach.js'
import {filterSteps} from './filters.js'
import {effectiveHostnames} from './hostnames.js'
import {listenerReports} from './listeners.js'
import {specAddressesOf} from './spec-addresses.js'

/**
 * The data plane's view of the Gateway API objects: for every accepted listener, each match of
 * each rule of the HTTPRoutes attached to it, with the hostname it answers for. Pure: the same
 * snapshot gives the same table.
 */

export interface Candidate {
  /**
   * Unique in the table and negative, so a RequestEvent's routeId names an Ingress route (>= 0) or an
   * HTTPRoute match (< 0) without the two tables knowing each other's numbering.
   */
  readonly id: number
  readonly route: HTTPRoute
  readonly rule: HTTPRouteRule
  readonly ruleIndex: number
  readonly match: HTTPRouteMatch
  readonly matchIndex: number
  /** The intersected hostname (`*.example.com`, `a.example.com`), or `*` for any. */
  readonly hostname: string
  readonly pathRegex: RegExp | null
  /** The match's header names, lower-cased once (header names are case-insensitive). */
  readonly headerKeys: readonly string[]
  /** The rule's filters as route steps, compiled for this match and listener. */
  readonly steps: readonly RouteStep[]
  /** Each backendRef's own filters as steps, by the index of rule.backendRefs. */
  readonly backendSteps: readonly (readonly RouteStep[])[]
}

export interface ListenerRoutes {
  readonly gateway: Gateway
  readonly listener: Listener
  readonly candidates: readonly Candidate[]
}

export interface GatewayTable {
  readonly listeners: readonly ListenerRoutes[]
}

export function compileGatewayTable(snapshot: Snapshot, options: {className?: string} = {}): GatewayTable {
  const listeners: ListenerRoutes[] = []
  const nextId = idCounter()
  // A Gateway with infrastructure parameters or an address type kingress does not support is not accepted (status.ts): not programmed either.
  const gateways = [...snapshot.gateways].filter((g) => (options.className === undefined || g.className === options.className) && g.parametersRef === null && specAddressesOf(g).unsupported.length === 0).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
  for (const gateway of gateways) {
    const reports = listenerReports(snapshot, gateway)
    const byListener = new Map<Listener, Candidate[]>(reports.filter((r) => r.attachable).map((r) => [r.listener, []]))
    for (const route of snapshot.httpRoutes) {
      for (const ref of route.parentRefs) {
        if (!isGatewayRef(ref) || ref.name !== gateway.meta.name || (ref.namespace ?? route.meta.namespace) !== gateway.meta.namespace) continue
        const attachment = attach(snapshot, route, ref, gateway, reports)
        if (!attachment.accepted) continue
        for (const listener of attachment.listeners) {
          const list = byListener.get(listener)
          if (list === undefined || list.some((c) => c.route === route)) continue
          list.push(...candidatesOf(snapshot, route, listener, nextId))
        }
      }
    }
    for (const [listener, candidates] of byListener) listeners.push({gateway, listener, candidates})
  }
  return {listeners}
}

function idCounter(): () => number {
  let last = 0
  return () => --last
}

function candidatesOf(snapshot: Snapshot, route: HTTPRoute, listener: Listener, nextId: () => number): Candidate[] {
  const hostnames = effectiveHostnames(listener.hostname, route.hostnames)
  if (hostnames.length === 0) return []
  // What does not depend on the hostname is compiled once per match.
  const compiled = route.rules.flatMap((rule, ruleIndex) =>
    rule.matches.map((match, matchIndex) => {
      const scope = {snapshot, routeNamespace: route.meta.namespace, match, listener}
      return {
        route,
        rule,
        ruleIndex,
        match,
        matchIndex,
        pathRegex: match.path.type === 'RegularExpression' ? fullMatchRegex(match.path.value) : null,
        headerKeys: match.headers.map((h) => h.name.toLowerCase()),
        steps: filterSteps(rule.filters, {...scope, where: 'rule'}),
        backendSteps: rule.backendRefs.map((ref) => filterSteps(ref.filters, {...scope, where: 'backendRef'})),
      }
    }),
  )
  return hostnames.flatMap((hostname) => compiled.map((c) => ({id: nextId(), hostname, ...c})))
}

/**
 * A RegularExpression match, anchored at both ends (RE2's full match, as Envoy-based implementations
 * use); a leading `(?i)` becomes the `i` flag. An expression JavaScript cannot compile matches nothing.
 */
export function fullMatchRegex(source: string): RegExp {
  const insensitive = source.startsWith('(?i)')
  const body = insensitive ? source.slice(4) : source
  try {
    return new RegExp(`^(?:${body})$`, insensitive ? 'i' : '')
  } catch {
    return /(?!)/
  }
}

function key(gateway: Gateway): string {
  return `${gateway.meta.namespace}/${gateway.meta.name}`
}

/** The listener ports a session without Gateway addressing serves (on its HTTP and HTTPS listeners). */
const SERVED_PORTS = new Set([80, 443])

/**
 * The hostnames HTTPRoutes answer for on the served listeners, sorted, and whether a route answers
 * any host. `allPorts`: every listener port is served (`up` with Gateway addressing), not just 80/443.
 */
export function servedGatewayHostnames(table: GatewayTable, allPorts = false): {readonly hostnames: string[]; readonly anyHost: boolean} {
  const out = new Set<string>()
  let anyHost = false
  for (const l of table.listeners) {
    if (!allPorts && !SERVED_PORTS.has(l.listener.port)) continue
    for (const c of l.candidates) {
      if (c.hostname === '*') anyHost = true
      else out.add(c.hostname)
    }
  }
  return {hostnames: [...out].sort(), anyHost}
}

/** The names a listener answers for: its own hostname and its routes' (intersected) ones; `*` (any host) left out. */
export function listenerHostnames(l: ListenerRoutes): Set<string> {
  const hostnames = new Set(l.candidates.map((c) => c.hostname).filter((h) => h !== '*'))
  if (l.listener.hostname !== null) hostnames.add(l.listener.hostname)
  return hostnames
}

/**
 * The TLS view of the HTTPS listeners: every hostname their routes answer for, with the listener's
 * first certificateRef (a kubernetes.io/tls Secret when it is loaded), for the certificate store;
 * `*` for a listener without a hostname whose Secret is loaded.
 */
export function gatewayTlsRequests(table: GatewayTable, secrets: readonly Secret[]): TlsHostRequest[] {
  const out: TlsHostRequest[] = []
  for (const l of table.listeners) {
    if (l.listener.protocol !== 'HTTPS') continue
    const ref = l.listener.tls?.certificateRefs[0] ?? null
    const secretName = ref === null ? null : `${ref.namespace ?? l.gateway.meta.namespace}/${ref.name}`
    const secret = secretName === null ? null : (secrets.find((s) => `${s.meta.namespace}/${s.meta.name}` === secretName && s.type === 'kubernetes.io/tls') ?? null)
    for (const host of listenerHostnames(l)) out.push({host, tls: true, secretName, secret})
    // A listener without a hostname takes every server name: its Secret serves the ones nothing else is for.
    if (l.listener.hostname === null && secret !== null) out.push({host: '*', tls: true, secretName, secret})
  }
  return out
}
