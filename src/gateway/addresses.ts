import {isIP} from 'node:net'

import {objectKey, type Gateway} from '../manifests/model.js'
import {wellKnownPort} from '../routing/normalize.js'
import type {GatewayTable} from './route-table.js'
import {specAddressesOf} from './spec-addresses.js'

/**
 * Where `kingress up` serves each Gateway: an address per Gateway and a local socket per listener
 * port. Pure: the same table and flags give the same plan, so reloads can be compared with it.
 */

export interface GatewayAddressing {
  /** --gateway-address NS/NAME=IP */
  readonly addresses: ReadonlyMap<string, string>
  /** --listener-port P=LOCAL: a listener port other than 80/443 served on LOCAL instead of P. */
  readonly listenerPorts: ReadonlyMap<number, number>
  /** Where addresses other than 127.0.0.1 exist without setup: Linux (and other non-darwin) loopback is all of 127.0.0.0/8. */
  readonly platform: NodeJS.Platform
}

/** 'http': the port --http-port chose (80, or 8080 after a fallback); 'https': --https-port's. */
export type LocalPort = number | 'http' | 'https'

export interface PlannedSocket {
  readonly address: string
  readonly port: LocalPort
  readonly scheme: 'http' | 'https'
  /** The port the listeners declare (what a request is evaluated against). */
  readonly gatewayPort: number
  /** `ns/name` of the Gateways served here, sorted. */
  readonly gateways: readonly string[]
  /** `ns/gateway/listener` of each listener served here, for messages. */
  readonly listeners: readonly string[]
  /**
   * The --bind address on the HTTP (or HTTPS) port: the Ingress listener itself. The Gateways answer
   * the hosts their routes claim, the Ingresses the rest.
   */
  readonly ingress: boolean
}

/** Where a Gateway's address came from: --gateway-address, its own spec.addresses, or kingress's pick. */
export type AddressSource = 'flag' | 'spec.addresses' | 'assigned'

export interface GatewayPlan {
  /** Every Gateway with an accepted listener → the address it is served on. */
  readonly addresses: ReadonlyMap<string, string>
  /** The same Gateways → where that address came from (for a bind error to say what to change). */
  readonly sources: ReadonlyMap<string, AddressSource>
  readonly sockets: readonly PlannedSocket[]
  /** Lines for stderr: shared addresses, overlapping listeners, flags naming nothing. */
  readonly warnings: readonly string[]
}

const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0'])

/**
 * `previous`: the addresses of a plan being replaced (a reload): a Gateway that is still there keeps
 * its address, so adding a Gateway never moves the others.
 */
export function planGatewaySockets(table: GatewayTable, bind: string, addressing: GatewayAddressing, previous?: ReadonlyMap<string, string>): GatewayPlan {
  const warnings: string[] = []
  const keys = [...new Set(table.listeners.filter((l) => l.listener.protocol === 'HTTP' || l.listener.protocol === 'HTTPS').map((l) => objectKey(l.gateway.meta)))]
  for (const named of addressing.addresses.keys()) {
    if (!keys.includes(named)) warnings.push(unknownGatewayFlag(named, addressing.addresses.get(named)!))
  }
  const gateways = new Map<string, Gateway>(table.listeners.map((l) => [objectKey(l.gateway.meta), l.gateway]))
  // spec.addresses: a loopback address is used unless --gateway-address names the Gateway; the rest is said.
  const requested = new Map<string, string>()
  for (const key of keys) {
    const spec = specAddressesOf(gateways.get(key)!)
    const flag = addressing.addresses.get(key)
    if (spec.requested !== null && flag === undefined) requested.set(key, spec.requested)
    if (spec.requested !== null && flag !== undefined && flag !== spec.requested) warnings.push(`Gateway ${key}: --gateway-address ${key}=${flag} is used, not spec.addresses ${spec.requested}.`)
  }
  const addresses = assignAddresses(keys, bind, addressing, previous, requested)
  const sources = new Map<string, AddressSource>(keys.map((k) => [k, addressing.addresses.has(k) ? 'flag' : requested.has(k) ? 'spec.addresses' : 'assigned']))
  for (const key of keys) {
    if (addressing.addresses.has(key)) continue
    for (const u of specAddressesOf(gateways.get(key)!).unusable) {
      warnings.push(`Gateway ${key}: ${u.address.field} ${u.address.value} is not used: ${u.why}. Served on ${addresses.get(key)} instead (status: Programmed False, AddressNotUsable).`)
    }
  }
  const shared = new Map<string, string[]>()
  for (const key of keys) shared.set(addresses.get(key)!, [...(shared.get(addresses.get(key)!) ?? []), key])
  const auto = keys.filter((k) => !addressing.addresses.has(k) && !requested.has(k))
  if (addressing.platform === 'darwin' && auto.length > 1 && !WILDCARD_BINDS.has(bind)) {
    warnings.push(
      `on macOS only 127.0.0.1 answers until more loopback addresses are added, so Gateways ${auto.join(', ')} share ${bind}: ` +
        `give each its own address with \`sudo ifconfig lo0 alias 127.0.0.2 up\` (127.0.0.3, … for more) and --gateway-address ${auto[1]}=127.0.0.2.`,
    )
  }

  const sockets = new Map<string, {socket: PlannedSocket; gateways: Set<string>; listeners: string[]}>()
  // The Ingress listeners: --bind on the HTTP and HTTPS ports, there whether or not a Gateway shares them.
  for (const scheme of ['http', 'https'] as const) {
    sockets.set(`${bind} ${scheme}`, {socket: {address: bind, port: scheme, scheme, gatewayPort: wellKnownPort(scheme), gateways: [], listeners: [], ingress: true}, gateways: new Set(), listeners: []})
  }
  const hostsOnPort = new Map<string, string>()
  for (const l of table.listeners) {
    const protocol = l.listener.protocol
    if (protocol !== 'HTTP' && protocol !== 'HTTPS') continue
    const key = objectKey(l.gateway.meta)
    const address = addresses.get(key)!
    const scheme = protocol === 'HTTPS' ? 'https' : 'http'
    const port = localPort(l.listener.port, addressing.listenerPorts)
    const name = `${key}/${l.listener.name}`
    // Local port 0 (any free port) is a socket per listener port: each gets a port of its own.
    const id = port === 0 ? `${address} 0 for ${l.listener.port}` : `${address} ${port}`
    const found = sockets.get(id)
    if (found !== undefined && (found.socket.scheme !== scheme || found.socket.gatewayPort !== l.listener.port)) {
      const owner = found.listeners[0] ?? 'the Ingress listener'
      warnings.push(`Gateway listener ${name} (${protocol} port ${l.listener.port}) is not served: ${describePort(port)} on ${address} already serves ${found.socket.scheme.toUpperCase()} port ${found.socket.gatewayPort} (${owner}). Map one of them elsewhere with --listener-port or --gateway-address.`)
      continue
    }
    if (found === undefined) {
      sockets.set(id, {socket: {address, port, scheme, gatewayPort: l.listener.port, gateways: [], listeners: [], ingress: false}, gateways: new Set([key]), listeners: [name]})
    } else {
      found.gateways.add(key)
      found.listeners.push(name)
    }
    const hostKey = `${id} ${l.listener.hostname ?? '*'}`
    const other = hostsOnPort.get(hostKey)
    if (other !== undefined && !other.startsWith(`${key}/`)) {
      warnings.push(`Gateway listeners ${other} and ${name} share ${address} port ${l.listener.port} and hostname ${l.listener.hostname ?? '(any)'}: a request goes to the one with a route for its host (then the first by namespace/name). Give one Gateway its own address with --gateway-address.`)
    } else if (other === undefined) hostsOnPort.set(hostKey, name)
  }
  const planned = [...sockets.values()].map(({socket, gateways, listeners}) => ({...socket, gateways: [...gateways].sort(), listeners}))
  return {addresses, sources, sockets: planned, warnings}
}

/** A --gateway-address naming no Gateway `up` serves: said, not an error (the manifests may come later). */
export function unknownGatewayFlag(key: string, ip: string): string {
  return `--gateway-address ${key}=${ip}: no Gateway ${key} with an accepted HTTP or HTTPS listener is loaded.`
}

/**
 * The address each Gateway gets from `kingress up` with the default --bind (127.0.0.1) and no
 * --gateway-address: what `kingress status` writes in status.addresses.
 */
export function defaultGatewayAddresses(table: GatewayTable, platform: NodeJS.Platform): ReadonlyMap<string, string> {
  return planGatewaySockets(table, '127.0.0.1', {addresses: new Map(), listenerPorts: new Map(), platform}).addresses
}

function assignAddresses(keys: readonly string[], bind: string, addressing: GatewayAddressing, previous: ReadonlyMap<string, string> | undefined, requested: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>()
  const fixed = new Map<string, string>()
  for (const key of keys) {
    const kept = addressing.addresses.get(key) ?? requested.get(key) ?? previous?.get(key)
    if (kept !== undefined) fixed.set(key, kept)
  }
  const taken = new Set([...addressing.addresses.values(), ...requested.values(), ...fixed.values()])
  // A wildcard bind already covers 127.0.0.2 and up: a second socket there could not bind.
  const share = addressing.platform === 'darwin' || WILDCARD_BINDS.has(bind)
  const free = function* (): Generator<string> {
    if (!taken.has(bind)) yield bind
    for (let n = 2; n < 255; n++) if (!taken.has(`127.0.0.${n}`) && `127.0.0.${n}` !== bind) yield `127.0.0.${n}`
  }
  const next = free()
  for (const key of keys) {
    const given = fixed.get(key)
    if (given !== undefined) out.set(key, given)
    else if (share) out.set(key, bind)
    else out.set(key, next.next().value ?? bind)
  }
  return out
}

function localPort(port: number, mapped: ReadonlyMap<number, number>): LocalPort {
  if (port === 80) return 'http'
  if (port === 443) return 'https'
  return mapped.get(port) ?? port
}

export function describePort(port: LocalPort): string {
  return port === 'http' ? 'the --http-port port' : port === 'https' ? 'the --https-port port' : `port ${port}`
}

/** What decides the sockets: compared across reloads (listeners are bound once, at start). */
export function socketSignature(plan: GatewayPlan): string {
  return plan.sockets
    .map((s) => `${s.address} ${s.port} ${s.scheme} ${s.gatewayPort} ${s.gateways.join(',')}`)
    .sort()
    .join('\n')
}

/** `NS/NAME=IP` → [key, ip]; `P=LOCAL` → [P, LOCAL]: the flags' values, checked (a UserError message, or the pair). */
export function parseGatewayAddress(text: string): [string, string] | string {
  const m = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)=(.+)$/.exec(text.trim())
  if (m === null) return `--gateway-address ${text}: expected NAMESPACE/NAME=IP, e.g. default/shop=127.0.0.2.`
  if (isIP(m[5]!) === 0) return `--gateway-address ${text}: ${m[5]} is not an IP address (e.g. 127.0.0.2).`
  return [`${m[1]}/${m[3]}`, m[5]!]
}

export function parseListenerPort(text: string): [number, number] | string {
  const m = /^(\d{1,5})=(\d{1,5})$/.exec(text.trim())
  const from = m === null ? NaN : Number(m[1])
  const to = m === null ? NaN : Number(m[2])
  if (m === null || from < 1 || from > 65535 || to > 65535) return `--listener-port ${text}: expected LISTENER_PORT=LOCAL_PORT, e.g. 8000=18000 (LOCAL 0 picks a free port).`
  if (from === 80 || from === 443) return `--listener-port ${text}: listeners on port ${from} are served on ${from === 80 ? '--http-port' : '--https-port'}; change that flag instead.`
  return [from, to]
}
