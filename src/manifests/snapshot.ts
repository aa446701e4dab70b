import type {Diagnostic} from './diagnostic.js'
import {decodeEndpoints, decodeEndpointSlice, decodeSecret, decodeService} from './decode-objects.js'
import {decodeGateway, decodeGatewayClass, decodeNamespace, decodeReferenceGrant} from './decode-gateway.js'
import {decodeHTTPRoute} from './decode-httproute.js'
import {decodeIngress} from './decode-ingress.js'
import {GATEWAY_GROUP, type Gateway, type GatewayClass, type HTTPRoute, type Namespace, type ReferenceGrant} from './gateway-model.js'
import {loadManifests, type RawObject} from './load.js'
import type {EndpointSet, Ingress, Service, Snapshot, Secret} from './model.js'

export interface LoadedSnapshot {
  readonly snapshot: Snapshot
  /** Errors, warnings and notes from loading and validation, in file order. */
  readonly diagnostics: Diagnostic[]
  readonly files: string[]
}

/** Reads files and folders into a validated Snapshot. Objects with errors are left out of it. */
export async function loadSnapshot(inputs: readonly string[]): Promise<LoadedSnapshot> {
  const loaded = await loadManifests(inputs)
  const diagnostics = [...loaded.diagnostics]
  return {snapshot: decodeObjects(loaded.objects, diagnostics), diagnostics, files: loaded.files}
}

export function decodeObjects(objects: readonly RawObject[], diagnostics: Diagnostic[]): Snapshot {
  const ingresses: Ingress[] = []
  const services: Service[] = []
  const endpointSets: EndpointSet[] = []
  const secrets: Secret[] = []
  const gatewayClasses: GatewayClass[] = []
  const gateways: Gateway[] = []
  const httpRoutes: HTTPRoute[] = []
  const referenceGrants: ReferenceGrant[] = []
  const namespaces: Namespace[] = []
  for (const object of objects) {
    switch (object.kind) {
      case 'Ingress':
        pushDefined(ingresses, decodeIngress(object, diagnostics))
        break
      case 'Service':
        pushDefined(services, decodeService(object, diagnostics))
        break
      case 'EndpointSlice':
        pushDefined(endpointSets, decodeEndpointSlice(object, diagnostics))
        break
      case 'Endpoints':
        pushDefined(endpointSets, decodeEndpoints(object, diagnostics))
        break
      case 'Secret':
        pushDefined(secrets, decodeSecret(object, diagnostics))
        break
      case 'Namespace':
        if (object.apiVersion === 'v1') {
          pushDefined(namespaces, decodeNamespace(object, diagnostics))
          break
        }
        skip(object, diagnostics)
        break
      case 'GatewayClass':
        pushDefined(gatewayClasses, decodeGatewayClass(object, diagnostics))
        break
      case 'Gateway':
        pushDefined(gateways, decodeGateway(object, diagnostics))
        break
      case 'HTTPRoute':
        pushDefined(httpRoutes, decodeHTTPRoute(object, diagnostics))
        break
      case 'ReferenceGrant':
        pushDefined(referenceGrants, decodeReferenceGrant(object, diagnostics))
        break
      default:
        skip(object, diagnostics)
    }
  }
  return {ingresses, services, endpointSets, secrets, gatewayClasses, gateways, httpRoutes, referenceGrants, namespaces}
}

function skip(object: RawObject, diagnostics: Diagnostic[]): void {
  if (object.apiVersion.startsWith(`${GATEWAY_GROUP}/`)) {
    diagnostics.push({severity: 'note', at: object.positions.root, message: `skipped ${object.kind} "${nameOf(object)}": of the Gateway API, kingress reads GatewayClass, Gateway, HTTPRoute and ReferenceGrant`})
    return
  }
  diagnostics.push({severity: 'note', at: object.positions.root, message: `skipped ${object.kind} "${nameOf(object)}": kingress reads Ingress, Service, EndpointSlice, Endpoints and Secret objects`})
}

function pushDefined<T>(list: T[], item: T | null): void {
  if (item !== null) list.push(item)
}

function nameOf(object: RawObject): string {
  const metadata = object.value.metadata as {name?: unknown} | undefined
  return typeof metadata?.name === 'string' ? metadata.name : '(no name)'
}
