/**
 * The live provider against a fake engine on a unix socket (no Docker needed): no engine at all,
 * an engine that appears later, Podman's event names, events split mid-line, and the connect
 * failure message.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {type Server, type ServerResponse, createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {createDockerProvider, describeConnectFailure} from '../../../src/backends/docker/index.js'
import type {DockerHostCandidate} from '../../../src/backends/docker/index.js'
import type {ServiceRef} from '../../../src/backends/types.js'
import {selectorService, servicesSnapshot, waitFor} from '../../support/docker/index.js'

const snapshot = servicesSnapshot(selectorService('web', {app: 'web'}))
const ref: ServiceRef = {namespace: 'default', service: 'web', port: {number: 80}}

interface FakeEngine {
  socket: string
  containers: object[]
  emit(text: string | Buffer): void
  close(): Promise<void>
  eventRequests: string[]
}

function listEntry(name: string, state = 'running'): object {
  return {
    Id: `${name}0123456789abcdef`,
    Names: [`/${name}`],
    Labels: {app: 'web'},
    State: state,
    Status: state === 'running' ? 'Up 1 second' : 'Exited (0) 1 second ago',
    Ports: [{PrivatePort: 80, PublicPort: 40000 + name.length, IP: '0.0.0.0', Type: 'tcp'}],
    HostConfig: {NetworkMode: 'bridge'},
    NetworkSettings: {Networks: {bridge: {IPAddress: '172.17.0.9'}}},
  }
}

const dirs: string[] = []
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))))
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true})
})

function socketPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kgr-fake-'))
  dirs.push(dir)
  return join(dir, 'docker.sock')
}

async function fakeEngine(socket: string): Promise<FakeEngine> {
  const streams = new Set<ServerResponse>()
  const engine: FakeEngine = {
    socket,
    containers: [],
    eventRequests: [],
    emit(text) {
      for (const res of streams) res.write(text)
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of streams) res.destroy()
        server.close(() => resolve())
      }),
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    const json = (body: unknown): void => {
      res.writeHead(200, {'content-type': 'application/json'})
      res.end(JSON.stringify(body))
    }
    if (url.pathname.endsWith('/_ping')) return res.end('OK')
    if (url.pathname.endsWith('/info')) return json({OperatingSystem: 'Fake Linux', ServerVersion: '99.0', SystemTime: new Date().toISOString()})
    if (url.pathname.endsWith('/containers/json')) return json(engine.containers)
    if (url.pathname.endsWith('/networks')) return json([{Name: 'bridge', Driver: 'bridge'}])
    if (url.pathname.endsWith('/events')) {
      engine.eventRequests.push(url.search)
      res.writeHead(200, {'content-type': 'application/json'})
      res.flushHeaders()
      streams.add(res)
      res.on('close', () => streams.delete(res))
      return
    }
    res.writeHead(404)
    res.end('{"message":"not found"}')
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(socket, resolve))
  return engine
}

describe('createDockerProvider without an engine', () => {
  it('resolves anyway, prints one line that says what was tried and what to do, answers with a problem', async () => {
    const socket = socketPath()
    const warnings: string[] = []
    const provider = await createDockerProvider({env: {DOCKER_HOST: `unix://${socket}`}, onWarning: (l) => warnings.push(l), platform: 'linux'})
    try {
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toBe(
        `Docker: cannot reach the engine — tried unix://${socket} (DOCKER_HOST): no socket there (the engine is not running). To use containers as backends, start that engine or fix DOCKER_HOST, or pass --no-docker. Static --backend and EndpointSlice backends keep working.`,
      )
      expect(provider.status()).toMatchObject({connected: false, state: 'unavailable', host: `unix://${socket}`, hostSource: 'DOCKER_HOST'})
      expect(provider.resolve(ref, snapshot)).toMatchObject({endpoints: [], problem: warnings[0]})
      expect(provider.resolve({...ref, service: 'no-service-object'}, snapshot)).toBeUndefined()
    } finally {
      await provider.close()
    }
  })

  it('a docker context that does not exist is reported, not guessed around', async () => {
    const warnings: string[] = []
    const provider = await createDockerProvider({env: {DOCKER_CONTEXT: 'nope', DOCKER_CONFIG: socketPath()}, onWarning: (l) => warnings.push(l)})
    expect(warnings[0]).toMatch(/^Docker: docker context "nope" \(from DOCKER_CONTEXT\) does not exist/)
    expect(provider.status().state).toBe('unavailable')
    await provider.close()
  })

  it('the failure line suggests the fix that matches the platform and the error', () => {
    const candidate: DockerHostCandidate = {
      url: 'unix:///var/run/docker.sock',
      endpoint: {kind: 'unix', socketPath: '/var/run/docker.sock'},
      source: 'default socket',
      sourceLabel: 'default socket',
    }
    const eacces = Object.assign(new Error('connect EACCES'), {code: 'EACCES'})
    expect(describeConnectFailure([{candidate, error: eacces}], 'linux')).toContain('permission denied. To use containers as backends, add yourself to the docker group')
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})
    expect(describeConnectFailure([{candidate, error: refused}], 'darwin')).toContain('start Docker Desktop (or `colima start`, or OrbStack)')
    expect(describeConnectFailure([{candidate, error: refused}], 'linux')).toContain('`sudo systemctl start docker`')
  })
})

describe('the live provider against a fake engine', () => {
  it('connects when the engine appears later, and resubscribes with since', async () => {
    const socket = socketPath()
    const warnings: string[] = []
    const provider = await createDockerProvider({
      env: {DOCKER_HOST: `unix://${socket}`},
      onWarning: (l) => warnings.push(l),
      reconnectInitialMs: 50,
      reconnectMaxMs: 100,
    })
    let changes = 0
    provider.onChange(() => changes++)
    try {
      expect(provider.status().connected).toBe(false)
      const engine = await fakeEngine(socket)
      engine.containers = [listEntry('web-1')]
      await waitFor(() => provider.status().connected, 3000, 'connect')
      expect(changes).toBeGreaterThan(0)
      expect(warnings.at(-1)).toContain('Docker: connected to the engine at unix://')
      expect(provider.resolve(ref, snapshot)?.endpoints.map((e) => [e.name, e.host, e.port, e.via])).toEqual([['web-1', '127.0.0.1', 40005, 'published']])
      expect(engine.eventRequests[0]).toMatch(/since=\d+/)
      expect(provider.status().engine).toBe('Docker 99.0 (Fake Linux)')
    } finally {
      await provider.close()
    }
  })

  it('follows events split mid-line, ignores exec noise, understands Podman names, debounces bursts', async () => {
    const socket = socketPath()
    const engine = await fakeEngine(socket)
    engine.containers = [listEntry('web-1'), listEntry('web-22')]
    const provider = await createDockerProvider({env: {DOCKER_HOST: `unix://${socket}`}, debounceMs: 50})
    let changes = 0
    provider.onChange(() => changes++)
    try {
      await waitFor(() => engine.eventRequests.length > 0, 2000, 'subscription')
      expect(provider.resolve(ref, snapshot)?.endpoints).toHaveLength(2)

      // Exec noise from healthchecks: no re-list, no change.
      engine.emit(`${JSON.stringify({Type: 'container', Action: 'exec_start: sh -c true', Actor: {ID: 'x', Attributes: {}}, time: 1})}\n`)
      engine.containers = [listEntry('web-1')]
      await new Promise((r) => setTimeout(r, 200))
      expect(provider.resolve(ref, snapshot)?.endpoints).toHaveLength(2)

      // Podman's "died", delivered in two pieces that split the line.
      const died = `${JSON.stringify({Type: 'container', Action: 'died', Actor: {ID: 'web-22', Attributes: {name: 'wéb-22'}}, time: 2})}\n`
      const bytes = Buffer.from(died)
      engine.emit(bytes.subarray(0, bytes.indexOf('é') + 1)) // ends inside the two-byte é
      await new Promise((r) => setTimeout(r, 30))
      const changed = new Promise<void>((resolve) => {
        const off = provider.onChange(() => {
          off()
          resolve()
        })
      })
      const started = performance.now()
      engine.emit(bytes.subarray(bytes.indexOf('é') + 1))
      await changed
      expect(performance.now() - started).toBeLessThan(1000)
      expect(provider.resolve(ref, snapshot)?.endpoints.map((e) => e.name)).toEqual(['web-1'])

      // A burst of events makes one re-list.
      const before = changes
      engine.containers = [listEntry('web-1'), listEntry('web-333')]
      for (const action of ['create', 'start', 'health_status: healthy', 'start']) {
        engine.emit(`${JSON.stringify({Type: 'container', Action: action, Actor: {ID: 'web-333', Attributes: {}}, time: 3})}\n`)
      }
      await waitFor(() => provider.resolve(ref, snapshot)?.endpoints.length === 2, 2000, 'web-333')
      await new Promise((r) => setTimeout(r, 150))
      expect(changes - before).toBe(1)
    } finally {
      await provider.close()
    }
  })

  it('when the engine goes away it says so once, keeps the last endpoints, and recovers', async () => {
    const socket = socketPath()
    let engine = await fakeEngine(socket)
    engine.containers = [listEntry('web-1')]
    const warnings: string[] = []
    const provider = await createDockerProvider({
      env: {DOCKER_HOST: `unix://${socket}`},
      onWarning: (l) => warnings.push(l),
      reconnectInitialMs: 50,
      reconnectMaxMs: 200,
    })
    try {
      await waitFor(() => engine.eventRequests.length > 0, 2000, 'subscription')
      await engine.close()
      servers.length = 0
      await waitFor(() => provider.status().state === 'reconnecting', 2000, 'reconnecting')
      expect(provider.resolve(ref, snapshot)?.endpoints).toHaveLength(1)
      await new Promise((r) => setTimeout(r, 600))
      expect(warnings.filter((w) => w.includes('lost the event stream'))).toHaveLength(1)
      expect(warnings.filter((w) => w.includes('cannot reach'))).toHaveLength(0)

      rmSync(socket, {force: true})
      engine = await fakeEngine(socket)
      engine.containers = [listEntry('web-1'), listEntry('web-22')]
      await waitFor(() => provider.status().connected, 3000, 'reconnect')
      expect(provider.resolve(ref, snapshot)?.endpoints).toHaveLength(2)
      expect(engine.eventRequests[0]).toMatch(/since=\d+/)
    } finally {
      await provider.close()
    }
  })
})
