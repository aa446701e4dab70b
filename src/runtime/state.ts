import type {BackendTable} from '../backends/resolver.js'
import type {Ingress, Snapshot} from '../manifests/model.js'
import type {RouteTable} from '../routing/table.js'
import type {RouteModel} from '../model/route-model.js'

/**
 * Everything one request needs: the route model and the endpoints behind it, immutable and swapped as one reference: a request (and a WebSocket)
 * keeps the state it started with even if a reload swaps in a new one meanwhile.
 */
export interface RuntimeState extends RouteModel {
  readonly generation: number
  readonly backends: BackendTable
  readonly snapshot: Snapshot
  /** The Ingresses the table serves: the snapshot's, less those another --class leaves out. */
  readonly ingresses: readonly Ingress[]
  /** Hosts with a rule, as written (`*.example.com` included), sorted. */
  readonly hosts: readonly string[]
}

export function servedHosts(table: RouteTable): string[] {
  return table.virtualHosts
    .map((v) => v.pattern)
    .filter((p): p is string => p !== null)
    .sort()
}
