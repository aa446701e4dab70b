import type {Diagnostic} from '../manifests/diagnostic.js'
import type {Gateway, GatewayClass, HTTPRoute, Listener, RouteGroupKind, Snapshot} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {attach, isGatewayRef} from './attach.js'
import {condition, CONTROLLER_NAME, withoutField, type Condition} from './conditions.js'
import {listenerReports, type ListenerReport} from './listeners.js'
import {backendProblem, type BackendProblem} from './references.js'

/**
 * The `.status` a conformant Gateway API controller would write for every loaded GatewayClass,
 * Gateway and HTTPRoute, computed from the Snapshot alone (pure: same snapshot, same status).
 * Beside it, the user mistakes behind non-True conditions as located warnings, for `validate`.
 */

export interface StatusOptions {
  /** `--class NAME`: only Gateways of this gatewayClassName (and that GatewayClass) are ours. */
  readonly className?: string | undefined
}

export interface ListenerStatus {
  readonly name: string
  readonly supportedKinds: readonly RouteGroupKind[]
  readonly attachedRoutes: number
  readonly conditions: readonly Condition[]
}

export interface GatewayStatus {
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
  const items: StatusItem[] = []
  const className = options.className

  const classes = [...snapshot.gatewayClasses].filter((c) => className === undefined || c.meta.name === className).sort(byKey)
  for (const gc of classes) {
    items.push({kind: 'GatewayClass', object: gc, status: {conditions: [condition('Accepted', 'True', 'Accepted', `kingress acts as the controller of this class locally (controllerName ${gc.controllerName})`, gc.generation)]}})
  }

  // Which Gateways are ours: of the selected class, and of a class that exists (when any GatewayClass is loaded).
  const ours = new Map<Gateway, ListenerReport[] | null>()
  for (const gateway of [...snapshot.gateways].sort(byKey)) {
    if (className !== undefined && gateway.className !== className) {
      diagnostics.push({severity: 'note', at: gateway.meta.at, message: `Gateway ${objectKey(gateway.meta)} has gatewayClassName "${gateway.className}": no status with --class ${className}`})
      continue
    }
    const classKnown = snapshot.gatewayClasses.length === 0 || snapshot.gatewayClasses.some((c) => c.meta.name === gateway.className)
    ours.set(gateway, classKnown ? listenerReports(snapshot, gateway) : null)
    if (!classKnown) {
      diagnostics.push({severity: 'warning', at: gateway.meta.at, field: 'spec.gatewayClassName', message: `GatewayClass "${gateway.className}" is not among the loaded GatewayClasses (${snapshot.gatewayClasses.map((c) => c.meta.name).join(', ')}); no controller would program this Gateway. Fix the name or add the GatewayClass`})
    }
    for (const report of ours.get(gateway) ?? []) for (const p of report.problems) diagnostics.push({severity: 'warning', at: p.at, field: p.field, message: p.message})
  }

  const attached = new Map<Listener, Set<HTTPRoute>>()
  const routeItems: StatusItem[] = []
  for (const route of [...snapshot.httpRoutes].sort(byKey)) {
    const parents: RouteParentStatus[] = []
    const g = route.generation
    const problems = routeBackendProblems(snapshot, route)
    const unsupported = route.rules.flatMap((rule) => [...rule.filters, ...rule.backendRefs.flatMap((b) => b.filters)]).filter((f) => f.type === 'ExtensionRef')
    const resolvedRefs = problems.length === 0 ? condition('ResolvedRefs', 'True', 'ResolvedRefs', 'all backendRefs resolved', g) : condition('ResolvedRefs', 'False', problems[0]!.reason, problems.map((p) => p.message).join('; '), g)
    for (const p of problems) diagnostics.push({severity: 'warning', at: p.at, field: p.field, message: `${withoutField(p.message, p.field)} (ResolvedRefs: ${p.reason}; a conformant implementation answers 500 for this backend's share of requests)`})
    for (const f of unsupported) diagnostics.push({severity: 'warning', at: f.at, field: f.field, message: 'kingress runs no ExtensionRef filters; the route is not accepted (Accepted: UnsupportedValue)'})

    for (const ref of route.parentRefs) {
      if (!isGatewayRef(ref)) {
        diagnostics.push({severity: 'note', at: ref.at, field: ref.field, message: `parentRef kind ${ref.kind} (group ${ref.group || '""'}) is not a Gateway; kingress attaches HTTPRoutes to Gateways only`})
        continue
      }
      const namespace = ref.namespace ?? route.meta.namespace
      const gateway = snapshot.gateways.find((gw) => gw.meta.namespace === namespace && gw.meta.name === ref.name)
      if (gateway !== undefined && !ours.has(gateway)) continue // another class: another controller's to write
      const reports = gateway === undefined ? null : ours.get(gateway)
      if (gateway !== undefined && reports === null) continue // no controller for its class: nobody writes this parent
      const parentRef: ParentRefStatus = {group: ref.group, kind: ref.kind, namespace, name: ref.name, ...(ref.sectionName !== null ? {sectionName: ref.sectionName} : {}), ...(ref.port !== null ? {port: ref.port} : {})}
      let accepted: Condition
      if (gateway === undefined || reports === undefined || reports === null) {
        accepted = condition('Accepted', 'False', 'NoMatchingParent', `Gateway ${namespace}/${ref.name} is not in the loaded manifests`, g)
      } else if (unsupported.length > 0) {
        accepted = condition('Accepted', 'False', 'UnsupportedValue', `${unsupported.map((f) => f.field).join(', ')}: ExtensionRef filters are not supported`, g)
      } else {
        const result = attach(snapshot, route, ref, gateway, reports)
        if (result.accepted) {
          accepted = condition('Accepted', 'True', 'Accepted', result.message, g)
          for (const l of result.listeners) attached.set(l, (attached.get(l) ?? new Set()).add(route))
        } else {
          accepted = condition('Accepted', 'False', result.reason, result.message, g)
        }
      }
      if (accepted.status !== 'True' && accepted.reason !== 'UnsupportedValue') {
        diagnostics.push({severity: 'warning', at: ref.at, field: ref.field, message: `not accepted by Gateway ${namespace}/${ref.name} (Accepted: ${accepted.reason}): ${accepted.message}`})
      }
      parents.push({parentRef, controllerName: CONTROLLER_NAME, conditions: [accepted, resolvedRefs]})
    }
    routeItems.push({kind: 'HTTPRoute', object: route, status: {parents}})
  }

  for (const [gateway, reports] of ours) items.push({kind: 'Gateway', object: gateway, status: gatewayStatus(gateway, reports, attached)})
  items.push(...routeItems)
  return {items, diagnostics: diagnostics.sort((a, b) => a.at.file.localeCompare(b.at.file) || a.at.line - b.at.line || a.at.col - b.at.col)}
}

function gatewayStatus(gateway: Gateway, reports: readonly ListenerReport[] | null, attached: ReadonlyMap<Listener, ReadonlySet<HTTPRoute>>): GatewayStatus {
  const g = gateway.generation
  if (reports === null) {
    const message = `GatewayClass ${gateway.className} is not loaded; waiting for a controller`
    return {conditions: [condition('Accepted', 'Unknown', 'Pending', message, g), condition('Programmed', 'Unknown', 'Pending', message, g)], listeners: []}
  }
  const listeners = reports.map((r) => ({name: r.listener.name, supportedKinds: r.supportedKinds, attachedRoutes: attached.get(r.listener)?.size ?? 0, conditions: r.conditions}))
  const notAccepted = reports.filter((r) => r.conditions.some((c) => c.type === 'Accepted' && c.status !== 'True')).map((r) => r.listener.name)
  const programmed = reports.filter((r) => r.conditions.some((c) => c.type === 'Programmed' && c.status === 'True')).map((r) => r.listener.name)
  const accepted =
    notAccepted.length === 0
      ? condition('Accepted', 'True', 'Accepted', 'gateway accepted', g)
      : notAccepted.length < reports.length
        ? condition('Accepted', 'True', 'ListenersNotValid', `listeners not accepted: ${notAccepted.join(', ')}`, g)
        : condition('Accepted', 'False', 'ListenersNotValid', `no listener is accepted: ${notAccepted.join(', ')}`, g)
  const programmedCondition =
    programmed.length > 0 ? condition('Programmed', 'True', 'Programmed', `listeners programmed: ${programmed.join(', ')}`, g) : condition('Programmed', 'False', 'Invalid', 'no listener is programmed; see the listener conditions', g)
  return {conditions: [accepted, programmedCondition], listeners}
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
