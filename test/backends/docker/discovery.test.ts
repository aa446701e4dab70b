import {describe, expect, it} from 'vitest'

import {LINUX_LOCAL, type PlatformInfo} from '../../../src/backends/docker/address.js'
import {describeSelectorMiss, nearestCandidates} from '../../../src/backends/docker/candidates.js'
import type {ContainerFacts} from '../../../src/backends/docker/containers.js'
import {type DockerView, explainDockerMiss, resolveDockerTarget} from '../../../src/backends/docker/discovery.js'
import type {ServiceRef} from '../../../src/backends/types.js'
import {NO_GATEWAY_OBJECTS, type EndpointSet, type Service, type ServicePort, type Snapshot} from '../../../src/manifests/model.js'

function container(name: string, labels: Record<string, string>, extra: Partial<ContainerFacts> = {}): ContainerFacts {
  return {
    id: `${name.replace(/[^a-z0-9]/g, '')}000000000000`.slice(0, 12) + 'ffff',
    name,
    labels,
    state: 'running',
    status: 'Up 1 minute',
    health: 'none',
    ports: [{privatePort: 80, protocol: 'tcp', bindings: []}],
    networkMode: 'bridge',
    networks: [{name: 'bridge', ip: `172.17.0.${name.length}`, ipv6: '', driver: 'bridge'}],
    ...extra,
  }
}

function meta(name: string): Service['meta'] {
  return {name, namespace: 'default', annotations: {}, labels: {}, creationTimestamp: null, at: {file: 'services.yaml', line: 1, col: 1}, loadIndex: 0} as Service['meta']
}

function service(name: string, selector: Record<string, string> | null, ports: Partial<ServicePort>[] = [{}]): Service {
  return {
    kind: 'Service',
    meta: meta(name),
    selector,
    ports: ports.map((p) => ({name: 'http', port: 80, targetPort: 80, protocol: 'TCP', ...p})),
  }
}

function snapshot(services: Service[], endpointSets: EndpointSet[] = []): Snapshot {
  return {ingresses: [], services, endpointSets, secrets: [], ...NO_GATEWAY_OBJECTS}
}

function view(containers: ContainerFacts[], platform: PlatformInfo = LINUX_LOCAL): DockerView {
  return {state: 'connected', error: null, containers, platform}
}

const ref = (service: string, port: {number: number} | {name: string} = {number: 80}): ServiceRef => ({namespace: 'default', service, port})

const blue1 = container('blue-1', {app: 'webserver-blue'}, {ports: [{privatePort: 80, protocol: 'tcp', bindings: [{hostIp: '0.0.0.0', hostPort: 32768}]}]})
const blue2 = container('blue-2', {app: 'webserver-blue'}, {networks: [{name: 'bridge', ip: '172.17.0.3', ipv6: '', driver: 'bridge'}]})
const green = container('green-1', {app: 'webserver-green'})

describe('resolveDockerTarget: Service selectors', () => {
  const snap = snapshot([service('webserver-blue-svc', {app: 'webserver-blue'})])

  it('matches containers by label, dials published ports or bridge IPs, and explains the source', () => {
    const target = resolveDockerTarget(ref('webserver-blue-svc'), snap, view([blue2, green, blue1]))
    expect(target?.problem).toBeNull()
    expect(target?.endpoints).toEqual([
      {id: `${blue1.id.slice(0, 12)}:80`, host: '127.0.0.1', port: 32768, name: 'blue-1', via: 'published', ready: true, notReadyReason: null},
      {id: `${blue2.id.slice(0, 12)}:80`, host: '172.17.0.3', port: 80, name: 'blue-2', via: 'bridge', ready: true, notReadyReason: null},
    ])
    expect(target?.source).toBe(
      'Docker: webserver-blue-svc:80 (selector app=webserver-blue) → blue-1 (127.0.0.1:32768 published), blue-2 (172.17.0.3:80 bridge)',
    )
  })

  it('finds the Service port by name too, and maps port → targetPort', () => {
    const snap2 = snapshot([service('api', {app: 'api'}, [{name: 'web', port: 8080, targetPort: 3000}])])
    const api = container('api-1', {app: 'api'}, {ports: [{privatePort: 3000, protocol: 'tcp', bindings: []}]})
    const target = resolveDockerTarget(ref('api', {name: 'web'}), snap2, view([api]))
    expect(target?.endpoints[0]).toMatchObject({port: 3000, via: 'bridge', ready: true})
    const missing = resolveDockerTarget(ref('api', {number: 80}), snap2, view([api]))
    expect(missing?.problem).toContain('Service default/api has no port 80 (it has 8080 (web))')
  })

  it('named targetPort resolves through a kingress.port.<name> label, else says which label to add', () => {
    const snap2 = snapshot([service('api', {app: 'api'}, [{port: 80, targetPort: 'http-alt'}])])
    const labelled = container('api-1', {app: 'api', 'kingress.port.http-alt': '8081'})
    expect(resolveDockerTarget(ref('api'), snap2, view([labelled]))?.endpoints[0]).toMatchObject({port: 8081, ready: true})
    const unlabelled = container('api-2', {app: 'api'})
    const target = resolveDockerTarget(ref('api'), snap2, view([unlabelled]))
    expect(target?.endpoints[0]?.ready).toBe(false)
    expect(target?.problem).toContain('kingress.port.http-alt=<port>')
  })

  it('a container that does not expose the target port is tried on Linux, with a note listing its ports', () => {
    const snap2 = snapshot([service('api', {app: 'api'}, [{port: 80, targetPort: 8080}])])
    const api = container('api-1', {app: 'api'}, {ports: [{privatePort: 3000, protocol: 'tcp', bindings: [{hostIp: '0.0.0.0', hostPort: 3000}]}]})
    const target = resolveDockerTarget(ref('api'), snap2, view([api]))
    expect(target?.endpoints[0]).toMatchObject({host: '172.17.0.5', port: 8080, ready: true})
    expect(target?.source).toContain('container api-1 does not expose or publish port 8080 (it has 3000/tcp → 0.0.0.0:3000)')
  })

  it('on Docker Desktop an unpublished container is not ready and the problem says to publish the port', () => {
    const desktop: PlatformInfo = {bridgeReachable: false, dialHost: '127.0.0.1', remote: false, engineLabel: 'Docker Desktop'}
    const target = resolveDockerTarget(ref('webserver-blue-svc'), snap, view([blue1, blue2], desktop))
    expect(target?.endpoints.map((e) => [e.name, e.ready])).toEqual([
      ['blue-1', true],
      ['blue-2', false],
    ])
    const only = resolveDockerTarget(ref('webserver-blue-svc'), snap, view([blue2], desktop))
    expect(only?.problem).toContain('publish the port — ports: ["8080:80"]')
  })

  it('health starting/unhealthy, paused and restarting containers are not ready, with reasons', () => {
    const containers = [
      container('b-1', {app: 'webserver-blue'}, {health: 'starting'}),
      container('b-2', {app: 'webserver-blue'}, {health: 'unhealthy', status: 'Up (unhealthy)'}),
      container('b-3', {app: 'webserver-blue'}, {state: 'paused'}),
      container('b-4', {app: 'webserver-blue'}, {health: 'healthy'}),
      container('b-5', {app: 'webserver-blue'}, {state: 'exited'}),
    ]
    const target = resolveDockerTarget(ref('webserver-blue-svc'), snap, view(containers))
    expect(target?.endpoints.map((e) => [e.name, e.ready, e.notReadyReason])).toEqual([
      ['b-1', false, 'container b-1 healthcheck is "starting"'],
      ['b-2', false, expect.stringContaining('container b-2 healthcheck is "unhealthy"')],
      ['b-3', false, 'container b-3 is paused (docker unpause b-3)'],
      ['b-4', true, null],
    ])
    expect(target?.problem).toBeNull()
    const noneReady = resolveDockerTarget(ref('webserver-blue-svc'), snap, view(containers.filter((c) => c.name !== 'b-4')))
    expect(noneReady?.problem).toMatch(/^No ready container for webserver-blue-svc:80 \(selector app=webserver-blue\): container b-1 healthcheck is "starting"; /)
  })

  it('a selector that matches nothing answers with no endpoints and the nearest candidates', () => {
    const containers = [container('blue-a', {app: 'webserver-bleu'}), container('db', {app: 'postgres'}), container('web', {role: 'x'})]
    const target = resolveDockerTarget(ref('webserver-blue-svc'), snap, view(containers))
    expect(target?.endpoints).toEqual([])
    expect(target?.problem).toContain('Service default/webserver-blue-svc selects app=webserver-blue, but no running container has this label.')
    expect(target?.problem).toContain('Nearest: blue-a (app=webserver-bleu), db (app=postgres)')
    expect(target?.problem).toContain('labels: {app: webserver-blue}')
  })

  it('a stopped container that matches is named with the command to start it', () => {
    const target = resolveDockerTarget(ref('webserver-blue-svc'), snap, view([{...blue1, state: 'exited'}]))
    expect(target?.problem).toContain('Matching but not running: blue-1 (exited) — start it: docker start blue-1.')
  })

  it('without an engine, a selector Service gets a problem; a plain name is left to other providers', () => {
    const down: DockerView = {state: 'unavailable', error: 'Docker: cannot reach the engine — tried unix:///var/run/docker.sock', containers: [], platform: LINUX_LOCAL}
    expect(resolveDockerTarget(ref('webserver-blue-svc'), snap, down)?.problem).toContain('cannot reach the engine')
    expect(resolveDockerTarget(ref('anything'), snapshot([]), down)).toBeUndefined()
  })
})

describe('resolveDockerTarget: without a Service object', () => {
  it('label kingress.service beats Compose service beats container name', () => {
    const labelled = container('x-1', {'kingress.service': 'web'})
    const compose = container('proj-web-1', {'com.docker.compose.service': 'web', 'com.docker.compose.project': 'proj'})
    const named = container('web', {})
    expect(resolveDockerTarget(ref('web'), snapshot([]), view([named, compose, labelled]))?.endpoints.map((e) => e.name)).toEqual(['x-1'])
    const viaCompose = resolveDockerTarget(ref('web'), snapshot([]), view([named, compose]))
    expect(viaCompose?.endpoints.map((e) => e.name)).toEqual(['proj-web-1'])
    expect(viaCompose?.source).toContain('Compose service web (project proj)')
    expect(resolveDockerTarget(ref('web'), snapshot([]), view([named]))?.source).toContain('container named web')
    expect(resolveDockerTarget(ref('nothing'), snapshot([]), view([named]))).toBeUndefined()
  })

  it('target port: the backend port when exposed, else kingress.port, else the only exposed port', () => {
    const two = [{privatePort: 3000, protocol: 'tcp', bindings: []}, {privatePort: 9229, protocol: 'tcp', bindings: []}] as const
    const exposes80 = container('a', {'kingress.service': 'a'})
    expect(resolveDockerTarget(ref('a'), snapshot([]), view([exposes80]))?.endpoints[0]?.port).toBe(80)
    const labelled = container('b', {'kingress.service': 'b', 'kingress.port': '3000'}, {ports: [...two]})
    expect(resolveDockerTarget(ref('b'), snapshot([]), view([labelled]))?.endpoints[0]?.port).toBe(3000)
    const single = container('c', {'kingress.service': 'c'}, {ports: [{privatePort: 5173, protocol: 'tcp', bindings: []}]})
    expect(resolveDockerTarget(ref('c'), snapshot([]), view([single]))?.endpoints[0]?.port).toBe(5173)
    const ambiguous = container('d', {'kingress.service': 'd'}, {ports: [...two]})
    const target = resolveDockerTarget(ref('d'), snapshot([]), view([ambiguous]))
    expect(target?.endpoints[0]?.ready).toBe(false)
    expect(target?.problem).toContain('container d has no port 80 (it has 3000/tcp (exposed, not published), 9229/tcp (exposed, not published))')
    expect(target?.problem).toContain('kingress.port=<port>')
  })

  it('a selector-less Service with an EndpointSlice is left to that provider', () => {
    const slice = {kind: 'EndpointSlice', meta: meta('dev'), serviceName: 'dev', ports: [], addresses: []} as unknown as EndpointSet
    const dev = container('dev', {})
    expect(resolveDockerTarget(ref('dev'), snapshot([service('dev', null)], [slice]), view([dev]))).toBeUndefined()
    // Without the slice, a container named like it can back it.
    expect(resolveDockerTarget(ref('dev'), snapshot([service('dev', null)]), view([dev]))?.endpoints).toHaveLength(1)
  })

  it('explainDockerMiss names what it looked for and near names', () => {
    const text = explainDockerMiss(ref('webapp'), view([container('proj-webap-1', {'com.docker.compose.service': 'webap'}), container('db', {})]))
    expect(text).toContain('no container labelled kingress.service=webapp, no Compose service webapp and no container named webapp')
    expect(text).toContain('nearest: proj-webap-1 (Compose service webap)')
  })
})

describe('nearestCandidates / describeSelectorMiss', () => {
  it('ranks same key with another value, then similar keys, then the value under another key, then similar names', () => {
    const containers = [
      container('unrelated', {tier: 'db'}),
      container('named-webserver-blue', {}),
      container('compose-one', {'com.docker.compose.service': 'webserver-blue'}),
      container('typo-key', {App: 'webserver-blue'}),
      container('typo-value', {app: 'webserver-bleu'}),
    ]
    const found = nearestCandidates({app: 'webserver-blue'}, containers, 5)
    expect(found.map((c) => c.name)).toEqual(['typo-value', 'typo-key', 'compose-one', 'named-webserver-blue'])
    expect(found.map((c) => c.detail)).toEqual([
      'app=webserver-bleu',
      'App=webserver-blue',
      'com.docker.compose.service=webserver-blue; no label app',
      'named like "webserver-blue"; no label app',
    ])
  })

  it('for a two-key selector, shows only the key that differs', () => {
    const found = nearestCandidates({app: 'web', tier: 'frontend'}, [container('w', {app: 'web', tier: 'backend'})])
    expect(found).toEqual([{name: 'w', detail: 'tier=backend', score: expect.any(Number)}])
    const text = describeSelectorMiss('default/web', {app: 'web', tier: 'frontend'}, [container('w', {app: 'web', tier: 'backend'})])
    expect(text).toContain('selects app=web,tier=frontend, but no running container has all these labels. Nearest: w (tier=backend).')
  })

  it('with nothing similar, lists what runs', () => {
    expect(describeSelectorMiss('default/x', {app: 'x'}, [])).toContain('No container is running.')
    expect(describeSelectorMiss('default/x', {app: 'zzzzzz'}, [container('db', {role: 'data'})])).toContain('No container has a label like it; running: db.')
  })
})
