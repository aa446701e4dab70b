/**
 * The facts kingress needs about a container, from either `GET /containers/json` (a list entry) or
 * `GET /containers/{id}/json` (inspect). Both shapes are loose on purpose: Podman's compatible API
 * and old engines leave fields out.
 */

export type HealthStatus = 'none' | 'starting' | 'healthy' | 'unhealthy'

export interface PortBinding {
  /** As the engine reports it: `0.0.0.0`, `::`, `127.0.0.1`, `` (Podman: all interfaces). */
  readonly hostIp: string
  readonly hostPort: number
}

export interface ContainerPort {
  readonly privatePort: number
  readonly protocol: string
  /** Empty when the port is only exposed (EXPOSE / `expose:`), not published. */
  readonly bindings: readonly PortBinding[]
}

export interface ContainerNetwork {
  readonly name: string
  readonly ip: string
  readonly ipv6: string
  /** `bridge`, `macvlan`, ...; null when unknown (list entries do not say). */
  readonly driver: string | null
}

export interface ContainerFacts {
  readonly id: string
  /** Without the leading slash. */
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  /** `running`, `paused`, `restarting`, `exited`, `created`, `dead`, `removing`. */
  readonly state: string
  /** Human text such as `Up 3 minutes (healthy)`; may be empty. */
  readonly status: string
  readonly health: HealthStatus
  readonly ports: readonly ContainerPort[]
  /** `bridge`, `host`, `none`, `container:<id>`, or a network name. */
  readonly networkMode: string
  readonly networks: readonly ContainerNetwork[]
}

type Loose = Record<string, unknown>

function asObject(value: unknown): Loose | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : undefined
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

function labelsOf(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  const object = asObject(value)
  if (object === undefined) return out
  for (const [key, item] of Object.entries(object)) if (typeof item === 'string') out[key] = item
  return out
}

export function parseHealth(value: unknown): HealthStatus {
  const text = asString(value).toLowerCase()
  if (text === 'starting' || text === 'healthy' || text === 'unhealthy') return text
  return 'none'
}

/** `Up 2 seconds (health: starting)` → starting; `Up 1 minute (unhealthy)` → unhealthy. */
export function healthFromStatusText(status: string): HealthStatus {
  const text = status.toLowerCase()
  if (text.includes('(health: starting)') || text.includes('(starting)')) return 'starting'
  if (text.includes('(unhealthy)')) return 'unhealthy'
  if (text.includes('(healthy)')) return 'healthy'
  return 'none'
}

function networksOf(value: unknown): ContainerNetwork[] {
  const object = asObject(value)
  if (object === undefined) return []
  return Object.entries(object)
    .map(([name, raw]) => {
      const network = asObject(raw) ?? {}
      return {name, ip: asString(network.IPAddress), ipv6: asString(network.GlobalIPv6Address), driver: null}
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

function mergePort(into: Map<string, {privatePort: number; protocol: string; bindings: PortBinding[]}>, privatePort: number, protocol: string, binding?: PortBinding): void {
  const key = `${privatePort}/${protocol}`
  let port = into.get(key)
  if (port === undefined) {
    port = {privatePort, protocol, bindings: []}
    into.set(key, port)
  }
  if (binding !== undefined && !port.bindings.some((b) => b.hostIp === binding.hostIp && b.hostPort === binding.hostPort)) {
    port.bindings.push(binding)
  }
}

function sortedPorts(map: Map<string, {privatePort: number; protocol: string; bindings: PortBinding[]}>): ContainerPort[] {
  return [...map.values()].sort((a, b) => a.privatePort - b.privatePort || a.protocol.localeCompare(b.protocol))
}

export function isListEntry(value: unknown): boolean {
  const object = asObject(value)
  return object !== undefined && Array.isArray(object.Names)
}

export function isInspect(value: unknown): boolean {
  const object = asObject(value)
  return object !== undefined && asObject(object.Config) !== undefined && typeof object.Name === 'string'
}

/** From `GET /containers/json` (dockerode's `ContainerInfo`). */
export function factsFromListEntry(entry: unknown): ContainerFacts {
  const object = asObject(entry) ?? {}
  const names = Array.isArray(object.Names) ? object.Names.filter((n): n is string => typeof n === 'string') : []
  // Links add names like /other/alias; the real name has a single slash.
  const name = (names.find((n) => n.lastIndexOf('/') === 0) ?? names[0] ?? asString(object.Id).slice(0, 12)).replace(/^\//, '')
  const status = asString(object.Status)
  const healthObject = asObject(object.Health)
  const health = healthObject !== undefined ? parseHealth(healthObject.Status) : healthFromStatusText(status)
  const ports = new Map<string, {privatePort: number; protocol: string; bindings: PortBinding[]}>()
  if (Array.isArray(object.Ports)) {
    for (const raw of object.Ports) {
      const port = asObject(raw)
      if (port === undefined || typeof port.PrivatePort !== 'number') continue
      const protocol = asString(port.Type) || 'tcp'
      const binding =
        typeof port.PublicPort === 'number' && port.PublicPort > 0 ? {hostIp: asString(port.IP), hostPort: port.PublicPort} : undefined
      mergePort(ports, port.PrivatePort, protocol, binding)
    }
  }
  const state = asString(object.State).toLowerCase()
  return {
    id: asString(object.Id),
    name,
    labels: labelsOf(object.Labels),
    state: state === '' ? (status.startsWith('Up') ? 'running' : 'exited') : state,
    status,
    health,
    ports: sortedPorts(ports),
    networkMode: asString(asObject(object.HostConfig)?.NetworkMode) || 'default',
    networks: networksOf(asObject(object.NetworkSettings)?.Networks),
  }
}

/** From `GET /containers/{id}/json` (dockerode's `ContainerInspectInfo`). */
export function factsFromInspect(inspect: unknown): ContainerFacts {
  const object = asObject(inspect) ?? {}
  const config = asObject(object.Config) ?? {}
  const stateObject = asObject(object.State) ?? {}
  const settings = asObject(object.NetworkSettings) ?? {}
  const ports = new Map<string, {privatePort: number; protocol: string; bindings: PortBinding[]}>()
  const addKey = (key: string, bindings: unknown): void => {
    const [portText, protocolText] = key.split('/')
    const privatePort = Number(portText)
    if (!Number.isInteger(privatePort) || privatePort <= 0) return
    const protocol = protocolText ?? 'tcp'
    mergePort(ports, privatePort, protocol)
    if (Array.isArray(bindings)) {
      for (const raw of bindings) {
        const binding = asObject(raw)
        const hostPort = Number(asString(binding?.HostPort))
        if (binding !== undefined && Number.isInteger(hostPort) && hostPort > 0) {
          mergePort(ports, privatePort, protocol, {hostIp: asString(binding.HostIp), hostPort})
        }
      }
    }
  }
  for (const key of Object.keys(asObject(config.ExposedPorts) ?? {})) addKey(key, undefined)
  for (const [key, bindings] of Object.entries(asObject(settings.Ports) ?? {})) addKey(key, bindings)
  const paused = stateObject.Paused === true
  const restarting = stateObject.Restarting === true
  const running = stateObject.Running === true
  const state = asString(stateObject.Status).toLowerCase() || (paused ? 'paused' : restarting ? 'restarting' : running ? 'running' : 'exited')
  return {
    id: asString(object.Id),
    name: asString(object.Name).replace(/^\//, ''),
    labels: labelsOf(config.Labels),
    state,
    status: state,
    health: parseHealth(asObject(stateObject.Health)?.Status),
    ports: sortedPorts(ports),
    networkMode: asString(asObject(object.HostConfig)?.NetworkMode) || 'default',
    networks: networksOf(settings.Networks),
  }
}

/** A list entry, an inspect result, or facts already: always facts. */
export function toFacts(container: unknown): ContainerFacts {
  if (isListEntry(container)) return factsFromListEntry(container)
  if (isInspect(container)) return factsFromInspect(container)
  return container as ContainerFacts
}

export function withNetworkDrivers(facts: ContainerFacts, drivers: ReadonlyMap<string, string>): ContainerFacts {
  if (facts.networks.length === 0) return facts
  return {...facts, networks: facts.networks.map((network) => ({...network, driver: drivers.get(network.name) ?? network.driver}))}
}

/** `80/tcp → 0.0.0.0:32768, 443/tcp (not published)` for messages. */
export function describePorts(facts: ContainerFacts): string {
  if (facts.ports.length === 0) return 'no exposed or published ports'
  return facts.ports
    .map((port) => {
      const label = `${port.privatePort}/${port.protocol}`
      if (port.bindings.length === 0) return `${label} (exposed, not published)`
      return `${label} → ${port.bindings.map((b) => `${b.hostIp.includes(':') ? `[${b.hostIp}]` : b.hostIp || '*'}:${b.hostPort}`).join(', ')}`
    })
    .join(', ')
}

export function tcpPorts(facts: ContainerFacts): ContainerPort[] {
  return facts.ports.filter((port) => port.protocol === 'tcp')
}
