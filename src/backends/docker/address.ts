import {type ContainerFacts, type PortBinding, describePorts, toFacts} from './containers.js'

/**
 * Where to dial a container's port from the machine kingress runs on. Pure.
 *
 * 1. `network_mode: host`: the port is on the engine's host.
 * 2. The port is published: the host port (0.0.0.0/`` → the engine's host, i.e. 127.0.0.1 for a
 *    local engine; a specific HostIp → that IP). IPv4 bindings beat IPv6 ones: engines may bind
 *    `[::]` to a *different* host port than `0.0.0.0`, so `::` never maps to 127.0.0.1.
 * 3. Else the container's IP on a bridge network — reachable only when the engine runs on this
 *    very (Linux) kernel; not on Docker Desktop, not for a remote engine.
 */

export interface PlatformInfo {
  /** Container IPs on bridge networks can be dialled from here (Linux with a local engine, OrbStack). */
  readonly bridgeReachable: boolean
  /** What `0.0.0.0` published ports mean from here: `127.0.0.1` for a local engine, the remote host's name otherwise. */
  readonly dialHost: string
  /** The engine runs on another machine (tcp:// or ssh:// to another host). */
  readonly remote: boolean
  /** For messages: `Docker Desktop`, `Colima`, `a remote engine (ssh://me@box)`, `Docker on Linux`. */
  readonly engineLabel: string
}

export const LINUX_LOCAL: PlatformInfo = {bridgeReachable: true, dialHost: '127.0.0.1', remote: false, engineLabel: 'Docker on Linux'}

export type AddressChoice =
  | {readonly ok: true; readonly host: string; readonly port: number; readonly via: 'published' | 'bridge'; readonly note: string | null}
  | {readonly ok: false; readonly reason: string}

const UNREACHABLE_DRIVERS = new Set(['macvlan', 'ipvlan', 'overlay', 'null', 'host', 'none'])

function isIpv6(ip: string): boolean {
  return ip.includes(':')
}

function bindingHost(binding: PortBinding, platform: PlatformInfo): string | undefined {
  const ip = binding.hostIp
  if (ip === '' || ip === '0.0.0.0') return platform.dialHost
  if (ip === '::') return platform.remote ? platform.dialHost : '::1'
  if (ip.startsWith('127.') || ip === '::1') return platform.remote ? undefined : ip
  return ip
}

export function publishExample(targetPort: number): string {
  const hostPort = targetPort < 1024 ? 8000 + targetPort : targetPort
  return `ports: ["${hostPort}:${targetPort}"] in compose.yaml, or docker run -p ${hostPort}:${targetPort}`
}

export function chooseAddress(container: unknown, targetPort: number, platform: PlatformInfo): AddressChoice {
  const facts: ContainerFacts = toFacts(container)
  const name = facts.name

  if (facts.networkMode === 'host') {
    return {ok: true, host: platform.dialHost, port: targetPort, via: 'published', note: 'host network'}
  }

  const port = facts.ports.find((p) => p.privatePort === targetPort && p.protocol === 'tcp')
  const bindings = port?.bindings ?? []
  const ordered = [...bindings.filter((b) => !isIpv6(b.hostIp)), ...bindings.filter((b) => isIpv6(b.hostIp))]
  for (const binding of ordered) {
    const host = bindingHost(binding, platform)
    if (host !== undefined) return {ok: true, host, port: binding.hostPort, via: 'published', note: null}
  }
  const loopbackOnly = ordered.length > 0

  if (!platform.bridgeReachable) {
    if (loopbackOnly) {
      return {
        ok: false,
        reason: `container ${name} publishes port ${targetPort} only on the loopback of ${platform.engineLabel} (${describePorts(facts)}), which this machine cannot reach: publish it on all interfaces, e.g. ${publishExample(targetPort)}`,
      }
    }
    const why = platform.remote
      ? `the engine is ${platform.engineLabel}, whose container IPs this machine cannot reach`
      : `on ${platform.engineLabel} container IPs are unreachable from the host`
    return {
      ok: false,
      reason: `container ${name} does not publish port ${targetPort} (${describePorts(facts)}) and ${why}: publish the port — ${publishExample(targetPort)}`,
    }
  }

  if (facts.networkMode === 'none') {
    return {ok: false, reason: `container ${name} runs with network_mode none and does not publish port ${targetPort}: attach it to a network or publish the port (${publishExample(targetPort)})`}
  }
  if (facts.networkMode.startsWith('container:') || facts.networkMode.startsWith('service:')) {
    return {
      ok: false,
      reason: `container ${name} shares the network of ${facts.networkMode.slice(facts.networkMode.indexOf(':') + 1)} (network_mode ${facts.networkMode}): publish port ${targetPort} on that container, or label that container instead`,
    }
  }

  const usable = facts.networks.filter((n) => n.ip !== '' && (n.driver === null || !UNREACHABLE_DRIVERS.has(n.driver)))
  // The default `bridge` network first, then by name: deterministic across re-lists.
  usable.sort((a, b) => (a.name === 'bridge' ? -1 : b.name === 'bridge' ? 1 : a.name.localeCompare(b.name)))
  const network = usable[0]
  if (network !== undefined) {
    return {ok: true, host: network.ip, port: targetPort, via: 'bridge', note: usable.length > 1 ? `network ${network.name}` : null}
  }
  const unreachable = facts.networks.filter((n) => n.ip !== '')
  if (unreachable.length > 0) {
    return {
      ok: false,
      reason: `container ${name} is only on ${unreachable.map((n) => `${n.name} (${n.driver ?? 'unknown'} driver)`).join(', ')}, which the host cannot reach, and does not publish port ${targetPort}: publish it (${publishExample(targetPort)}) or attach the container to a bridge network`,
    }
  }
  return {
    ok: false,
    reason: `container ${name} has no IP address on a network (it may be starting or stopping) and does not publish port ${targetPort}`,
  }
}
