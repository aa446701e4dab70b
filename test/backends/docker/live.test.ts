/**
 * The Docker provider against the real engine: selector discovery, replicas, events within a
 * second, healthchecks, pause. Skips only when no engine answers and CI is not 'true'.
 */
import type Docker from 'dockerode'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type DockerProvider, EventStreamParser, createDockerProvider} from '../../../src/backends/docker/index.js'
import type {BackendTarget, ServiceRef} from '../../../src/backends/types.js'
import {NO_GATEWAY_OBJECTS, type Service, type Snapshot} from '../../../src/manifests/model.js'
import {
  RUN_LABEL,
  dockerForTests,
  ensureTestImage,
  httpGetReady,
  newRunId,
  removeTestContainers,
  requireClient,
  runContainer,
  selectorService,
  waitFor,
} from '../../support/docker/index.js'

const docker = await dockerForTests()
if (docker.skip) console.warn(`skipping the Docker suite: ${docker.reason}`)
const runId = newRunId()
const prefix = `kgr-${runId}`

function service(name: string, selector: Record<string, string>, targetPort: number | string = 80): Service {
  // Every selector also carries this run's label, so parallel runs never see each other's containers.
  return selectorService(name, {...selector, [RUN_LABEL]: runId}, targetPort)
}

const snapshot: Snapshot = {
  ...NO_GATEWAY_OBJECTS,
  ingresses: [],
  endpointSets: [],
  secrets: [],
  services: [
    service('webserver-blue-svc', {app: 'webserver-blue'}),
    service('webserver-green-svc', {app: 'webserver-green'}),
    service('scale-svc', {app: 'scale'}),
    service('health-svc', {app: 'health'}),
    service('pause-svc', {app: 'pause'}),
    service('typo-svc', {app: 'webserver-bleu'}),
  ],
}

const ref = (name: string): ServiceRef => ({namespace: 'default', service: name, port: {number: 80}})

/** Our own event stream: when did this process see the engine's event (the latency baseline)? */
async function watchEvents(client: Docker): Promise<{seen: (id: string, action: string) => Promise<number>; close: () => void}> {
  const stream = await client.getEvents({filters: {type: ['container']}})
  const parser = new EventStreamParser()
  const arrivals: {id: string; action: string; at: number}[] = []
  stream.on('data', (chunk: Buffer) => {
    const at = performance.now()
    for (const event of parser.push(chunk)) arrivals.push({id: event.containerId ?? '', action: event.action, at})
  })
  return {
    seen: (id, action) => waitFor(() => arrivals.find((a) => a.id === id && a.action === action)?.at, 10_000, `${action} event of ${id}`),
    close: () => (stream as unknown as {destroy: () => void}).destroy(),
  }
}

/** Resolves with performance.now() at the first onChange after which `predicate` holds. */
function changeWhere(provider: DockerProvider, name: string, predicate: (target: BackendTarget | undefined) => boolean, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`timed out waiting for a change of ${name}; last source: ${provider.resolve(ref(name), snapshot)?.source}`))
    }, timeoutMs)
    const off = provider.onChange(() => {
      if (predicate(provider.resolve(ref(name), snapshot))) {
        clearTimeout(timer)
        off()
        resolve(performance.now())
      }
    })
  })
}

const latencies: Record<string, number> = {}

describe.skipIf(docker.skip)('Docker provider, real engine', () => {
  let client: Docker
  let provider: DockerProvider
  let events: Awaited<ReturnType<typeof watchEvents>>
  const warnings: string[] = []

  beforeAll(async () => {
    client = requireClient(docker)
    await ensureTestImage(client)
    await Promise.all([
      runContainer(client, runId, {name: `${prefix}-blue-1`, labels: {app: 'webserver-blue'}, publish: [80]}),
      runContainer(client, runId, {name: `${prefix}-blue-2`, labels: {app: 'webserver-blue'}}),
      runContainer(client, runId, {name: `${prefix}-green-1`, labels: {app: 'webserver-green'}, publish: [{port: 80, hostIp: '0.0.0.0'}]}),
    ])
    events = await watchEvents(client)
    provider = await createDockerProvider({onWarning: (line) => warnings.push(line)})
  })

  afterAll(async () => {
    events?.close()
    await provider?.close()
    if (client !== undefined) await removeTestContainers(client, runId)
    if (Object.keys(latencies).length > 0) console.log(`docker reconcile latencies (ms, event seen → provider changed): ${JSON.stringify(latencies)}`)
  })

  it('connects and reports its status', () => {
    const status = provider.status()
    expect(status).toMatchObject({connected: true, state: 'connected', error: null})
    expect(status.host).toMatch(/^(unix|tcp|ssh|npipe):\/\//)
    expect(status.engine).toMatch(/^Docker /)
    expect(warnings).toEqual([])
  })

  it('discovers both blue replicas through the Service selector, and both serve', async () => {
    const target = provider.resolve(ref('webserver-blue-svc'), snapshot)
    expect(target?.problem).toBeNull()
    expect(target?.endpoints.map((e) => [e.name, e.via, e.ready])).toEqual([
      [`${prefix}-blue-1`, 'published', true],
      [`${prefix}-blue-2`, process.platform === 'linux' ? 'bridge' : 'bridge', process.platform === 'linux'],
    ])
    expect(target?.endpoints[0]?.host).toBe('127.0.0.1')
    expect(target?.source).toMatch(new RegExp(`^Docker: webserver-blue-svc:80 \\(selector app=webserver-blue,kingress.test.run=${runId}\\) → ${prefix}-blue-1 \\(127\\.0\\.0\\.1:\\d+ published\\), ${prefix}-blue-2 \\(\\d+\\.\\d+\\.\\d+\\.\\d+:80 bridge\\)$`))
    const bodies = new Set<string>()
    for (const endpoint of target?.endpoints ?? []) {
      if (!endpoint.ready) continue
      const response = await httpGetReady(endpoint.host, endpoint.port)
      expect(response.status).toBe(200)
      bodies.add(response.body.trim())
    }
    // Each replica writes its own hostname into its page: two different pages.
    expect(bodies.size).toBe(target?.endpoints.filter((e) => e.ready).length)
    const green = provider.resolve(ref('webserver-green-svc'), snapshot)
    expect(green?.endpoints).toHaveLength(1)
    expect(green?.endpoints[0]).toMatchObject({host: '127.0.0.1', via: 'published', ready: true})
    expect((await httpGetReady(green!.endpoints[0]!.host, green!.endpoints[0]!.port)).status).toBe(200)
  })

  it('a selector with a typo gets no endpoints and a problem naming the nearest containers', () => {
    const target = provider.resolve(ref('typo-svc'), snapshot)
    expect(target?.endpoints).toEqual([])
    expect(target?.problem).toContain(`selects app=webserver-bleu,kingress.test.run=${runId}, but no running container has all these labels.`)
    expect(target?.problem).toMatch(new RegExp(`Nearest: ${prefix}-blue-\\d \\(app=webserver-blue\\)`))
  })

  it('a new container is routed within one second of its start event', async () => {
    const appeared = changeWhere(provider, 'scale-svc', (t) => t?.endpoints.some((e) => e.name === `${prefix}-scale-1` && e.ready) === true)
    const container = await runContainer(client, runId, {name: `${prefix}-scale-1`, labels: {app: 'scale'}, publish: [80]})
    const startSeen = await events.seen(container.id, 'start')
    const routedAt = await appeared
    latencies.start = Math.round(routedAt - startSeen)
    expect(routedAt - startSeen).toBeLessThan(1000)
    const endpoint = provider.resolve(ref('scale-svc'), snapshot)!.endpoints[0]!
    expect((await httpGetReady(endpoint.host, endpoint.port)).status).toBe(200)
  })

  it('`docker stop` of one replica takes it out of the set within one second of the event', async () => {
    const before = provider.resolve(ref('webserver-blue-svc'), snapshot)?.endpoints.length
    expect(before).toBe(2)
    const name = `${prefix}-blue-2`
    const gone = changeWhere(provider, 'webserver-blue-svc', (t) => t !== undefined && !t.endpoints.some((e) => e.name === name))
    const container = client.getContainer(name)
    const id = (await container.inspect()).Id
    await container.stop({t: 0})
    const dieSeen = await events.seen(id, 'die')
    const removedAt = await gone
    latencies.stop = Math.round(removedAt - dieSeen)
    expect(removedAt - dieSeen).toBeLessThan(1000)
    const after = provider.resolve(ref('webserver-blue-svc'), snapshot)
    expect(after?.endpoints.map((e) => e.name)).toEqual([`${prefix}-blue-1`])
    expect(after?.problem).toBeNull()
    // Started again, it comes back.
    const back = changeWhere(provider, 'webserver-blue-svc', (t) => t?.endpoints.length === 2)
    await container.start()
    await back
  })

  it('healthchecks: "starting" and "unhealthy" containers get no traffic, "healthy" ones do', async () => {
    await Promise.all([
      // First check only after 60 s: stays "starting" for the whole test.
      runContainer(client, runId, {name: `${prefix}-health-starting`, labels: {app: 'health'}, publish: [80], health: {cmd: 'true', intervalMs: 60_000}}),
      runContainer(client, runId, {name: `${prefix}-health-bad`, labels: {app: 'health'}, publish: [80], health: {cmd: 'exit 1', intervalMs: 1000, retries: 1}}),
      runContainer(client, runId, {name: `${prefix}-health-good`, labels: {app: 'health'}, publish: [80], health: {cmd: 'true', intervalMs: 1000}}),
    ])
    const byName = (): Record<string, {ready: boolean; reason: string | null}> =>
      Object.fromEntries((provider.resolve(ref('health-svc'), snapshot)?.endpoints ?? []).map((e) => [e.name.slice(prefix.length + 1), {ready: e.ready, reason: e.notReadyReason}]))
    const settled = await waitFor(
      () => {
        const state = byName()
        return state['health-good']?.ready === true && state['health-bad']?.reason?.includes('unhealthy') === true ? state : undefined
      },
      15_000,
      'health states to settle',
    )
    // One assertion over the whole state, so a failure shows all three.
    expect(settled).toEqual({
      'health-starting': {ready: false, reason: `container ${prefix}-health-starting healthcheck is "starting"`},
      'health-bad': {ready: false, reason: expect.stringContaining(`container ${prefix}-health-bad healthcheck is "unhealthy"`)},
      'health-good': {ready: true, reason: null},
    })
    expect(provider.resolve(ref('health-svc'), snapshot)?.problem).toBeNull()
  })

  it('a paused container is not ready; unpaused it is again', async () => {
    const container = await runContainer(client, runId, {name: `${prefix}-pause-1`, labels: {app: 'pause'}, publish: [80]})
    await waitFor(() => provider.resolve(ref('pause-svc'), snapshot)?.endpoints[0]?.ready, 5000, 'pause-1 ready')
    const paused = changeWhere(provider, 'pause-svc', (t) => t?.endpoints[0]?.ready === false)
    await container.pause()
    await paused
    const target = provider.resolve(ref('pause-svc'), snapshot)
    expect(target?.endpoints[0]?.notReadyReason).toBe(`container ${prefix}-pause-1 is paused (docker unpause ${prefix}-pause-1)`)
    expect(target?.problem).toContain('is paused')
    const unpaused = changeWhere(provider, 'pause-svc', (t) => t?.endpoints[0]?.ready === true)
    await container.unpause()
    await unpaused
  })

  it('without a Service object: label kingress.service, then the container name', async () => {
    await runContainer(client, runId, {name: `${prefix}-plain`, labels: {'kingress.service': `${prefix}-labelled`}})
    await waitFor(() => provider.resolve(ref(`${prefix}-labelled`), snapshot)?.endpoints[0]?.ready, 5000, 'labelled container')
    const labelled = provider.resolve(ref(`${prefix}-labelled`), snapshot)
    expect(labelled?.endpoints.map((e) => e.name)).toEqual([`${prefix}-plain`])
    expect(labelled?.source).toContain(`label kingress.service=${prefix}-labelled`)
    const byName = provider.resolve(ref(`${prefix}-plain`), snapshot)
    expect(byName?.source).toContain(`container named ${prefix}-plain`)
    expect(provider.resolve(ref(`${prefix}-nothing`), snapshot)).toBeUndefined()
  })

  it('a destroyed container leaves, and onChange stops after close()', async () => {
    const gone = changeWhere(provider, 'scale-svc', (t) => t?.endpoints.length === 0)
    await client.getContainer(`${prefix}-scale-1`).remove({force: true})
    await gone
    expect(provider.resolve(ref('scale-svc'), snapshot)?.problem).toContain('Service default/scale-svc selects app=scale')
  })
})
