import type {BackendObjectReference, ReferenceGrant, Service, Snapshot} from '../manifests/model.js'
import {GATEWAY_GROUP, objectKey} from '../manifests/model.js'

/** ReferenceGrant (referencegrant_types.go) and the existence checks behind ResolvedRefs. */

export interface GrantFrom {
  readonly group: string
  readonly kind: string
  readonly namespace: string
}

export interface GrantTo {
  readonly group: string
  readonly kind: string
  readonly name: string
  readonly namespace: string
}

/** A reference into another namespace is allowed when a ReferenceGrant in the target namespace lists both ends. */
export function referencePermitted(grants: readonly ReferenceGrant[], from: GrantFrom, to: GrantTo): boolean {
  if (from.namespace === to.namespace) return true
  return grants.some(
    (grant) =>
      grant.meta.namespace === to.namespace &&
      grant.from.some((f) => f.group === from.group && f.kind === from.kind && f.namespace === from.namespace) &&
      grant.to.some((t) => t.group === to.group && t.kind === to.kind && (t.name === null || t.name === to.name)),
  )
}

/** The ReferenceGrant a user would add to permit `from` → `to`, as YAML, for messages. */
export function grantHint(from: GrantFrom, to: GrantTo): string {
  return `add a ReferenceGrant in namespace ${to.namespace} with from: [{group: ${from.group || '""'}, kind: ${from.kind}, namespace: ${from.namespace}}] and to: [{group: ${to.group || '""'}, kind: ${to.kind}, name: ${to.name}}]`
}

export type BackendProblem = {readonly reason: 'InvalidKind' | 'RefNotPermitted' | 'BackendNotFound'; readonly message: string}

/** Why a backendRef of an HTTPRoute in `routeNamespace` does not resolve, or null when it does. */
export function backendProblem(snapshot: Snapshot, routeNamespace: string, ref: BackendObjectReference): BackendProblem | null {
  const namespace = ref.namespace ?? routeNamespace
  if (ref.group !== '' || ref.kind !== 'Service') {
    const what = ref.group === '' ? ref.kind : `${ref.kind}.${ref.group}`
    return {reason: 'InvalidKind', message: `${ref.field}: backendRef kind ${what} is not supported; kingress routes to Services (group "", kind Service)`}
  }
  const from = {group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: routeNamespace}
  const to = {group: '', kind: 'Service', name: ref.name, namespace}
  if (!referencePermitted(snapshot.referenceGrants, from, to)) {
    return {reason: 'RefNotPermitted', message: `${ref.field}: Service ${namespace}/${ref.name} is in another namespace and no ReferenceGrant there permits it; ${grantHint(from, to)}`}
  }
  const service = findService(snapshot.services, namespace, ref.name)
  if (service === undefined) return {reason: 'BackendNotFound', message: `${ref.field}: Service ${namespace}/${ref.name} is not in the loaded manifests; add its Service manifest (or fix the name)`}
  if (ref.port !== null && !service.ports.some((p) => p.port === ref.port)) {
    return {reason: 'BackendNotFound', message: `${ref.field}: Service ${objectKey(service.meta)} has no port ${ref.port} (it has ${service.ports.map((p) => p.port).join(', ') || 'none'})`}
  }
  return null
}

export function findService(services: readonly Service[], namespace: string, name: string): Service | undefined {
  return services.find((s) => s.meta.namespace === namespace && s.meta.name === name)
}
