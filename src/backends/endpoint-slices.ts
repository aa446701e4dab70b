import type {EndpointSet, Service, ServicePort, Snapshot} from '../manifests/model.js'
import {formatAddress, type BackendTarget, type Endpoint, type EndpointProvider, type ServiceRef} from './types.js'

/**
 * A Service without selector takes its addresses from EndpointSlice / Endpoints objects in the
 * loaded files: how an Ingress points at `npm run dev` on localhost. A Service with a selector, or
 * no Service at all, is left to the next provider (Docker).
 */
export class EndpointSliceProvider implements EndpointProvider {
  readonly name = 'endpoint-slices'

  resolve(ref: ServiceRef, snapshot: Snapshot): BackendTarget | undefined {
    const service = snapshot.services.find((s) => s.meta.name === ref.service && s.meta.namespace === ref.namespace)
    if (!service || service.selector !== null) return undefined
    return resolveSelectorless(ref, service, snapshot.endpointSets)
  }

  onChange(): () => void {
    // Its facts come from the manifests, which reload on their own.
    return () => {}
  }

  async close(): Promise<void> {}
}

export function resolveSelectorless(ref: ServiceRef, service: Service, all: readonly EndpointSet[]): BackendTarget {
  const serviceName = `Service ${ref.namespace}/${ref.service}`
  const servicePort = findServicePort(service, ref)
  const wanted = 'number' in ref.port ? `port ${ref.port.number}` : `port named "${ref.port.name}"`
  if (!servicePort) {
    const has = service.ports.map(describeServicePort).join(', ') || 'none'
    return fail(ref, serviceName, `${serviceName} has no ${wanted} (its ports: ${has}). Make the Ingress backend name one of them.`)
  }
  const sets = all.filter((s) => s.serviceName === ref.service && s.meta.namespace === ref.namespace)
  if (sets.length === 0) {
    return fail(
      ref,
      serviceName,
      `${serviceName} has no selector and no EndpointSlice or Endpoints object names it. Add an EndpointSlice labelled kubernetes.io/service-name: ${ref.service} ` +
        `with your server's address, or pass --backend ${ref.service}=127.0.0.1:${typeof servicePort.targetPort === 'number' ? servicePort.targetPort : 3000}`,
    )
  }
  const endpoints: Endpoint[] = []
  const seen = new Set<string>()
  const problems: string[] = []
  for (const set of sets) {
    const port = slicePort(set, servicePort)
    const label = `${set.kind} ${set.meta.namespace}/${set.meta.name}`
    if (port === null) {
      problems.push(`${label} has no port matching Service port ${describeServicePort(servicePort)} (its ports: ${set.ports.map((p) => (p.name ? `${p.name}:${p.port}` : String(p.port))).join(', ') || 'none'})`)
      continue
    }
    for (const address of set.addresses) {
      const id = formatAddress(address.ip, port)
      if (seen.has(id)) continue
      seen.add(id)
      endpoints.push({id, host: address.ip, port, name: id, via: 'endpoint-slice', ready: address.ready, notReadyReason: address.ready ? null : `${label} marks ${address.ip} not ready`})
    }
  }
  const source = `${serviceName} (no selector) → ${sets.map((s) => `${s.kind} ${s.meta.name}`).join(', ')}`
  const ready = endpoints.some((e) => e.ready)
  let problem: string | null = null
  if (!ready) {
    problem =
      endpoints.length === 0
        ? `${problems.join('; ') || `${sets.map((s) => `${s.kind} ${s.meta.name}`).join(', ')} list no address`}.`
        : `no address of ${serviceName} is ready: ${endpoints.map((e) => e.notReadyReason).join('; ')}.`
  }
  return {ref, endpoints, source, problem}
}

function fail(ref: ServiceRef, source: string, problem: string): BackendTarget {
  return {ref, endpoints: [], source, problem}
}

function findServicePort(service: Service, ref: ServiceRef): ServicePort | undefined {
  const port = ref.port
  if ('number' in port) return service.ports.find((p) => p.port === port.number)
  return service.ports.find((p) => p.name === port.name)
}

/** Service port → slice port: by the Service port's name, else by a numeric targetPort, else the only port. */
export function slicePort(set: EndpointSet, servicePort: ServicePort): number | null {
  const byName = set.ports.find((p) => (p.name ?? null) === servicePort.name)
  if (byName) return byName.port
  if (typeof servicePort.targetPort === 'number') {
    const byNumber = set.ports.find((p) => p.port === servicePort.targetPort)
    if (byNumber) return byNumber.port
    if (set.ports.length === 0) return servicePort.targetPort
  }
  if (set.ports.length === 1) return set.ports[0]!.port
  return null
}

function describeServicePort(p: ServicePort): string {
  return `${p.name ? `${p.name} ` : ''}${p.port}→${p.targetPort}`
}
