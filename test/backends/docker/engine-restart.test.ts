/**
 * The engine restarts under kingress: the event stream ends, the provider reconnects (backoff),
 * resubscribes with `since`, re-lists, and routes new containers within a second again.
 * Runs against a private dockerd (its own socket and bridge, --live-restore), never the shared one.
 */
import Docker from 'dockerode'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type DockerProvider, EventStreamParser, createDockerProvider} from '../../../src/backends/docker/index.js'
import type {ServiceRef} from '../../../src/backends/types.js'
import {ensureTestImage, httpGetReady, newRunId, privateEngineSupport, removeTestContainers, runContainer, selectorService, servicesSnapshot, waitFor} from '../../support/docker/index.js'
import {type PrivateEngine, createPrivateEngine} from '../../support/docker/private-engine.js'

const support = privateEngineSupport()
// Same rule as the other Docker suites: skip only outside CI; in CI the setup script provides root + dockerd.
const skip = !support.ok && process.env.CI !== 'true'
if (!support.ok) console.warn(`engine-restart suite: ${support.reason}${skip ? ' — skipping' : ''}`)

const runId = newRunId()
const snapshot = servicesSnapshot(selectorService('restart-svc', {app: 'restart'}))
const ref: ServiceRef = {namespace: 'default', service: 'restart-svc', port: {number: 80}}

describe.skipIf(skip)('Docker provider when the engine restarts', () => {
  let engine: PrivateEngine
  let client: Docker
  let provider: DockerProvider
  const warnings: string[] = []

  beforeAll(async () => {
    if (!support.ok) throw new Error(`engine-restart suite needs a private dockerd: ${support.reason}`)
    engine = createPrivateEngine(support.dockerd, runId)
    await engine.start()
    client = new Docker({socketPath: engine.socket})
    await ensureTestImage(client)
    await runContainer(client, runId, {name: `kgr-${runId}-r1`, labels: {app: 'restart'}, publish: [80]})
    await runContainer(client, runId, {name: `kgr-${runId}-r0`, labels: {app: 'restart'}})
    provider = await createDockerProvider({
      env: {DOCKER_HOST: engine.dockerHost, HOME: '/nonexistent'},
      onWarning: (line) => warnings.push(line),
      reconnectInitialMs: 100,
      reconnectMaxMs: 500,
    })
  }, 90_000)

  afterAll(async () => {
    await provider?.close()
    if (client !== undefined) await removeTestContainers(client, runId).catch(() => undefined)
    await engine?.destroy()
  }, 60_000)

  it('reconnects after dockerd restarts, keeps live-restored containers and follows new events', async () => {
    expect(provider.status()).toMatchObject({connected: true, host: engine.dockerHost, hostSource: 'DOCKER_HOST'})
    const first = provider.resolve(ref, snapshot)
    expect(first?.endpoints.map((e) => [e.name, e.ready])).toEqual([
      [`kgr-${runId}-r0`, true],
      [`kgr-${runId}-r1`, true],
    ])
    const r0Pid = (await client.getContainer(`kgr-${runId}-r0`).inspect()).State.Pid

    await engine.kill()
    await waitFor(() => provider.status().state === 'reconnecting', 5000, 'the provider to notice the engine is gone')
    expect(provider.status().connected).toBe(false)
    expect(warnings.some((w) => w.includes('lost the event stream'))).toBe(true)
    // Still answers with what it last saw (live-restore keeps the containers serving).
    expect(provider.resolve(ref, snapshot)?.endpoints).toHaveLength(2)
    // While the engine is down, r0 dies: only the re-list after reconnecting can notice.
    process.kill(r0Pid, 'SIGKILL')

    const restartedAt = performance.now()
    await engine.start()
    await waitFor(() => provider.status().connected, 10_000, 'the provider to reconnect')
    const reconnectMs = Math.round(performance.now() - restartedAt)
    expect(warnings.some((w) => w.includes('connected to the engine'))).toBe(true)

    await waitFor(() => provider.resolve(ref, snapshot)?.endpoints.length === 1, 5000, 'r0, killed while the engine was down, to leave')
    const endpoint = provider.resolve(ref, snapshot)?.endpoints[0]
    expect(endpoint).toMatchObject({name: `kgr-${runId}-r1`, ready: true})
    expect((await httpGetReady(endpoint!.host, endpoint!.port)).status).toBe(200)

    // The new event stream works: a container started now is routed within a second of its event.
    const stream = await client.getEvents({filters: {type: ['container'], event: ['start']}})
    const parser = new EventStreamParser()
    let startSeen = 0
    stream.on('data', (chunk: Buffer) => {
      if (parser.push(chunk).length > 0 && startSeen === 0) startSeen = performance.now()
    })
    await runContainer(client, runId, {name: `kgr-${runId}-r2`, labels: {app: 'restart'}, publish: [80]})
    const routedAt = await waitFor(
      () => (provider.resolve(ref, snapshot)?.endpoints.length === 2 ? performance.now() : undefined),
      5000,
      'r2 to be routed',
    )
    ;(stream as unknown as {destroy: () => void}).destroy()
    await waitFor(() => startSeen > 0, 2000, 'the start event')
    const latency = Math.round(routedAt - startSeen)
    console.log(`engine restart: reconnected ${reconnectMs} ms after starting dockerd again (its own startup included); new container routed ${latency} ms after its start event`)
    expect(latency).toBeLessThan(1000)
  }, 90_000)
})
