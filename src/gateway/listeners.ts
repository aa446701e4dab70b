import type {Gateway, Listener, RouteGroupKind, Snapshot} from '../manifests/model.js'
import {GATEWAY_GROUP} from '../manifests/model.js'
import {certificateFromSecret} from '../tls/secret.js'
import {condition, withoutField, type Condition} from './conditions.js'
import {grantHint, referencePermitted} from './references.js'

/**
 * One listener's own status (everything but attachedRoutes): supportedKinds and the Accepted,
 * ResolvedRefs, Conflicted and Programmed conditions (gateway_types.go ListenerStatus and the
 * Listener condition reasons), plus the problems behind them, located, for `validate`.
 */

export const SUPPORTED_PROTOCOLS: readonly string[] = ['HTTP', 'HTTPS']
const HTTP_ROUTE: RouteGroupKind = {group: GATEWAY_GROUP, kind: 'HTTPRoute'}

export interface ListenerProblem {
  readonly field: string
  readonly at: Listener['at']
  readonly message: string
}

export interface ListenerReport {
  readonly listener: Listener
  readonly supportedKinds: readonly RouteGroupKind[]
  readonly conditions: readonly Condition[]
  /** Accepted and not conflicted: routes may attach (they are counted even when refs are unresolved). */
  readonly attachable: boolean
  readonly problems: readonly ListenerProblem[]
}

export function listenerReports(snapshot: Snapshot, gateway: Gateway): ListenerReport[] {
  const conflicts = conflictsOf(gateway.listeners)
  return gateway.listeners.map((listener) => listenerReport(snapshot, gateway, listener, conflicts.get(listener.name) ?? null))
}

function listenerReport(snapshot: Snapshot, gateway: Gateway, listener: Listener, conflict: {reason: string; message: string} | null): ListenerReport {
  const g = gateway.generation
  const problems: ListenerProblem[] = []
  const supported = SUPPORTED_PROTOCOLS.includes(listener.protocol)

  let supportedKinds: RouteGroupKind[] = []
  const invalidKinds: string[] = []
  if (supported) {
    if (listener.allowedRoutes.kinds === null) supportedKinds = [HTTP_ROUTE]
    else {
      for (const k of listener.allowedRoutes.kinds) {
        if (k.group === HTTP_ROUTE.group && k.kind === HTTP_ROUTE.kind) {
          if (supportedKinds.length === 0) supportedKinds.push(HTTP_ROUTE)
        } else {
          invalidKinds.push(k.group === GATEWAY_GROUP ? k.kind : `${k.kind}.${k.group}`)
          problems.push({field: k.field, at: k.at, message: `route kind ${k.kind} (group ${k.group || '""'}) is not one kingress attaches to a ${listener.protocol} listener; it supports HTTPRoute (ResolvedRefs: InvalidRouteKinds)`})
        }
      }
    }
  }

  const conditions: Condition[] = []
  if (!supported) {
    conditions.push(condition('Accepted', 'False', 'UnsupportedProtocol', `protocol ${listener.protocol} is not supported; kingress serves HTTP and HTTPS listeners`, g))
    problems.push({field: `${listener.field}.protocol`, at: listener.at, message: `listener ${listener.name}: protocol ${listener.protocol} is not supported; kingress serves HTTP and HTTPS listeners (Accepted: UnsupportedProtocol)`})
  } else if (conflict) {
    conditions.push(condition('Accepted', 'False', conflict.reason, conflict.message, g))
    problems.push({field: listener.field, at: listener.at, message: `listener ${listener.name}: ${conflict.message} (Conflicted: ${conflict.reason})`})
  } else {
    conditions.push(condition('Accepted', 'True', 'Accepted', 'listener accepted', g))
  }

  const refProblem = invalidKinds.length > 0 ? null : certificateProblem(snapshot, gateway, listener)
  if (invalidKinds.length > 0) {
    conditions.push(condition('ResolvedRefs', 'False', 'InvalidRouteKinds', `route kinds ${invalidKinds.join(', ')} are not supported; supported: HTTPRoute`, g))
  } else if (refProblem) {
    conditions.push(condition('ResolvedRefs', 'False', refProblem.reason, refProblem.message, g))
    problems.push({field: refProblem.field, at: refProblem.at, message: `listener ${listener.name}: ${withoutField(refProblem.message, refProblem.field)} (ResolvedRefs: ${refProblem.reason})`})
  } else {
    conditions.push(condition('ResolvedRefs', 'True', 'ResolvedRefs', 'all references resolved', g))
  }

  conditions.push(conflict ? condition('Conflicted', 'True', conflict.reason, conflict.message, g) : condition('Conflicted', 'False', 'NoConflicts', 'no conflicts', g))

  const programmed = conditions.every((c) => (c.type === 'Conflicted' ? c.status === 'False' : c.status === 'True'))
  conditions.push(programmed ? condition('Programmed', 'True', 'Programmed', 'listener programmed', g) : condition('Programmed', 'False', 'Invalid', 'listener is not valid; see its other conditions', g))

  return {listener, supportedKinds, conditions, attachable: supported && conflict === null, problems}
}

type RefProblem = {reason: 'InvalidCertificateRef' | 'RefNotPermitted'; message: string; field: string; at: Listener['at']}

/** HTTPS listeners terminate TLS with the first certificateRef; every ref must resolve to a usable kubernetes.io/tls Secret. */
function certificateProblem(snapshot: Snapshot, gateway: Gateway, listener: Listener): RefProblem | null {
  if (listener.protocol !== 'HTTPS' || listener.tls === null || listener.tls.mode !== 'Terminate') {
    if (listener.protocol === 'HTTPS' && listener.tls === null) {
      return {reason: 'InvalidCertificateRef', message: 'an HTTPS listener needs tls.certificateRefs naming a kubernetes.io/tls Secret', field: listener.field, at: listener.at}
    }
    return null
  }
  if (listener.tls.certificateRefs.length === 0) {
    return {reason: 'InvalidCertificateRef', message: 'no tls.certificateRefs: kingress reads no TLS options, name a kubernetes.io/tls Secret', field: `${listener.field}.tls`, at: listener.at}
  }
  for (const ref of listener.tls.certificateRefs) {
    const namespace = ref.namespace ?? gateway.meta.namespace
    const fail = (reason: RefProblem['reason'], message: string): RefProblem => ({reason, message: `${ref.field}: ${message}`, field: ref.field, at: ref.at})
    if (ref.group !== '' || ref.kind !== 'Secret') return fail('InvalidCertificateRef', `certificateRef ${ref.kind}${ref.group ? `.${ref.group}` : ''} is not supported; it must be a Secret (group "", kind Secret)`)
    const from = {group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.meta.namespace}
    const to = {group: '', kind: 'Secret', name: ref.name, namespace}
    if (!referencePermitted(snapshot.referenceGrants, from, to)) return fail('RefNotPermitted', `Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there permits it; ${grantHint(from, to)}`)
    const secret = snapshot.secrets.find((s) => s.meta.namespace === namespace && s.meta.name === ref.name)
    if (secret === undefined) return fail('InvalidCertificateRef', `Secret ${namespace}/${ref.name} is not in the loaded manifests`)
    if (secret.type !== 'kubernetes.io/tls') return fail('InvalidCertificateRef', `Secret ${namespace}/${ref.name} has type "${secret.type}"; it must be kubernetes.io/tls`)
    const parsed = certificateFromSecret(secret)
    if (!parsed.ok) return fail('InvalidCertificateRef', parsed.error)
  }
  return null
}

/**
 * Listeners on one port must be distinct (gateway_types.go, "Listeners" docs): HTTP, HTTPS and TLS by
 * hostname within one protocol, and one port cannot speak HTTP and TLS-based protocols, or TCP/UDP
 * next to anything else. HTTPS and TLS share a port (both are told apart by SNI), but not a hostname.
 */
function conflictsOf(listeners: readonly Listener[]): Map<string, {reason: string; message: string}> {
  const out = new Map<string, {reason: string; message: string}>()
  const family = (p: string): string => (p === 'HTTPS' || p === 'TLS' ? 'tls' : p)
  const byPort = new Map<number, Listener[]>()
  for (const l of listeners) byPort.set(l.port, [...(byPort.get(l.port) ?? []), l])
  for (const [port, group] of byPort) {
    const families = new Set(group.map((l) => family(l.protocol)))
    if (families.size > 1) {
      const names = group.map((l) => `${l.name} (${l.protocol})`).join(', ')
      for (const l of group) out.set(l.name, {reason: 'ProtocolConflict', message: `port ${port} is used with different protocols by listeners ${names}`})
      continue
    }
    for (const l of group) {
      const same = group.filter((o) => o !== l && (o.hostname ?? '') === (l.hostname ?? ''))
      if (same.length > 0) out.set(l.name, {reason: 'HostnameConflict', message: `port ${port} hostname "${l.hostname ?? ''}" is also used by listener ${same.map((o) => o.name).join(', ')}`})
    }
  }
  return out
}
