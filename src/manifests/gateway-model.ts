import type {ObjectMeta} from './model.js'
import type {Position} from './position.js'

/**
 * The validated, typed view of the gateway.networking.k8s.io objects (standard channel, v1) and of
 * Namespaces. Defaults the CRD schema applies on create are applied here, so readers never see an
 * absent `kind`, `group`, `weight` or path match.
 */

export const GATEWAY_GROUP = 'gateway.networking.k8s.io'

/** Where a node was written: for diagnostics about one reference or listener. */
export interface Located {
  readonly at: Position
  /** The API server's field path, e.g. `spec.rules[0].backendRefs[1]`. */
  readonly field: string
}

export interface GatewayClass {
  readonly kind: 'GatewayClass'
  readonly meta: ObjectMeta
  readonly generation: number | null
  readonly controllerName: string
}

export interface RouteGroupKind {
  readonly group: string
  readonly kind: string
}

export interface LabelSelectorRequirement {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  readonly values: readonly string[]
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>
  readonly matchExpressions: readonly LabelSelectorRequirement[]
}

export interface SecretObjectReference extends Located {
  readonly group: string
  readonly kind: string
  readonly name: string
  /** null: the Gateway's own namespace. */
  readonly namespace: string | null
}

export interface ListenerTLS {
  readonly mode: 'Terminate' | 'Passthrough'
  readonly certificateRefs: readonly SecretObjectReference[]
}

export type FromNamespaces = 'All' | 'Same' | 'Selector'

export interface AllowedRoutes {
  readonly from: FromNamespaces
  readonly selector: LabelSelector | null
  /** null: not written, the kinds the protocol supports. */
  readonly kinds: readonly (RouteGroupKind & Located)[] | null
}

export interface Listener extends Located {
  readonly name: string
  readonly hostname: string | null
  readonly port: number
  readonly protocol: string
  readonly tls: ListenerTLS | null
  readonly allowedRoutes: AllowedRoutes
}

export interface Gateway {
  readonly kind: 'Gateway'
  readonly apiVersion: string
  readonly meta: ObjectMeta
  readonly generation: number | null
  readonly className: string
  readonly listeners: readonly Listener[]
  /** spec.infrastructure.parametersRef (LocalParametersReference), or null. */
  readonly parametersRef: {readonly group: string; readonly kind: string; readonly name: string} | null
  /** spec.addresses (GatewaySpecAddress): the addresses the Gateway asks to be served on. */
  readonly addresses: readonly GatewaySpecAddress[]
}

export interface GatewaySpecAddress extends Located {
  /** Defaulted to IPAddress. */
  readonly type: string
  /** null: any address of the type (GatewayOptionalAddressValue). */
  readonly value: string | null
}

export interface ParentReference extends Located {
  readonly group: string
  readonly kind: string
  /** null: the route's own namespace. */
  readonly namespace: string | null
  readonly name: string
  readonly sectionName: string | null
  readonly port: number | null
}

export interface BackendObjectReference extends Located {
  readonly group: string
  readonly kind: string
  readonly name: string
  readonly namespace: string | null
  readonly port: number | null
}

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression'

export interface HTTPPathMatch {
  readonly type: PathMatchType
  readonly value: string
}

export interface HTTPValueMatch {
  readonly type: 'Exact' | 'RegularExpression'
  readonly name: string
  readonly value: string
}

export interface HTTPRouteMatch {
  readonly path: HTTPPathMatch
  readonly headers: readonly HTTPValueMatch[]
  readonly queryParams: readonly HTTPValueMatch[]
  readonly method: string | null
}

export type HTTPRouteFilterType = 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'RequestRedirect' | 'URLRewrite' | 'ExtensionRef' | 'CORS'

export interface HTTPRouteFilter extends Located {
  readonly type: HTTPRouteFilterType
  /** The filter's own field (`requestRedirect:` …) as written; the data plane reads it. */
  readonly config: Readonly<Record<string, unknown>>
  /** RequestMirror's backendRef: a reference like any other, checked for ResolvedRefs. */
  readonly mirrorBackendRef: BackendObjectReference | null
}

export interface HTTPBackendRef extends BackendObjectReference {
  readonly weight: number
  readonly filters: readonly HTTPRouteFilter[]
}

export interface HTTPRouteRule extends Located {
  readonly name: string | null
  readonly matches: readonly HTTPRouteMatch[]
  readonly filters: readonly HTTPRouteFilter[]
  readonly backendRefs: readonly HTTPBackendRef[]
  readonly timeouts: {readonly request: string | null; readonly backendRequest: string | null}
}

export interface HTTPRoute {
  readonly kind: 'HTTPRoute'
  readonly apiVersion: string
  readonly meta: ObjectMeta
  readonly generation: number | null
  readonly parentRefs: readonly ParentReference[]
  readonly hostnames: readonly string[]
  readonly rules: readonly HTTPRouteRule[]
}

export interface ReferenceGrant {
  readonly kind: 'ReferenceGrant'
  readonly meta: ObjectMeta
  readonly from: readonly {readonly group: string; readonly kind: string; readonly namespace: string}[]
  /** name null: every object of that group and kind in the grant's namespace. */
  readonly to: readonly {readonly group: string; readonly kind: string; readonly name: string | null}[]
}

/** Only its labels matter (allowedRoutes.namespaces.selector). */
export interface Namespace {
  readonly kind: 'Namespace'
  readonly meta: ObjectMeta
}
