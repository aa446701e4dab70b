/**
 * End to end through the real proxy: Ingress + Service manifests on disk, the Docker provider,
 * `startSession`, HTTP requests with a Host header. Both replicas answer; a stopped replica leaves
 * the rotation; a Service whose only container is "starting" answers 503 with the reason.
 */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type Docker from 'dockerode'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type DockerProvider, createDockerProvider} from '../../../src/backends/docker/index.js'
import {type Session, startSession} from '../../../src/runtime/session.js'
import {runCli} from '../../support/cli.js'
import {RUN_LABEL, dockerForTests, ensureTestImage, newRunId, removeTestContainers, requireClient, runContainer, waitFor} from '../../support/docker/index.js'

const docker = await dockerForTests()
const runId = newRunId()
const prefix = `kgr-${runId}`

function get(port: number, host: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, path: '/', headers: {host}, agent: false, timeout: 5000}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}))
    })
    req.on('error', reject)
    req.end()
  })
}

const manifests = `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: e2e, namespace: default}
spec:
  rules:
  - host: blue.e2e.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: blue-svc, port: {number: 80}}}}
  - host: slow.e2e.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: slow-svc, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: blue-svc, namespace: default}
spec:
  selector: {app: e2e-blue, ${RUN_LABEL}: "${runId}"}
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: slow-svc, namespace: default}
spec:
  selector: {app: e2e-slow, ${RUN_LABEL}: "${runId}"}
  ports: [{name: http, port: 80, targetPort: 80}]
`

describe.skipIf(docker.skip)('Docker backends through the proxy', () => {
  let client: Docker
  let provider: DockerProvider
  let session: Session
  let port: number
  let dir: string

  beforeAll(async () => {
    client = requireClient(docker)
    await ensureTestImage(client)
    await Promise.all([
      runContainer(client, runId, {name: `${prefix}-e2e-blue-1`, labels: {app: 'e2e-blue'}, publish: [80]}),
      runContainer(client, runId, {name: `${prefix}-e2e-blue-2`, labels: {app: 'e2e-blue'}}),
      runContainer(client, runId, {name: `${prefix}-e2e-slow-1`, labels: {app: 'e2e-slow'}, publish: [80], health: {cmd: 'true', intervalMs: 60_000}}),
    ])
    dir = mkdtempSync(join(tmpdir(), 'kgr-e2e-'))
    writeFileSync(join(dir, 'e2e.yaml'), manifests)
    provider = await createDockerProvider({})
    session = await startSession({inputs: [dir], providers: [provider], bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, drainMs: 100})
    port = session.results[0]!.port
  }, 60_000)

  afterAll(async () => {
    await session?.close()
    await provider?.close()
    if (client !== undefined) await removeTestContainers(client, runId)
    if (dir !== undefined) rmSync(dir, {recursive: true, force: true})
  })

  it('`routes` and `explain` name the containers and how each is dialled', async () => {
    const text = await runCli(['routes', dir])
    expect(text.code).toBe(0)
    const line = text.stdout.split('\n').find((l) => l.includes('blue-svc:80 →'))
    expect(line).toMatch(new RegExp(`${prefix}-e2e-blue-1 \\(127\\.0\\.0\\.1:\\d+ published\\)`))
    expect(line).toMatch(new RegExp(`${prefix}-e2e-blue-2 \\(\\d+\\.\\d+\\.\\d+\\.\\d+:80 bridge\\)`))
    expect(text.stdout).toMatch(/slow-svc:80 → .*not ready: .*healthcheck is "starting"/)

    const explained = await runCli(['explain', 'http://blue.e2e.test/', dir, '--json'])
    const json = JSON.parse(explained.stdout) as {backend: {endpoints: {name: string; via: string}[]}}
    expect(json.backend.endpoints.map((e) => `${e.name} ${e.via}`).sort()).toEqual([`${prefix}-e2e-blue-1 published`, `${prefix}-e2e-blue-2 bridge`])
  })

  it('balances over both replicas, and drops a stopped one', async () => {
    const seen = new Set<string>()
    await waitFor(
      async () => {
        const response = await get(port, 'blue.e2e.test')
        if (response.status === 200) seen.add(response.body.trim())
        return seen.size === 2
      },
      5000,
      'both replicas to answer',
    )
    await client.getContainer(`${prefix}-e2e-blue-2`).stop({t: 0})
    const survivor = (await client.getContainer(`${prefix}-e2e-blue-1`).inspect()).Config.Hostname
    // Within a second of the stop, every request goes to the survivor.
    await new Promise((r) => setTimeout(r, 1000))
    for (let i = 0; i < 6; i++) {
      const response = await get(port, 'blue.e2e.test')
      expect(response).toEqual({status: 200, body: `${survivor}\n`})
    }
  })

  it('a Service whose only container is "starting" answers 503 and says why', async () => {
    const response = await get(port, 'slow.e2e.test')
    expect(response.status).toBe(503)
    expect(response.body).toMatch(/healthcheck is (&quot;|&#34;|")starting(&quot;|&#34;|")/)
  })
})
