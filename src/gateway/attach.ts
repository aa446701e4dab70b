import type {Gateway, HTTPRoute, LabelSelector, Listener, ParentReference, Snapshot} from '../manifests/model.js'
import {GATEWAY_GROUP, objectKey} from '../manifests/model.js'
import {effectiveHostnames} from './hostnames.js'
import type {ListenerReport} from './listeners.js'

/**
 * Whether one parentRef of an HTTPRoute attaches to its Gateway, and to which listeners
 * (shared_types.go ParentReference; gateway_types.go AllowedRoutes; the Route Accepted reasons):
 * sectionName and port pick the listeners; allowedRoutes kinds and namespaces filter them;
 * then the hostnames must intersect.
 */

export type Attachment =
  | {readonly accepted: true; readonly listeners: readonly Listener[]; readonly message: string}
  | {readonly accepted: false; readonly reason: 'NoMatchingParent' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname'; readonly message: string}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

export function isGatewayRef(ref: ParentReference): boolean {
  return ref.group === GATEWAY_GROUP && ref.kind === 'Gateway'
}

export function attach(snapshot: Snapshot, route: HTTPRoute, ref: ParentReference, gateway: Gateway, reports: readonly ListenerReport[]): Attachment {
  const gw = `Gateway ${objectKey(gateway.meta)}`
  const picked = reports.filter((r) => (ref.sectionName === null || r.listener.name === ref.sectionName) && (ref.port === null || r.listener.port === ref.port))
  if (picked.length === 0) {
    const wanted = [ref.sectionName !== null ? `named ${ref.sectionName}` : null, ref.port !== null ? `on port ${ref.port}` : null].filter(Boolean).join(' ')
    const has = gateway.listeners.map((l) => `${l.name} (port ${l.port})`).join(', ')
    return {accepted: false, reason: 'NoMatchingParent', message: `${gw} has no listener ${wanted}; its listeners: ${has}`}
  }

  const refused: string[] = []
  const allowed = picked.filter((r) => {
    const why = refusal(snapshot, route, gateway, r)
    if (why !== null) refused.push(`listener ${r.listener.name} ${why}`)
    return why === null
  })
  if (allowed.length === 0) return {accepted: false, reason: 'NotAllowedByListeners', message: `${refused.join('; ')}`}

  const matching = allowed.filter((r) => effectiveHostnames(r.listener.hostname, route.hostnames).length > 0)
  if (matching.length === 0) {
    const listenerHosts = allowed.map((r) => `${r.listener.name}: ${r.listener.hostname ?? '(any)'}`).join(', ')
    return {accepted: false, reason: 'NoMatchingListenerHostname', message: `no route hostname (${route.hostnames.join(', ')}) intersects a listener hostname (${listenerHosts})`}
  }
  return {accepted: true, listeners: matching.map((r) => r.listener), message: `accepted by listener ${matching.map((r) => r.listener.name).join(', ')}`}
}

/** Why a listener will not take this route (kind or namespace), or null when it will. */
function refusal(snapshot: Snapshot, route: HTTPRoute, gateway: Gateway, report: ListenerReport): string | null {
  const listener = report.listener
  if (!report.attachable && report.supportedKinds.length > 0) return 'is not accepted (see the Gateway status)'
  if (!report.supportedKinds.some((k) => k.group === GATEWAY_GROUP && k.kind === 'HTTPRoute')) {
    const kinds = listener.allowedRoutes.kinds?.map((k) => k.kind).join(', ')
    return report.supportedKinds.length === 0 && kinds === undefined ? `(protocol ${listener.protocol}) takes no HTTPRoutes` : `allows route kinds ${kinds || 'none'}, not HTTPRoute`
  }
  const from = listener.allowedRoutes
  const ns = route.meta.namespace
  if (from.from === 'Same' && ns !== gateway.meta.namespace) return `allows routes from namespace ${gateway.meta.namespace} only (allowedRoutes.namespaces.from: Same), the route is in ${ns}`
  if (from.from === 'Selector') {
    if (from.selector === null) return 'has allowedRoutes.namespaces.from: Selector without a selector, so it allows no namespace'
    if (!selectorMatches(from.selector, namespaceLabels(snapshot, ns))) return `allows routes from namespaces whose labels match its selector; namespace ${ns} does not match`
  }
  return null
}

/** A namespace's labels: those of its loaded Namespace object, plus kubernetes.io/metadata.name the API server always sets. */
export function namespaceLabels(snapshot: Snapshot, namespace: string): Readonly<Record<string, string>> {
  const loaded = snapshot.namespaces.find((n) => n.meta.name === namespace)
  return {...(loaded?.meta.labels ?? {}), [NAMESPACE_NAME_LABEL]: namespace}
}

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) if (labels[key] !== value) return false
  for (const req of selector.matchExpressions) {
    const has = Object.hasOwn(labels, req.key)
    const value = labels[req.key]
    if (req.operator === 'Exists' && !has) return false
    if (req.operator === 'DoesNotExist' && has) return false
    if (req.operator === 'In' && (!has || !req.values.includes(value!))) return false
    if (req.operator === 'NotIn' && has && req.values.includes(value!)) return false
  }
  return true
}
