import {readFileSync, writeFileSync} from 'node:fs'
import {request as httpRequest, type IncomingMessage} from 'node:http'
import {connect as h2connect} from 'node:http2'
import {request as httpsRequest} from 'node:https'
import {connect, createServer as createNetServer, type AddressInfo, type Server, type Socket} from 'node:net'
import {join} from 'node:path'
import {PassThrough} from 'node:stream'
import {connect as tlsConnect} from 'node:tls'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {GatewayAddressing} from '../../src/gateway/addresses.js'
import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {MISDIRECTED_REQUESTS} from '../gateway/conformance-tables.js'
import {handshake, tlsSandbox, type TlsSandbox} from './https-support.js'
import {echoUpstream, ingress, saveByRename, tempDir, type Upstream} from './helpers.js'

/**
 * `kingress up`'s Gateway addressing on real sockets: each Gateway on an address of its own
 * (127.0.0.1 and 127.0.0.2 on Linux loopback), listener ports mapped with --listener-port, and 421
 * for a Host of another listener than the TLS SNI chose. Echo upstreams name themselves.
 */

interface Reply {
  readonly status: number
  readonly body: string
  readonly name: string | null
}

/** One request on a fresh connection; with `servername`, over TLS with that SNI (the certificate is not checked). */
function get(address: string, port: number, host: string, path = '/', servername?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const options = {host: address, port, path, headers: {host, accept: 'text/plain'}, agent: false}
    const onResponse = (res: IncomingMessage) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => (body += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body, name: (res.headers['x-upstream'] as string | undefined) ?? null}))
    }
    const req = servername === undefined ? httpRequest(options, onResponse) : httpsRequest({...options, servername, rejectUnauthorized: false}, onResponse)
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timed out')))
    req.end()
  })
}

/** One HTTP/2 request whose :authority differs from the TLS SNI name (as a coalescing browser sends). */
function getH2(port: number, servername: string, authority: string, path = '/'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${port}`, {servername, rejectUnauthorized: false})
    session.on('error', reject)
    const stream = session.request({':path': path, ':authority': authority, accept: 'text/plain'})
    let status = 0
    let name: string | null = null
    let body = ''
    stream.on('response', (headers) => {
      status = Number(headers[':status'])
      name = (headers['x-upstream'] as string | undefined) ?? null
    })
    stream.setEncoding('utf8').on('data', (c: string) => (body += c))
    stream.on('end', () => {
      session.close()
      resolve({status, body, name})
    })
    stream.on('error', reject)
    stream.setTimeout(5000, () => stream.close())
  })
}

const service = (name: string) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: default
spec:
  ports:
  - port: 80
    targetPort: 3000
---
`

const gateway = (name: string, listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: ${name}
  namespace: default
spec:
  gatewayClassName: kingress
  listeners:
${listeners}---
`

const httpListener = (name: string, port: number, hostname?: string) => `  - name: ${name}
    port: ${port}
    protocol: HTTP
${hostname ? `    hostname: '${hostname}'\n` : ''}`

const httpsListener = (name: string, hostname?: string, port = 443) => `  - name: ${name}
    port: ${port}
    protocol: HTTPS
${hostname ? `    hostname: '${hostname}'\n` : ''}    tls:
      certificateRefs:
      - name: certificate
`

const route = (name: string, gatewayName: string, section: string | null, hostnames: string[], backend: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: default
spec:
  parentRefs:
  - name: ${gatewayName}
${section === null ? '' : `    sectionName: ${section}\n`}  hostnames: [${hostnames.map((h) => `'${h}'`).join(', ')}]
  rules:
  - backendRefs:
    - name: ${backend}
      port: 80
---
`

interface Running {
  session: Session
  upstreams: Upstream[]
  json: Record<string, unknown>[]
  dir: string
  file: string
}

/** A session with `yaml` in one file, echo upstreams for `services`, a JSON log, and the given addressing. */
async function run(yaml: string, services: readonly string[], gateways: GatewayAddressing, extra: {https?: boolean; env?: NodeJS.ProcessEnv; watch?: boolean; backends?: readonly string[]} = {}): Promise<Running> {
  const dir = await tempDir()
  const file = join(dir, 'app.yaml')
  writeFileSync(file, services.map(service).join('') + yaml)
  const upstreams = await Promise.all(services.map((s) => echoUpstream(s)))
  const providers = await buildProviders({backends: [...services.map((s, i) => `default/${s}=127.0.0.1:${upstreams[i]!.port}`), ...(extra.backends ?? [])], docker: false})
  const out = new PassThrough()
  const json: Record<string, unknown>[] = []
  let partial = ''
  out.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop()!
    for (const line of lines) if (line.startsWith('{')) json.push(JSON.parse(line) as Record<string, unknown>)
  })
  const session = await startSession({
    inputs: [file],
    providers,
    bind: '127.0.0.1',
    http: {port: 0, explicit: true, fallbackPort: 0},
    https: extra.https ? {port: 0, explicit: true, fallbackPort: 0} : undefined,
    env: extra.env,
    watch: extra.watch ?? false,
    log: {out, format: 'json'},
    drainMs: 1000,
    gateways,
  })
  return {session, upstreams, json, dir, file}
}

async function stop(r: Running | undefined): Promise<void> {
  await r?.session.close()
  await Promise.all(r?.upstreams.map((u) => u.close()) ?? [])
}

function socketOf(r: Running, address: string, gatewayPort: number): number {
  const s = r.session.gateways!.sockets.find((x) => x.planned.address === address && x.planned.gatewayPort === gatewayPort)
  if (s === undefined) throw new Error(`no socket on ${address} for port ${gatewayPort}: ${r.session.readyLine()}`)
  return s.result.port
}

const linux = (more: Partial<GatewayAddressing> = {}): GatewayAddressing => ({addresses: new Map(), listenerPorts: new Map(), platform: 'linux', ...more})

const TWO_GATEWAYS =
  gateway('a', httpListener('http', 80)) +
  gateway('b', httpListener('http', 80) + httpListener('alt', 8000)) +
  route('ra', 'a', null, ['shop.example.com'], 'svc-a') +
  route('rb', 'b', 'http', ['shop.example.com'], 'svc-b') +
  route('rc', 'b', 'alt', ['shop.example.com'], 'svc-c') +
  ingress('web', [
    {host: 'shop.example.com', service: 'svc-ingress'},
    {host: 'only-ingress.example.com', service: 'svc-ingress'},
  ])

describe('two Gateways on their own addresses, the Ingresses on --bind', () => {
  let r: Running
  let port: number
  beforeAll(async () => {
    r = await run(TWO_GATEWAYS, ['svc-a', 'svc-b', 'svc-c', 'svc-ingress'], linux({listenerPorts: new Map([[8000, 0]])}))
    port = r.session.results[0]!.port
  })
  afterAll(() => stop(r))

  it('the first Gateway by namespace/name shares --bind and claims its hosts there; the Ingresses answer the rest', async () => {
    expect((await get('127.0.0.1', port, 'shop.example.com')).name).toBe('svc-a')
    expect((await get('127.0.0.1', port, 'only-ingress.example.com')).name).toBe('svc-ingress')
  })

  it('the next Gateway is on 127.0.0.2, same port: the same hostname answers differently there', async () => {
    expect(socketOf(r, '127.0.0.2', 80)).toBe(port)
    expect((await get('127.0.0.2', port, 'shop.example.com')).name).toBe('svc-b')
  })

  it("a Gateway's own address serves no Ingress: a host its routes do not claim gets the Gateway's 404", async () => {
    const reply = await get('127.0.0.2', port, 'only-ingress.example.com')
    expect(reply.status).toBe(404)
    expect(reply.name).toBeNull()
  })

  it("a WebSocket upgrade on a Gateway's own address for a host its routes do not claim: the Gateway's 404, not an Ingress", async () => {
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.2', () => socket.write('GET /ws HTTP/1.1\r\nHost: only-ingress.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAccept: text/plain\r\n\r\n'))
      let text = ''
      socket.setEncoding('utf8').on('data', (c: string) => (text += c))
      socket.on('end', () => resolve(text))
      socket.on('error', reject)
      socket.setTimeout(5000, () => socket.destroy(new Error('timed out')))
    })
    expect(head.startsWith('HTTP/1.1 404')).toBe(true)
    expect(head).toContain('gateway default/b')
  })

  it('a listener on port 8000, mapped with --listener-port 8000=0, is served on its own port and evaluated as port 8000', async () => {
    const alt = socketOf(r, '127.0.0.2', 8000)
    expect(alt).not.toBe(port)
    expect(alt).toBeGreaterThan(0)
    expect((await get('127.0.0.2', alt, 'shop.example.com')).name).toBe('svc-c')
  })

  it("the ready line lists each Gateway's URLs", () => {
    const alt = socketOf(r, '127.0.0.2', 8000)
    expect(r.session.readyLine()).toContain(`gateway default/a http://127.0.0.1:${port} gateway default/b http://127.0.0.2:${port} http://127.0.0.2:${alt}`)
  })

  it('the JSON log says which side answered', async () => {
    await get('127.0.0.1', port, 'shop.example.com', '/side-a')
    await get('127.0.0.2', port, 'shop.example.com', '/side-b')
    await get('127.0.0.1', port, 'only-ingress.example.com', '/side-ingress')
    await get('127.0.0.2', port, 'only-ingress.example.com', '/side-b-404')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const sideOf = (path: string) => r.json.find((e) => e.type === 'request' && e.path === path)?.side
    expect(sideOf('/side-a')).toBe('gateway default/a')
    expect(sideOf('/side-b')).toBe('gateway default/b')
    expect(sideOf('/side-ingress')).toBe('ingress')
    expect(sideOf('/side-b-404')).toBe('gateway default/b')
  })

  // diff --requests rebuilds each URL from the log: the port a request was routed as is the cluster's, not the socket's.
  it('the JSON log gives the port each request was routed as, whatever local port it came in on', async () => {
    const alt = socketOf(r, '127.0.0.2', 8000)
    await get('127.0.0.1', port, 'only-ingress.example.com', '/port-ingress')
    await get('127.0.0.2', alt, 'shop.example.com', '/port-8000')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const portOf = (path: string) => r.json.find((e) => e.type === 'request' && e.path === path)?.port
    expect(port).not.toBe(80)
    expect(portOf('/port-ingress')).toBe(80)
    expect(portOf('/port-8000')).toBe(8000)
  })

  it('--hosts maps route hostnames to their Gateway address, Ingress hosts to --bind', () => {
    expect(r.session.gatewayAddress('default/a')).toBe('127.0.0.1')
    expect(r.session.gatewayAddress('default/b')).toBe('127.0.0.2')
  })
})

describe('--gateway-address', () => {
  let r: Running
  let port: number
  beforeAll(async () => {
    r = await run(TWO_GATEWAYS, ['svc-a', 'svc-b', 'svc-c', 'svc-ingress'], linux({addresses: new Map([['default/a', '127.0.0.3']]), listenerPorts: new Map([[8000, 0]])}))
    port = r.session.results[0]!.port
  })
  afterAll(() => stop(r))

  it('puts the named Gateway there; the next Gateway takes --bind, where the Ingresses stay', async () => {
    expect((await get('127.0.0.3', port, 'shop.example.com')).name).toBe('svc-a')
    expect((await get('127.0.0.1', port, 'shop.example.com')).name).toBe('svc-b')
    expect((await get('127.0.0.1', port, 'only-ingress.example.com')).name).toBe('svc-ingress')
    expect(r.session.readyLine()).toContain('gateway default/a http://127.0.0.3')
  })
})

describe('macOS: every Gateway shares --bind', () => {
  let r: Running
  let port: number
  beforeAll(async () => {
    const yaml = gateway('a', httpListener('http', 80)) + gateway('b', httpListener('http', 80)) + route('ra', 'a', null, ['a.example.com'], 'svc-a') + route('rb', 'b', null, ['b.example.com'], 'svc-b')
    r = await run(yaml, ['svc-a', 'svc-b'], {addresses: new Map(), listenerPorts: new Map(), platform: 'darwin'})
    port = r.session.results[0]!.port
  })
  afterAll(() => stop(r))

  it('says how to add a loopback alias, and warns of listeners that overlap on the shared address', () => {
    expect(r.session.notices.some((n) => n.includes('sudo ifconfig lo0 alias 127.0.0.2 up') && n.includes('--gateway-address default/b=127.0.0.2'))).toBe(true)
    expect(r.session.notices.some((n) => n.includes('default/a/http and default/b/http share 127.0.0.1 port 80'))).toBe(true)
  })

  it('each Gateway still answers the hosts its routes claim', async () => {
    expect((await get('127.0.0.1', port, 'a.example.com')).name).toBe('svc-a')
    expect((await get('127.0.0.1', port, 'b.example.com')).name).toBe('svc-b')
    expect(r.session.gateways!.sockets).toEqual([])
  })
})

describe('a bind error names the Gateway listener and the flag to change', () => {
  it('two listener ports mapped onto one taken port', async () => {
    const blocker = await echoUpstream('blocker')
    const yaml = gateway('a', httpListener('alt', 8001)) + route('ra', 'a', null, ['a.example.com'], 'svc-a')
    await expect(run(yaml, ['svc-a'], linux({listenerPorts: new Map([[8001, blocker.port]])}))).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${blocker.port} for Gateway listener default/a/alt \\(HTTP port 8001, port ${blocker.port}\\): address already in use.*--listener-port 8001=LOCAL`),
    )
    await blocker.close()
  })

  it('an address that is not on this machine (TEST-NET 192.0.2.1: bound, never sent to)', async () => {
    const yaml = gateway('a', httpListener('http', 80)) + gateway('b', httpListener('http', 80))
    await expect(run(yaml, [], linux({addresses: new Map([['default/b', '192.0.2.1']])}))).rejects.toThrow(
      /cannot listen on 192\.0\.2\.1:\d+ for Gateway listener default\/b\/http \(HTTP port 80, the --http-port port\): address not available\. To fix it, give the Gateway another address with --gateway-address default\/b=IP\./,
    )
  })
})

// conformance/tests/httproute-https-listener-detect-misdirected-requests.go
// (HTTPRouteHTTPSListenerDetectMisdirectedRequests): the SNI name picks the listener; a Host of
// another listener of the port gets 421, one the same listener takes (a wildcard) does not. The
// upstream table (MISDIRECTED_REQUESTS, asked over HTTP/2 in gateway-https.test.ts) over HTTP/1.1,
// on a Gateway with the same four listeners beside Ingresses on --bind.
describe('HTTPS: 421 for a Host of another listener than the SNI chose', () => {
  let sandbox: TlsSandbox
  let r: Running
  let port: number
  beforeAll(async () => {
    sandbox = tlsSandbox()
    const yaml =
      gateway('tls', httpsListener('https') + httpsListener('https-with-hostname', 'second-example.org') + httpsListener('https-with-wildcard-hostname', '*.wildcard.org') + httpsListener('https-with-hostname-matching-wildcard', 'fourth-example.wildcard.org')) +
      route('r1', 'tls', 'https', ['example.org'], 'svc-v1') +
      route('r2', 'tls', 'https-with-hostname', ['second-example.org'], 'svc-v2') +
      route('r3', 'tls', 'https-with-wildcard-hostname', ['*.wildcard.org'], 'svc-v3') +
      route('r5', 'tls', 'https-with-hostname-matching-wildcard', ['fourth-example.wildcard.org'], 'svc-v1') +
      gateway('tls2', httpsListener('alt', 'alt.example.org', 8443)) +
      route('r4', 'tls2', null, ['alt.example.org'], 'svc-v2') +
      ingress('web', [{host: 'ingress-only.example.org', service: 'svc-v1'}])
    r = await run(yaml, ['svc-v1', 'svc-v2', 'svc-v3'], linux({listenerPorts: new Map([[8443, 0]])}), {https: true, env: {...process.env, ...sandbox.env}})
    port = r.session.results[1]!.port
  })
  afterAll(async () => {
    await stop(r)
    sandbox?.cleanup()
  })

  // The upstream backends infra-backend-vN are the Services svc-vN here.
  const rows = MISDIRECTED_REQUESTS.map(([servername, host, status, backend]) => [servername, host, status, backend?.replace('infra-backend-', 'svc-') ?? null] as const)
  it.each([
    ...rows,
    // Not in the upstream table: on --bind the Ingresses answer the hosts no listener takes, whatever the SNI.
    ['second-example.org', 'ingress-only.example.org', 200, 'svc-v1'] as const,
  ])('SNI %s, Host %s → %i', async (servername, host, status, name) => {
    const reply = await get('127.0.0.1', port, host, '/', servername)
    expect(reply.status).toBe(status)
    expect(reply.name).toBe(name)
    if (status === 421) expect(reply.body).toContain(`opened for ${servername}`)
  })

  it('a WebSocket handshake gets the same 421 (upgrade.ts asks the same check)', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({host: '127.0.0.1', port, servername: 'example.org', rejectUnauthorized: false}, () => {
        socket.write('GET /ws HTTP/1.1\r\nHost: second-example.org\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
      })
      socket.setEncoding('utf8').once('data', (chunk: string) => {
        resolve(chunk.split('\r\n')[0]!)
        socket.destroy()
      })
      socket.on('error', reject)
      socket.setTimeout(5000, () => socket.destroy(new Error('timed out')))
    })
    expect(status).toBe('HTTP/1.1 421 Misdirected Request')
  })

  it('HTTP/2: the same, on :authority', async () => {
    expect((await getH2(port, 'example.org', 'second-example.org')).status).toBe(421)
    expect((await getH2(port, 'second-example.org', 'second-example.org')).name).toBe('svc-v2')
  })

  it('the 421 is logged on the Gateway side', async () => {
    await get('127.0.0.1', port, 'second-example.org', '/misdirected', 'example.org')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const event = r.json.find((e) => e.type === 'request' && e.path === '/misdirected')
    expect(event?.status).toBe(421)
    expect(event?.side).toBe('gateway default/tls')
  })

  it('an HTTPS listener of port 8443 on the second Gateway: its own TLS socket on 127.0.0.2, a trusted certificate for its hostname', async () => {
    const alt = socketOf(r, '127.0.0.2', 8443)
    const served = await handshake(alt, 'alt.example.org', readFileSync(sandbox.caFile, 'utf8'), {host: '127.0.0.2'})
    expect(served.error).toBeNull()
    expect(served.authorized).toBe(true)
    expect(served.cert?.subjectAltName).toContain('DNS:alt.example.org')
    expect(served.alpn).toBe('h2')
    const reply = await get('127.0.0.2', alt, 'alt.example.org', '/', 'alt.example.org')
    expect(reply.name).toBe('svc-v2')
    expect(r.session.readyLine()).toContain(`gateway default/tls2 https://127.0.0.2:${alt}`)
  })
})

describe('live reload', () => {
  let r: Running
  let port: number
  beforeAll(async () => {
    r = await run(gateway('a', httpListener('http', 80)) + route('ra', 'a', null, ['a.example.com'], 'svc-a'), ['svc-a', 'svc-b'], linux(), {watch: true})
    port = r.session.results[0]!.port
  })
  afterAll(() => stop(r))

  it('a reload that changes routes applies at once; one that adds a Gateway opens its address, one that removes it closes it', async () => {
    const reloaded = (generation: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reload')), 8000)
        const off = r.session.bus.on('reload', (e) => {
          if (e.generation < generation) return
          clearTimeout(timer)
          off()
          resolve()
        })
      })
    const save = async (yaml: string) => {
      const wait = reloaded(r.session.runtime.current.generation + 1)
      await saveByRename(r.file, service('svc-a') + service('svc-b') + yaml)
      await wait
      await r.session.gateways!.settled()
    }
    const a = gateway('a', httpListener('http', 80))
    await save(a + route('ra', 'a', null, ['a.example.com'], 'svc-b'))
    expect((await get('127.0.0.1', port, 'a.example.com')).name).toBe('svc-b')

    // A Gateway that sorts first is added: default/a keeps --bind, the new one gets 127.0.0.2.
    await save(gateway('0-first', httpListener('http', 80)) + a + route('ra', 'a', null, ['a.example.com'], 'svc-b') + route('rz', '0-first', null, ['a.example.com'], 'svc-a'))
    expect(r.session.gatewayAddress('default/a')).toBe('127.0.0.1')
    expect(r.session.gatewayAddress('default/0-first')).toBe('127.0.0.2')
    expect((await get('127.0.0.1', port, 'a.example.com')).name).toBe('svc-b')
    expect((await get('127.0.0.2', port, 'a.example.com')).name).toBe('svc-a')
    expect(r.session.readyLine()).toContain(`gateway default/0-first http://127.0.0.2:${port}`)

    // And removed again: its socket closes.
    await save(a + route('ra', 'a', null, ['a.example.com'], 'svc-b'))
    expect(r.session.gateways!.sockets).toEqual([])
    await expect(get('127.0.0.2', port, 'a.example.com')).rejects.toThrow(/ECONNREFUSED/)
    expect((await get('127.0.0.1', port, 'a.example.com')).name).toBe('svc-b')
  })
})

describe('a reload that moves a listener to another port', () => {
  let r: Running
  let silent: Server
  const held: Socket[] = []
  const routes = (port: number) => gateway('a', httpListener('alt', port)) + route('ra', 'a', null, ['a.example.com'], 'svc-a') + route('rs', 'a', null, ['slow.example.com'], 'svc-silent')
  beforeAll(async () => {
    // A backend that accepts and never answers: a request to it stays in flight until the drain ends.
    silent = createNetServer((socket) => held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const silentPort = (silent.address() as AddressInfo).port
    r = await run(service('svc-silent') + routes(8000), ['svc-a'], linux({listenerPorts: new Map([[8000, 0], [8001, 0]])}), {watch: true, backends: [`default/svc-silent=127.0.0.1:${silentPort}`]})
  })
  afterAll(async () => {
    await stop(r)
    for (const s of held) s.destroy()
    silent?.close()
  })

  it('opens the new socket at once, while the old one drains its requests in flight', async () => {
    const socketFor = (gatewayPort: number) => r.session.gateways!.sockets.find((s) => s.planned.gatewayPort === gatewayPort)
    const old = socketFor(8000)!.result.port
    // In flight on the old socket: the old socket drains it for up to drainMs (1 s here).
    const waiting = get('127.0.0.1', old, 'slow.example.com').catch(() => null)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const generation = r.session.runtime.current.generation
    await saveByRename(r.file, service('svc-a') + service('svc-silent') + routes(8001))
    const deadline = Date.now() + 8000
    while (r.session.runtime.current.generation === generation && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    const reloadedAt = Date.now()
    while (socketFor(8001) === undefined && Date.now() - reloadedAt < 700) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(socketFor(8001), 'the new socket opens before the old one has drained').toBeDefined()
    expect((await get('127.0.0.1', socketFor(8001)!.result.port, 'a.example.com')).name).toBe('svc-a')
    await r.session.gateways!.settled()
    expect(socketFor(8000)).toBeUndefined()
    await waiting
  })
})
