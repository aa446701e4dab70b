import type {Gateway, GatewayClass, HTTPRoute, Namespace, ReferenceGrant} from './gateway-model.js'
import type {Position} from './position.js'

export type * from './gateway-model.js'
export {GATEWAY_GROUP} from './gateway-model.js'

/** The validated, typed view of the objects kingress understands. Produced by `decode*`, read by compile(). */

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific'

export type ServicePortRef = {readonly number: number} | {readonly name: string}

export type BackendRef =
  | {readonly kind: 'service'; readonly service: string; readonly port: ServicePortRef}
  | {readonly kind: 'resource'; readonly apiGroup: string | null; readonly resourceKind: string; readonly name: string}

export interface ObjectMeta {
  readonly name: string
  readonly namespace: string
  readonly annotations: Readonly<Record<string, string>>
  /** Where each annotation key is written, for messages about one annotation. */
  readonly annotationPositions: Readonly<Record<string, Position>>
  readonly labels: Readonly<Record<string, string>>
  readonly creationTimestamp: string | null
  /** Where the object starts, and the load order used when no timestamp orders two objects. */
  readonly at: Position
  readonly loadIndex: number
}

export interface IngressPath {
  readonly path: string
  readonly pathType: PathType
  readonly backend: BackendRef
  readonly at: Position
  /** e.g. `spec.rules[0].http.paths[1]` */
  readonly field: string
}

export interface IngressRule {
  readonly host: string | null
  readonly paths: readonly IngressPath[]
  readonly at: Position
  readonly field: string
}

export interface IngressTLS {
  readonly hosts: readonly string[]
  readonly secretName: string | null
  readonly at: Position
  readonly field: string
}

export interface Ingress {
  readonly kind: 'Ingress'
  readonly meta: ObjectMeta
  /** spec.ingressClassName, else the kubernetes.io/ingress.class annotation, else null. */
  readonly className: string | null
  readonly defaultBackend: BackendRef | null
  readonly defaultBackendAt: Position | null
  readonly rules: readonly IngressRule[]
  readonly tls: readonly IngressTLS[]
}

export interface ServicePort {
  readonly name: string | null
  readonly port: number
  readonly targetPort: number | string
  readonly protocol: string
}

export interface Service {
  readonly kind: 'Service'
  readonly meta: ObjectMeta
  readonly selector: Readonly<Record<string, string>> | null
  readonly ports: readonly ServicePort[]
}

/** An address set for a selector-less Service: from an EndpointSlice or an Endpoints object. */
export interface EndpointSet {
  readonly kind: 'EndpointSlice' | 'Endpoints'
  readonly meta: ObjectMeta
  readonly serviceName: string
  readonly ports: readonly {readonly name: string | null; readonly port: number}[]
  readonly addresses: readonly {readonly ip: string; readonly ready: boolean}[]
}

/** A Secret with its data decoded (base64 `data` and plain `stringData` merged), e.g. `tls.crt`/`tls.key`. */
export interface Secret {
  readonly kind: 'Secret'
  readonly meta: ObjectMeta
  readonly type: string
  readonly data: Readonly<Record<string, string>>
}

/** Everything the providers know at one moment. compile() turns it into a RouteTable. */
export interface Snapshot {
  readonly ingresses: readonly Ingress[]
  readonly services: readonly Service[]
  readonly endpointSets: readonly EndpointSet[]
  readonly secrets: readonly Secret[]
  /** The Gateway API objects (status and validation; not served yet) and the Namespaces their selectors read. */
  readonly gatewayClasses: readonly GatewayClass[]
  readonly gateways: readonly Gateway[]
  readonly httpRoutes: readonly HTTPRoute[]
  readonly referenceGrants: readonly ReferenceGrant[]
  readonly namespaces: readonly Namespace[]
}

/** The Gateway API part of a Snapshot, empty: for snapshots built by hand (tests, Docker-only sessions). */
export const NO_GATEWAY_OBJECTS = {gatewayClasses: [], gateways: [], httpRoutes: [], referenceGrants: [], namespaces: []} as const satisfies Partial<Snapshot>

export function objectKey(meta: Pick<ObjectMeta, 'namespace' | 'name'>): string {
  return `${meta.namespace}/${meta.name}`
}
