import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, beforeEach, expect} from 'vitest'

import {startServingCli, type ServingCli} from '../../support/cli.js'
import {rawExchange, type RawResult} from './raw-client.js'
import {RawUpstream} from './raw-upstream.js'

/**
 * A real `kingress up` (the built CLI, a child process) on loopback in front of three raw-TCP
 * upstreams that count every byte and request:
 * - `edge.test/` → app; `edge.test/admin` → admin, behind `whitelist-source-range: 10.0.0.0/8`, so
 *   the loopback client must never reach it;
 * - `ws.test/` → ws (WebSocket handshakes).
 */
export interface Edge {
  readonly cli: ServingCli
  readonly httpPort: number
  readonly httpsPort: number
  readonly app: RawUpstream
  readonly admin: RawUpstream
  readonly ws: RawUpstream
  close(): Promise<void>
}

const MANIFEST = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: app, namespace: default}
spec:
  rules:
  - host: edge.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
  - host: ws.test
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: ws, port: {number: 80}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
  namespace: default
  annotations:
    nginx.ingress.kubernetes.io/whitelist-source-range: "10.0.0.0/8"
spec:
  rules:
  - host: edge.test
    http:
      paths:
      - {path: /admin, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}
`

/**
 * One `kingress up` edge for a describe block: started before its tests, closed after them, and
 * (unless `resetEachTest` is false) the upstreams' counters reset before each test. The returned
 * object reads through to the started edge.
 */
export function useEdge(options: {resetEachTest?: boolean} = {}): Edge {
  let started: Edge | null = null
  beforeAll(async () => {
    started = await startEdge()
  }, 60_000)
  afterAll(async () => {
    await started?.close()
  })
  if (options.resetEachTest !== false) {
    beforeEach(() => {
      for (const upstream of [started!.app, started!.admin, started!.ws]) upstream.reset()
    })
  }
  return new Proxy({} as Edge, {get: (_target, key) => (started as unknown as Record<string | symbol, unknown>)[key]})
}

export async function startEdge(): Promise<Edge> {
  const [app, admin, ws] = await Promise.all([RawUpstream.start('app'), RawUpstream.start('admin'), RawUpstream.start('ws')])
  const dir = await mkdtemp(join(tmpdir(), 'kingress-edge-'))
  await writeFile(join(dir, 'edge.yaml'), MANIFEST)
  const cli = await startServingCli(
    ['up', dir, '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--backend', `app=127.0.0.1:${app.port}`, '--backend', `admin=127.0.0.1:${admin.port}`, '--backend', `ws=127.0.0.1:${ws.port}`],
    {timeoutMs: 30_000},
  )
  const port = (scheme: string): number => Number(new URL(cli.urls.find((u) => u.startsWith(`${scheme}:`))!).port)
  return {
    cli,
    httpPort: port('http'),
    httpsPort: port('https'),
    app,
    admin,
    ws,
    async close() {
      cli.kill()
      await Promise.all([app.close(), admin.close(), ws.close()])
      await rm(dir, {recursive: true, force: true})
    },
  }
}

export const canaryRequest = (tag: string): string => `GET /canary/${tag} HTTP/1.1\r\nHost: edge.test\r\n\r\n`

/** The canary's answer: 200 from app, echoing exactly the canary's own target (nothing out of order). */
export function expectCanary(result: RawResult, tag: string, index = result.responses.length - 1): void {
  const response = result.responses[index]
  expect(response, `canary ${tag}: no response (${JSON.stringify(result.raw.slice(0, 300))})`).toBeDefined()
  expect(response!.status, `canary ${tag}`).toBe(200)
  expect(JSON.parse(response!.body).target, `canary ${tag}`).toBe(`/canary/${tag}`)
}

/**
 * After every probe: a canary on a fresh connection is answered in order; nothing reached admin;
 * nothing named `smuggled` reached any upstream; the upstreams parsed no broken framing (a
 * half-forwarded request); and the process is alive.
 */
export async function expectClean(edge: Edge, name: string): Promise<void> {
  const tag = name.replace(/[^A-Za-z0-9]+/g, '-')
  // Patient: after a flood the proxy may be busy for a moment; `expect` returns at the answer.
  const fresh = await rawExchange(edge.httpPort, canaryRequest(`${tag}-fresh`), {expect: 1, quietMs: 3000})
  expectCanary(fresh, `${tag}-fresh`)
  expect(edge.admin.requests.map((r) => r.target), `${tag}: admin must never be reached`).toEqual([])
  // ws.test routes every path to ws, so only app (edge.test, where /admin has its own rule) must never see /admin.
  expect(edge.app.requests.filter((r) => /^(?:https?:\/\/[^/]*)?\/+admin(?:\/|$|\?)/.test(r.target)).map((r) => r.target), `${tag}: /admin reached app`).toEqual([])
  for (const upstream of [edge.app, edge.ws]) {
    expect(upstream.requests.filter((r) => r.target.includes('smuggled')).map((r) => r.target), `${tag}: reached ${upstream.name}`).toEqual([])
    expect(upstream.errors, `${tag}: ${upstream.name} read broken framing`).toEqual([])
  }
  expect(edge.cli.exitCode(), `${tag}: kingress exited`).toBeNull()
}
