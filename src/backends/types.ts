import type {ServicePortRef, Snapshot} from '../manifests/model.js'

/**
 * The seam between endpoint providers (static --backend flags, EndpointSlice/Endpoints objects,
 * Docker) and the proxy. Providers only produce facts; the runtime merges them into an immutable
 * BackendTable that is swapped together with the RouteTable.
 */

export type EndpointVia = 'static' | 'endpoint-slice' | 'published' | 'bridge'

export interface Endpoint {
  /** Stable identity across reloads (balancer and ejection state are keyed by it), e.g. `127.0.0.1:3000` or a container id + port. */
  readonly id: string
  /** Address to dial: an IP or host name, and a port. */
  readonly host: string
  readonly port: number
  /** Short name for logs and the dashboard: a container name, or the address itself. */
  readonly name: string
  readonly via: EndpointVia
  /** Only ready endpoints get traffic (Docker healthcheck `healthy` or none; EndpointSlice `ready`). */
  readonly ready: boolean
  /** Why not ready, for the 503 page and the dashboard: e.g. `healthcheck is "starting"`. */
  readonly notReadyReason: string | null
}

/** A backend reference as an Ingress writes it, in the Ingress's namespace. */
export interface ServiceRef {
  readonly namespace: string
  readonly service: string
  readonly port: ServicePortRef
}

export interface BackendTarget {
  readonly ref: ServiceRef
  readonly endpoints: readonly Endpoint[]
  /** Which provider answered and how it found the endpoints: `--backend flag`, `Service selector app=web → 2 containers`. */
  readonly source: string
  /** When there is no ready endpoint: why, and what to do (shown on the 503 page). Null when healthy. */
  readonly problem: string | null
}

export interface EndpointProvider {
  readonly name: string
  /** The endpoints this provider knows for `ref`, or undefined to let the next provider answer. */
  resolve(ref: ServiceRef, snapshot: Snapshot): BackendTarget | undefined
  /** Called whenever resolve() could answer differently (a container started, a file changed). */
  onChange(listener: () => void): () => void
  close(): Promise<void>
}

/** `host:port`, IPv6 in brackets: how endpoints are dialled, keyed and shown. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

export function serviceRefKey(ref: ServiceRef): string {
  return `${ref.namespace}/${ref.service}:${'number' in ref.port ? ref.port.number : ref.port.name}`
}
