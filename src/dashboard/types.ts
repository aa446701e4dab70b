import type {RequestDetail, RequestEvent} from '../runtime/events.js'

export type {HeaderList, RequestDetail} from '../runtime/events.js'

/**
 * The dashboard's inputs besides the event bus. Everything here is plain data: the runtime builds it
 * (see route-rows.ts for a helper) and the dashboard never reaches into the proxy or the providers.
 */

/** How an endpoint stands, as the route list shows it. */
export type EndpointState = 'ready' | 'starting' | 'unhealthy' | 'ejected'

export interface RouteRowEndpoint {
  /** Short name: a container name, or the address itself. */
  readonly name: string
  /** `host:port` as the proxy dials it (IPv6 in brackets): matches RequestEvent.upstream and EndpointEvent.endpoint. */
  readonly address: string
  readonly state: EndpointState
  /** Why not ready / why ejected, or null. */
  readonly reason: string | null
}

/** One routed host/path, as served by the current RouteTable. */
export interface RouteRow {
  /** RouteTable route id: matches RequestEvent.routeId. */
  readonly routeId: number
  /** The rule's host as written (`*.example.com` included), or null for a rule without host. */
  readonly host: string | null
  readonly path: string
  readonly pathType: string
  /** `webserver-blue-svc:80`: matches RequestEvent.service. */
  readonly service: string
  /** `namespace/service:port`: matches EndpointEvent.service, so ejections land on the right row. Optional: without it, ejections are matched by address alone. */
  readonly serviceKey?: string
  readonly endpoints: readonly RouteRowEndpoint[]
  /** Why the Service cannot take traffic (no endpoint ready, unresolved), or null. */
  readonly problem?: string | null
}

/** The header lines. Strings are shown as given; keep them short (they are truncated to the terminal). */
export interface DashboardStatus {
  /** The manifest files (or directories) loaded. */
  readonly manifests: readonly string[]
  /** Listening URLs (merged with the URLs of `listening` events). */
  readonly urls: readonly string[]
  /** e.g. `synced 3 hosts to /etc/hosts` or `not managed (use --hosts)`. */
  readonly hosts: string
  /** e.g. `trusted (~/.local/share/kingress/ca.pem)` or `not installed: run kingress ca install`. */
  readonly ca: string
  /** e.g. `connected (unix:///var/run/docker.sock), 3 containers` or `off (--no-docker)`. */
  readonly docker: string
}

export const EMPTY_STATUS: DashboardStatus = {manifests: [], urls: [], hosts: '', ca: '', docker: ''}

/** A RequestEvent as the dashboard reads it. */
export type DashboardRequest = RequestEvent & {readonly detail?: RequestDetail | null}
