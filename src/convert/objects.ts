/** The Gateway API objects `kingress convert` writes, in the API's own field names (gateway.networking.k8s.io/v1). */

export const GATEWAY_API = 'gateway.networking.k8s.io/v1'

export interface Metadata {
  readonly name: string
  readonly namespace: string
}

export interface Listener {
  readonly name: string
  readonly protocol: 'HTTP' | 'HTTPS'
  readonly port: number
  readonly hostname?: string
  readonly tls?: {readonly mode: 'Terminate'; readonly certificateRefs: readonly {readonly kind: 'Secret'; readonly name: string; readonly namespace?: string}[]}
  readonly allowedRoutes: {readonly namespaces: {readonly from: 'Same' | 'All'}}
}

export interface GatewayObject {
  readonly apiVersion: typeof GATEWAY_API
  readonly kind: 'Gateway'
  readonly metadata: Metadata
  readonly spec: {readonly gatewayClassName: string; readonly listeners: readonly Listener[]}
}

export interface PathMatch {
  readonly type: 'Exact' | 'PathPrefix' | 'RegularExpression'
  readonly value: string
}

export interface RouteMatch {
  readonly path?: PathMatch
  readonly headers?: readonly {readonly type: 'Exact'; readonly name: string; readonly value: string}[]
}

export type RouteFilter =
  | {readonly type: 'RequestRedirect'; readonly requestRedirect: {readonly scheme?: 'http' | 'https'; readonly hostname?: string; readonly port?: number; readonly path?: PathModifier; readonly statusCode: number}}
  | {readonly type: 'URLRewrite'; readonly urlRewrite: {readonly hostname?: string; readonly path?: PathModifier}}
  | {readonly type: 'RequestHeaderModifier'; readonly requestHeaderModifier: {readonly set: readonly {readonly name: string; readonly value: string}[]}}
  | {readonly type: 'CORS'; readonly cors: CorsFilter}

export type PathModifier = {readonly type: 'ReplaceFullPath'; readonly replaceFullPath: string} | {readonly type: 'ReplacePrefixMatch'; readonly replacePrefixMatch: string}

export interface CorsFilter {
  readonly allowOrigins: readonly string[]
  readonly allowMethods: readonly string[]
  readonly allowHeaders: readonly string[]
  readonly exposeHeaders?: readonly string[]
  readonly allowCredentials?: boolean
  readonly maxAge: number
}

export interface BackendRef {
  readonly name: string
  readonly namespace?: string
  readonly port: number
  readonly weight?: number
}

export interface RouteRule {
  readonly matches: readonly RouteMatch[]
  readonly filters?: readonly RouteFilter[]
  readonly backendRefs?: readonly BackendRef[]
  readonly timeouts?: {readonly backendRequest: string}
}

export interface HTTPRouteObject {
  readonly apiVersion: typeof GATEWAY_API
  readonly kind: 'HTTPRoute'
  readonly metadata: Metadata
  readonly spec: {
    readonly parentRefs: readonly {readonly name: string; readonly namespace?: string; readonly sectionName: string}[]
    readonly hostnames?: readonly string[]
    readonly rules: readonly RouteRule[]
  }
}

export interface ReferenceGrantObject {
  readonly apiVersion: 'gateway.networking.k8s.io/v1beta1'
  readonly kind: 'ReferenceGrant'
  readonly metadata: Metadata
  readonly spec: {
    readonly from: readonly {readonly group: 'gateway.networking.k8s.io'; readonly kind: 'HTTPRoute' | 'Gateway'; readonly namespace: string}[]
    readonly to: readonly {readonly group: ''; readonly kind: 'Service' | 'Secret'}[]
  }
}

export type ConvertedObject = GatewayObject | HTTPRouteObject | ReferenceGrantObject

/** An object with the comments that explain it: above the object, and above each of its rules. */
export interface Commented<T extends ConvertedObject = ConvertedObject> {
  readonly object: T
  readonly comment: readonly string[]
  readonly ruleComments: readonly (readonly string[])[]
}
