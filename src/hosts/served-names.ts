import {isIP} from 'node:net'

import {listenerHostnames, type GatewayTable} from '../gateway/route-table.js'
import type {Ingress} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {hostsOfIngresses, type SnapshotHosts} from './snapshot-hosts.js'

/** What a hosts block holds: every exact host, and those served on another address than the proxy's. */
export interface ServedNames extends SnapshotHosts {
  /** host → address, for the hosts of a Gateway served elsewhere than `bind`. */
  readonly addresses: ReadonlyMap<string, string>
}

/**
 * The names the Ingresses and the Gateways' listeners and routes answer for. Ingress hosts go to
 * `bind`; a Gateway's hostnames to that Gateway's address (a name both claim goes to the Gateway,
 * as the proxy answers it on --bind too; the first Gateway by namespace/name keeps a shared name).
 */
export function servedNames(ingresses: readonly Ingress[], gateways: GatewayTable, bind: string, addressOf?: (gateway: string) => string): ServedNames {
  const ingress = hostsOfIngresses(ingresses)
  if (gateways.listeners.length === 0) return {...ingress, addresses: new Map()}
  const proxy = proxyAddress(bind)
  const names = new Set(ingress.names)
  const wildcards = new Set(ingress.wildcards)
  const addresses = new Map<string, string>()
  for (const l of gateways.listeners) {
    const address = addressOf === undefined ? proxy : proxyAddress(addressOf(objectKey(l.gateway.meta)))
    for (const hostname of listenerHostnames(l)) {
      if (hostname.startsWith('*.')) wildcards.add(hostname)
      else {
        names.add(hostname)
        if (address !== proxy && !addresses.has(hostname)) addresses.set(hostname, address)
      }
    }
  }
  return {names: [...names].sort(), wildcards: [...wildcards].sort(), addresses}
}

/** Where clients reach a proxy bound to `bind`: a wildcard or named bind address (0.0.0.0, ::, localhost) is 127.0.0.1. */
export function proxyAddress(bind: string): string {
  if (isIP(bind) === 0 || bind === '0.0.0.0' || bind === '::') return '127.0.0.1'
  return bind
}
