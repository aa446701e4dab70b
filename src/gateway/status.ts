import type {Diagnostic} from '../manifests/diagnostic.js'
import type {Gateway, GatewayClass, HTTPRoute, Listener, RouteGroupKind, Snapshot} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {attach, isGatewayRef} from './attach.js'
import {condition, CONTROLLER_NAME, withoutField, type Condition} from './conditions.js'
import {listenerReports, type ListenerReport} from './listeners.js'
import {backendProblem, type BackendProblem} from './references.js'
import {describeUnusable, specAddressesOf} from './spec-addresses.js'

/**
 * The `.status` a conformant Gateway API controller would write for every loaded GatewayClass,
 * Gateway and HTTPRoute, computed from the Snapshot alone (pure: same snapshot, same status).
 * Beside it, the user mistakes behind non-True conditions as located warnings, for `validate`.
 */

export interface StatusOptions {
  /** `--class NAME`: only Gateways of this gatewayClassName (and that GatewayClass) are ours. */
  readonly className?: string | undefined
  /** `ns/name` → the address `kingress up` serves the Gateway on (status.addresses), when known; a loopback spec.addresses entry is used without it. */
  readonly addresses?: ReadonlyMap<string, string> | undefined
}

export interface ListenerStatus {
  readonly name: string
  readonly supportedKinds: readonly RouteGroupKind[]
  readonly attachedRoutes: number
  readonly conditions: readonly Condition[]
}

export interface GatewayStatusAddress {
  readonly type: 'IPAddress'
  readonly value: string
}

export interface GatewayStatus {
  /** The addresses the Gateway is served on (omitted when not served, or not known). */
  readonly addresses?: readonly GatewayStatusAddress[]
  readonly conditions: readonly Condition[]
  readonly listeners: readonly ListenerStatus[]
}

export interface ParentRefStatus {
  readonly group: string
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly sectionName?: string
  readonly port?: number
}

export interface RouteParentStatus {
  readonly parentRef: ParentRefStatus
  readonly controllerName: string
  readonly conditions: readonly Condition[]
}

export type StatusItem =
  | {readonly kind: 'GatewayClass'; readonly object: GatewayClass; readonly status: {readonly conditions: readonly Condition[]}}
  | {readonly kind: 'Gateway'; readonly object: Gateway; readonly status: GatewayStatus}
  | {readonly kind: 'HTTPRoute'; readonly object: HTTPRoute; readonly status: {readonly parents: readonly RouteParentStatus[]}}

export interface StatusResult {
  readonly items: readonly StatusItem[]
  /** Warnings (user mistakes a controller would report in status) and notes, located in the manifests. */
  readonly diagnostics: readonly Diagnostic[]
}

const byKey = <T extends {meta: {namespace: string; name: string}}>(a: T, b: T): number => objectKey(a.meta).localeCompare(objectKey(b.meta))

export function computeStatus(snapshot: Snapshot, options: StatusOptions = {}): StatusResult {
  const diagnostics: Diagnostic[] = []
  const className = options.className

  const classes = [...snapshot.gatewayClasses].filter((c) => className === undefined || c.meta.name === className).sort(byKey)
  const classItems: StatusItem[] = classes.map((gc) => ({
    kind: 'GatewayClass',
    object: gc,
    status: {conditions: [condition('Accepted', 'True', 'Accepted', `kingress acts as the controller of this class locally (controllerName ${gc.controllerName})`, gc.generation)]},
  }))

  const ours = ourGateways(snapshot, className, diagnostics)
  const attached = new Map<Listener, Set<HTTPRoute>>()
  const routeItems: StatusItem[] = [...snapshot.httpRoutes].sort(byKey).map((route) => ({kind: 'HTTPRoute', object: route, status: {parents: routeParents(snapshot, route, ours, attached, diagnostics)}}))
  const gatewayItems: StatusItem[] = [...ours].map(([gateway, reports]) => ({kind: 'Gateway', object: gateway, status: gatewayStatus(gateway, reports, attached, options.addresses)}))

  return {items: [...classItems, ...gatewayItems, ...routeItems], diagnostics: diagnostics.sort((a, b) => a.at.file.localeCompare(b.at.file) || a.at.line - b.at.line || a.at.col - b.at.col)}
}

/**
 * The Gateways kingress writes status for: of the selected class, and of a class that is loaded
 * (when any GatewayClass is). Each maps to its listener reports, or null when no controller would
 * take it (its class is not loaded): it stays Pending.
 */
function ourGateways(snapshot: Snapshot, className: string | undefined, diagnostics: Diagnostic[]): Map<Gateway, ListenerReport[] | null> {
  const ours = new Map<Gateway, ListenerReport[] | null>()
  for (const gateway of [...snapshot.gateways].sort(byKey)) {
    if (className !== undefined && gateway.className !== className) {
      diagnostics.push({severity: 'note', at: gateway.meta.at, message: `Gateway ${objectKey(gateway.meta)} has gatewayClassName "${gateway.className}": no status with --class ${className}`})
      continue
    }
    const classKnown = snapshot.gatewayClasses.length === 0 || snapshot.gatewayClasses.some((c) => c.meta.name === gateway.className)
    if (!classKnown) {
      ours.set(gateway, null)
      const loaded = snapshot.gatewayClasses.map((c) => c.meta.name).join(', ')
      diagnostics.push({severity: 'warning', at: gateway.meta.at, field: 'spec.gatewayClassName', message: `GatewayClass "${gateway.className}" is not among the loaded GatewayClasses (${loaded}); no controller would program this Gateway. Fix the name or add the GatewayClass`})
      continue
    }
    const reports = listenerReports(snapshot, gateway)
    ours.set(gateway, reports)
    if (gateway.parametersRef !== null) {
      diagnostics.push({severity: 'warning', at: gateway.meta.at, field: 'spec.infrastructure.parametersRef', message: `${parametersMessage(gateway.parametersRef)}: the Gateway is not accepted (Accepted: InvalidParameters) and \`kingress up\` does not serve it; remove spec.infrastructure.parametersRef to run it locally`})
    }
    const spec = specAddressesOf(gateway)
    for (const a of spec.unsupported) diagnostics.push({severity: 'warning', at: a.at, field: a.field, message: `address type ${a.type} is not one kingress serves on (it binds IPAddress values): the Gateway is not accepted (Accepted: UnsupportedAddress) and \`kingress up\` does not serve it; use type IPAddress with a 127.0.0.0/8 value, or remove the entry`})
    for (const u of spec.unusable) diagnostics.push({severity: 'warning', at: u.address.at, field: u.address.field, message: `${u.address.value} is not used: ${u.why}. \`kingress up\` serves the Gateway on an address it picks instead (Programmed: AddressNotUsable)`})
    for (const report of reports) for (const p of report.problems) diagnostics.push({severity: 'warning', at: p.at, field: p.field, message: p.message})
  }
  return ours
}

/** status.parents[] of one route: one entry per parentRef to a Gateway kingress controls (or to one that is missing). */
function routeParents(snapshot: Snapshot, route: HTTPRoute, ours: ReadonlyMap<Gateway, ListenerReport[] | null>, attached: Map<Listener, Set<HTTPRoute>>, diagnostics: Diagnostic[]): RouteParentStatus[] {
  const g = route.generation
  const problems = routeBackendProblems(snapshot, route)
  const unsupported = route.rules.flatMap((rule) => [...rule.filters, ...rule.backendRefs.flatMap((b) => b.filters)]).filter((f) => f.type === 'ExtensionRef')
  // ResolvedRefs does not depend on the parent: the same condition goes to every parent entry.
  const resolvedRefs =
    problems.length === 0
      ? condition('ResolvedRefs', 'True', 'ResolvedRefs', 'all backendRefs resolved', g)
      : condition('ResolvedRefs', 'False', problems[0]!.reason, problems.map((p) => p.message).join('; '), g)
  for (const p of problems) {
    diagnostics.push({severity: 'warning', at: p.at, field: p.field, message: `${withoutField(p.message, p.field)} (ResolvedRefs: ${p.reason}; a conformant implementation answers 500 for this backend's share of requests)`})
  }
  // httproute_types.go HTTPRouteRule.Filters: an unsupported filter may set Accepted False with IncompatibleFilters; the proxy answers its rule 500 (never skips it).
  for (const f of unsupported) diagnostics.push({severity: 'warning', at: f.at, field: f.field, message: 'kingress runs no ExtensionRef filters: the route is not accepted (Accepted: IncompatibleFilters), and `kingress up` answers the requests of this rule 500'})

  const parents: RouteParentStatus[] = []
  for (const ref of route.parentRefs) {
    if (!isGatewayRef(ref)) {
      diagnostics.push({severity: 'note', at: ref.at, field: ref.field, message: `parentRef kind ${ref.kind} (group ${ref.group || '""'}) is not a Gateway; kingress attaches HTTPRoutes to Gateways only`})
      continue
    }
    const namespace = ref.namespace ?? route.meta.namespace
    const gateway = snapshot.gateways.find((gw) => gw.meta.namespace === namespace && gw.meta.name === ref.name)
    const reports = gateway === undefined ? undefined : ours.get(gateway)
    // Another class (not ours), or a class no loaded GatewayClass names: another controller's to write, or nobody's.
    if (gateway !== undefined && (reports === undefined || reports === null)) continue
    let accepted: Condition
    if (gateway === undefined || reports === undefined || reports === null) {
      accepted = condition('Accepted', 'False', 'NoMatchingParent', `Gateway ${namespace}/${ref.name} is not in the loaded manifests`, g)
    } else if (unsupported.length > 0) {
      accepted = condition('Accepted', 'False', 'IncompatibleFilters', `${unsupported.map((f) => f.field).join(', ')}: ExtensionRef filters are not supported`, g)
    } else {
      const result = attach(snapshot, route, ref, gateway, reports)
      accepted = result.accepted ? condition('Accepted', 'True', 'Accepted', result.message, g) : condition('Accepted', 'False', result.reason, result.message, g)
      if (result.accepted) for (const l of result.listeners) attached.set(l, (attached.get(l) ?? new Set()).add(route))
    }
    if (accepted.status !== 'True' && accepted.reason !== 'IncompatibleFilters') {
      diagnostics.push({severity: 'warning', at: ref.at, field: ref.field, message: `not accepted by Gateway ${namespace}/${ref.name} (Accepted: ${accepted.reason}): ${accepted.message}`})
    }
    const parentRef: ParentRefStatus = {group: ref.group, kind: ref.kind, namespace, name: ref.name, ...(ref.sectionName !== null ? {sectionName: ref.sectionName} : {}), ...(ref.port !== null ? {port: ref.port} : {})}
    parents.push({parentRef, controllerName: CONTROLLER_NAME, conditions: [accepted, resolvedRefs]})
  }
  return parents
}

function gatewayStatus(gateway: Gateway, reports: readonly ListenerReport[] | null, attached: ReadonlyMap<Listener, ReadonlySet<HTTPRoute>>, served: ReadonlyMap<string, string> | undefined): GatewayStatus {
  const g = gateway.generation
  if (reports === null) {
    const message = `GatewayClass ${gateway.className} is not loaded; waiting for a controller`
    return {conditions: [condition('Accepted', 'Unknown', 'Pending', message, g), condition('Programmed', 'Unknown', 'Pending', message, g)], listeners: []}
  }
  const listeners = reports.map((r) => ({name: r.listener.name, supportedKinds: r.supportedKinds, attachedRoutes: attached.get(r.listener)?.size ?? 0, conditions: r.conditions}))
  // gateway_types.go GatewayInfrastructure.ParametersRef: a referent that cannot be found or is unsupported rejects the Gateway.
  if (gateway.parametersRef !== null) {
    const message = parametersMessage(gateway.parametersRef)
    return {conditions: [condition('Accepted', 'False', 'InvalidParameters', message, g), condition('Programmed', 'False', 'Invalid', message, g)], listeners}
  }
  const spec = specAddressesOf(gateway)
  // gateway_types.go GatewayReasonUnsupportedAddress (conformance GatewayStaticAddresses): an address type the implementation does not support rejects the Gateway.
  if (spec.unsupported.length > 0) {
    const message = `${spec.unsupported.map((a) => `${a.field} (type ${a.type})`).join(', ')}: address type not supported; kingress serves Gateways on IPAddress values`
    return {conditions: [condition('Accepted', 'False', 'UnsupportedAddress', message, g), condition('Programmed', 'False', 'Invalid', message, g)], listeners}
  }
  const address = spec.requested ?? served?.get(objectKey(gateway.meta)) ?? null
  const notAccepted = reports.filter((r) => r.conditions.some((c) => c.type === 'Accepted' && c.status !== 'True')).map((r) => r.listener.name)
  const programmed = reports.filter((r) => r.conditions.some((c) => c.type === 'Programmed' && c.status === 'True')).map((r) => r.listener.name)
  const accepted =
    notAccepted.length === 0
      ? condition('Accepted', 'True', 'Accepted', 'gateway accepted', g)
      : notAccepted.length < reports.length
        ? condition('Accepted', 'True', 'ListenersNotValid', `listeners not accepted: ${notAccepted.join(', ')}`, g)
        : condition('Accepted', 'False', 'ListenersNotValid', `no listener is accepted: ${notAccepted.join(', ')}`, g)
  // GatewayReasonAddressNotUsable: a static address that cannot be used; the Gateway is served on the address kingress picks (status.addresses).
  const programmedCondition =
    programmed.length === 0
      ? condition('Programmed', 'False', 'Invalid', 'no listener is programmed; see the listener conditions', g)
      : spec.unusable.length > 0
        ? condition('Programmed', 'False', 'AddressNotUsable', `not used: ${describeUnusable(spec.unusable)}; remove the entry or give a 127.0.0.0/8 address`, g)
        : condition('Programmed', 'True', 'Programmed', `listeners programmed: ${programmed.join(', ')}`, g)
  return {...(address !== null && programmed.length > 0 ? {addresses: [{type: 'IPAddress' as const, value: address}]} : {}), conditions: [accepted, programmedCondition], listeners}
}

function parametersMessage(ref: NonNullable<Gateway['parametersRef']>): string {
  return `spec.infrastructure.parametersRef ${ref.group || '""'}/${ref.kind} ${ref.name} does not resolve: kingress reads no infrastructure parameters`
}

type LocatedProblem = BackendProblem & {readonly field: string; readonly at: HTTPRoute['meta']['at']}

/** Every backendRef of a route, its filters' RequestMirror targets included, that does not resolve. */
function routeBackendProblems(snapshot: Snapshot, route: HTTPRoute): LocatedProblem[] {
  const out: LocatedProblem[] = []
  for (const rule of route.rules) {
    const refs = [...rule.backendRefs, ...[...rule.filters, ...rule.backendRefs.flatMap((b) => b.filters)].flatMap((f) => (f.mirrorBackendRef ? [f.mirrorBackendRef] : []))]
    for (const ref of refs) {
      const problem = backendProblem(snapshot, route.meta.namespace, ref)
      if (problem) out.push({...problem, field: ref.field, at: ref.at})
    }
  }
  return out
}
