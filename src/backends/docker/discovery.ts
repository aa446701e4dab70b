import type {Service, ServicePort, Snapshot} from '../../manifests/model.js'
import {formatAddress, type BackendTarget, type Endpoint, type ServiceRef} from '../types.js'
import {type AddressChoice, type PlatformInfo, chooseAddress} from './address.js'
import {describeSelectorMiss, formatSelector, similarity} from './candidates.js'
import {type ContainerFacts, describePorts, tcpPorts} from './containers.js'

/**
 * Services → Docker containers (DESIGN.md, "Services → backends", steps 2 and 3). Pure: the live
 * provider keeps the container list current and calls this on every resolve().
 */

export const LABEL_SERVICE = 'kingress.service'
export const LABEL_PORT = 'kingress.port'
export const LABEL_PORT_PREFIX = 'kingress.port.'
export const LABEL_COMPOSE_SERVICE = 'com.docker.compose.service'
export const LABEL_COMPOSE_PROJECT = 'com.docker.compose.project'

export interface DockerView {
  /** `connecting` until the first list; `unavailable` when the engine cannot be reached. */
  readonly state: 'connecting' | 'connected' | 'unavailable'
  /** The one-line reason the engine is unavailable (and what to do). */
  readonly error: string | null
  /** Every container the engine has, stopped ones included (they make better messages). */
  readonly containers: readonly ContainerFacts[]
  readonly platform: PlatformInfo
}

const LIVE_STATES = new Set(['running', 'paused', 'restarting'])

export function isLive(container: ContainerFacts): boolean {
  return LIVE_STATES.has(container.state)
}

function portRefText(ref: ServiceRef): string {
  return 'number' in ref.port ? String(ref.port.number) : ref.port.name
}

export function findService(ref: ServiceRef, snapshot: Snapshot): Service | undefined {
  return snapshot.services.find((s) => s.meta.name === ref.service && s.meta.namespace === ref.namespace)
}

function findServicePort(service: Service, ref: ServiceRef): ServicePort | undefined {
  const port = ref.port
  if ('number' in port) return service.ports.find((p) => p.port === port.number)
  return service.ports.find((p) => p.name === port.name)
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const value = Number(text.trim())
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : undefined
}

export type TargetPortChoice = {readonly ok: true; readonly port: number; readonly hint: string | null} | {readonly ok: false; readonly reason: string}

/** The port inside the container for a Service port (`targetPort`, a number or a name). */
export function targetPortForService(container: ContainerFacts, servicePort: ServicePort): TargetPortChoice {
  const target = servicePort.targetPort
  if (typeof target === 'number') return {ok: true, port: target, hint: exposureHint(container, target)}
  const asNumber = parsePort(target)
  if (asNumber !== undefined && /^\d+$/.test(target)) return {ok: true, port: asNumber, hint: exposureHint(container, asNumber)}
  const label = `${LABEL_PORT_PREFIX}${target}`
  const fromLabel = parsePort(container.labels[label])
  if (fromLabel !== undefined) return {ok: true, port: fromLabel, hint: exposureHint(container, fromLabel)}
  return {
    ok: false,
    reason: `the Service's targetPort is the name "${target}", and container ${container.name} has no label ${label}=<port> to say which port that is (it has ${describePorts(container)}): add the label, or write the number as targetPort`,
  }
}

/**
 * The port inside the container without a Service object: the backend's port number when the
 * container has it, else the `kingress.port` label, else the only exposed port.
 */
export function targetPortWithoutService(container: ContainerFacts, ref: ServiceRef): TargetPortChoice {
  const tcp = tcpPorts(container)
  const ports = tcp.map((p) => p.privatePort)
  const port = ref.port
  if ('name' in port) {
    const named = parsePort(container.labels[`${LABEL_PORT_PREFIX}${port.name}`])
    if (named !== undefined) return {ok: true, port: named, hint: null}
  } else if (ports.includes(port.number)) {
    return {ok: true, port: port.number, hint: null}
  }
  const labelled = parsePort(container.labels[LABEL_PORT])
  if (labelled !== undefined) return {ok: true, port: labelled, hint: null}
  const only = ports.length === 1 ? ports[0] : undefined
  if (only !== undefined) return {ok: true, port: only, hint: null}
  if ('number' in port && ports.length === 0) {
    // Nothing exposed: the image may still listen there; try it (the proxy reports a refusal).
    return {ok: true, port: port.number, hint: `container ${container.name} exposes no port; trying ${port.number}`}
  }
  const wanted = 'number' in port ? `port ${port.number}` : `a port named "${port.name}"`
  return {
    ok: false,
    reason: `container ${container.name} has no ${wanted} (it has ${describePorts(container)}): set the label ${LABEL_PORT}=<port>${'name' in port ? ` or ${LABEL_PORT_PREFIX}${port.name}=<port>` : ''}, or point the Ingress at the port it exposes`,
  }
}

function exposureHint(container: ContainerFacts, port: number): string | null {
  const tcp = tcpPorts(container)
  if (tcp.length === 0 || tcp.some((p) => p.privatePort === port)) return null
  return `container ${container.name} does not expose or publish port ${port} (it has ${describePorts(container)})`
}

export function notReadyReason(container: ContainerFacts): string | null {
  if (container.state === 'paused') return `container ${container.name} is paused (docker unpause ${container.name})`
  if (container.state === 'restarting') return `container ${container.name} is restarting (see docker logs ${container.name})`
  if (container.state !== 'running') return `container ${container.name} is ${container.state || 'not running'}`
  if (container.health === 'starting') return `container ${container.name} healthcheck is "starting"`
  if (container.health === 'unhealthy') {
    return `container ${container.name} healthcheck is "unhealthy" (docker inspect --format '{{json .State.Health}}' ${container.name} shows why)`
  }
  return null
}

function endpointFor(
  container: ContainerFacts,
  port: TargetPortChoice,
  platform: PlatformInfo,
): {endpoint: Endpoint; describe: string; hint: string | null} {
  const id = container.id.slice(0, 12)
  if (!port.ok) {
    return {
      endpoint: {id: `${id}:?`, host: '', port: 0, name: container.name, via: 'bridge', ready: false, notReadyReason: port.reason},
      describe: `${container.name} (no target port)`,
      hint: null,
    }
  }
  const address: AddressChoice = chooseAddress(container, port.port, platform)
  const readiness = notReadyReason(container)
  if (!address.ok) {
    const fallbackIp = container.networks.find((n) => n.ip !== '')?.ip ?? ''
    return {
      endpoint: {
        id: `${id}:${port.port}`,
        host: fallbackIp,
        port: port.port,
        name: container.name,
        via: 'bridge',
        ready: false,
        notReadyReason: address.reason,
      },
      describe: `${container.name} (port ${port.port} unreachable)`,
      hint: port.hint,
    }
  }
  const extras = [address.via, address.note, readiness === null ? null : container.health !== 'none' && container.state === 'running' ? `healthcheck "${container.health}"` : container.state].filter(
    (x): x is string => x !== null,
  )
  return {
    endpoint: {
      id: `${id}:${port.port}`,
      host: address.host,
      port: address.port,
      name: container.name,
      via: address.via,
      ready: readiness === null,
      notReadyReason: readiness,
    },
    describe: `${container.name} (${formatAddress(address.host, address.port)} ${extras.join(', ')})`,
    hint: port.hint,
  }
}

function unavailableProblem(view: DockerView): string {
  if (view.state === 'connecting') return 'Docker: still connecting to the engine'
  return view.error ?? 'Docker: the engine is not reachable'
}

function buildTarget(
  ref: ServiceRef,
  how: string,
  matched: readonly ContainerFacts[],
  port: (container: ContainerFacts) => TargetPortChoice,
  view: DockerView,
  noneMessage: () => string,
): BackendTarget {
  const live = matched.filter(isLive).sort((a, b) => a.name.localeCompare(b.name))
  const built = live.map((container) => endpointFor(container, port(container), view.platform))
  const endpoints = built.map((b) => b.endpoint)
  const hints = built.map((b) => b.hint).filter((h): h is string => h !== null)
  const head = `Docker: ${ref.service}:${portRefText(ref)} (${how})`
  const source =
    built.length === 0
      ? `${head} → no running container`
      : `${head} → ${built.map((b) => b.describe).join(', ')}${hints.length > 0 ? `; note: ${hints.join('; ')}` : ''}`
  let problem: string | null = null
  if (!endpoints.some((e) => e.ready)) {
    if (view.state !== 'connected' && endpoints.length === 0) problem = unavailableProblem(view)
    else if (endpoints.length === 0) problem = noneMessage()
    else {
      problem = `No ready container for ${ref.service}:${portRefText(ref)} (${how}): ${endpoints
        .map((e) => e.notReadyReason ?? `${e.name} is not ready`)
        .join('; ')}${hints.length > 0 ? `; ${hints.join('; ')}` : ''}`
    }
  }
  return {ref, endpoints, source, problem}
}

export function selectorMatches(selector: Readonly<Record<string, string>>, container: ContainerFacts): boolean {
  return Object.entries(selector).every(([key, value]) => container.labels[key] === value)
}

/**
 * The BackendTarget Docker offers for `ref`, or undefined when Docker cannot back it (a
 * selector-less Service with an EndpointSlice, or no container labelled/named after it).
 */
export function resolveDockerTarget(ref: ServiceRef, snapshot: Snapshot, view: DockerView): BackendTarget | undefined {
  const service = findService(ref, snapshot)
  const selector = service?.selector ?? null
  const serviceLabel = `${ref.namespace}/${ref.service}`

  if (service !== undefined && selector !== null && Object.keys(selector).length > 0) {
    const servicePort = findServicePort(service, ref)
    const how = `selector ${formatSelector(selector)}`
    if (servicePort === undefined) {
      const ports = service.ports.map((p) => (p.name === null ? String(p.port) : `${p.port} (${p.name})`)).join(', ')
      return {
        ref,
        endpoints: [],
        source: `Docker: ${ref.service}:${portRefText(ref)} (${how})`,
        problem: `Service ${serviceLabel} has no port ${'number' in ref.port ? ref.port.number : `named "${ref.port.name}"`} (it has ${ports || 'no ports'}): fix the Ingress backend's port or the Service's ports`,
      }
    }
    const matched = view.containers.filter((c) => selectorMatches(selector, c))
    return buildTarget(ref, how, matched, (c) => targetPortForService(c, servicePort), view, () =>
      describeSelectorMiss(serviceLabel, selector, view.containers),
    )
  }

  // A selector-less Service with an EndpointSlice/Endpoints object belongs to that provider.
  if (service !== undefined && snapshot.endpointSets.some((s) => s.serviceName === ref.service && s.meta.namespace === ref.namespace)) {
    return undefined
  }

  const name = ref.service
  const byLabel = view.containers.filter((c) => c.labels[LABEL_SERVICE] === name)
  const byCompose = byLabel.length > 0 ? [] : view.containers.filter((c) => c.labels[LABEL_COMPOSE_SERVICE] === name)
  const byName = byLabel.length > 0 || byCompose.length > 0 ? [] : view.containers.filter((c) => c.name === name)
  const [matched, how] =
    byLabel.length > 0
      ? [byLabel, `label ${LABEL_SERVICE}=${name}`]
      : byCompose.length > 0
        ? [byCompose, composeHow(name, byCompose)]
        : byName.length > 0
          ? [byName, `container named ${name}`]
          : [[], '']
  if (matched.length === 0) return undefined
  const port = (c: ContainerFacts): TargetPortChoice =>
    service !== undefined ? servicePortWithoutSelector(c, service, ref) : targetPortWithoutService(c, ref)
  return buildTarget(ref, how, matched, port, view, () => {
    const stopped = matched.filter((c) => !isLive(c))
    return `${how}: ${stopped.map((c) => `${c.name} is ${c.state || 'stopped'}`).join(', ')} — start it: docker start ${stopped.map((c) => c.name).join(' ')}`
  })
}

/** A selector-less Service without EndpointSlice that a labelled container backs: honour its targetPort. */
function servicePortWithoutSelector(container: ContainerFacts, service: Service, ref: ServiceRef): TargetPortChoice {
  const servicePort = findServicePort(service, ref)
  return servicePort === undefined ? targetPortWithoutService(container, ref) : targetPortForService(container, servicePort)
}

function composeHow(name: string, containers: readonly ContainerFacts[]): string {
  const projects = [...new Set(containers.map((c) => c.labels[LABEL_COMPOSE_PROJECT]).filter((p): p is string => p !== undefined))]
  return projects.length > 1
    ? `Compose service ${name} in projects ${projects.join(', ')}`
    : projects.length === 1
      ? `Compose service ${name} (project ${projects[0]})`
      : `Compose service ${name}`
}

/**
 * Why Docker had nothing for a Service without a Service object, for the runtime's "no backend"
 * message: what was looked for and the nearest names.
 */
export function explainDockerMiss(ref: ServiceRef, view: DockerView): string {
  if (view.state !== 'connected') return unavailableProblem(view)
  const name = ref.service
  const near = view.containers
    .map((c) => {
      const compose = c.labels[LABEL_COMPOSE_SERVICE]
      const label = c.labels[LABEL_SERVICE]
      const options = [c.name, compose, label].filter((x): x is string => x !== undefined)
      const best = Math.max(...options.map((o) => (o.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(o.toLowerCase()) ? 0.9 : similarity(o, name))))
      return {c, best}
    })
    .filter((x) => x.best >= 0.6)
    .sort((a, b) => b.best - a.best)
    .slice(0, 3)
    .map(({c}) => {
      const compose = c.labels[LABEL_COMPOSE_SERVICE]
      return compose === undefined ? c.name : `${c.name} (Compose service ${compose})`
    })
  return `Docker: no container labelled ${LABEL_SERVICE}=${name}, no Compose service ${name} and no container named ${name}${
    near.length > 0 ? `; nearest: ${near.join(', ')}` : ''
  }. Add a Service with a selector, or label the container ${LABEL_SERVICE}=${name}`
}
