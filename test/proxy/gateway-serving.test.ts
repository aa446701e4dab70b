import {readFileSync, writeFileSync} from 'node:fs'
import {request as httpsRequest} from 'node:https'
import {connect} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {MATCHING_ACROSS_ROUTES, REDIRECT_PATH} from '../gateway/conformance-tables.js'
import {handshake, tlsSandbox, type TlsSandbox} from './https-support.js'
import {ask, CONFORMANCE, INFRA, onLaptop, serve, type Echo} from './gateway-support.js'
import {echoUpstream, ingress, jsonOf, send, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'

/**
 * HTTPRoutes on Gateway listeners of port 80, served by the real proxy on its HTTP listener. Each
 * describe reproduces the request table of the upstream conformance test it is named after
 * (kubernetes-sigs/gateway-api conformance/tests/*.go) against the same manifests
 * (fixtures/gateway-conformance), with echo upstreams on 127.0.0.1 behind infra-backend-v1/v2/v3.
 */

describe('HTTPRouteSimpleSameNamespace', () => {
  const served = serve(['httproute-simple-same-namespace.yaml'])
  it('GET / reaches infra-backend-v1', async () => {
    const {reply, echo} = await ask(served, '/')
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe('infra-backend-v1')
    expect(echo?.url).toBe('/')
  })
  it('the access log names the HTTPRoute that answered', async () => {
    await ask(served, '/logged')
    await new Promise((r) => setTimeout(r, 50))
    expect(served.proxy.log.some((l) => l.includes('/logged') && l.includes(`(infra-backend-v1:8080) via HTTPRoute ${INFRA}/gateway-conformance-infra-test rule 0 on Gateway listener ${INFRA}/same-namespace/http`))).toBe(true)
  })
})

describe('HTTPRouteMatchingAcrossRoutes', () => {
  const served = serve(['httproute-matching-across-routes.yaml'])
  it.each(MATCHING_ACROSS_ROUTES.map(([req, expected]) => [req, expected] as const))('%j → %s', async (req, expected) => {
    const {reply, echo} = await ask(served, req.path, req.headers ?? {}, req.host)
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe(expected)
  })
})

// httproute-request-header-modifier.go: HTTPRouteBackendRequestHeaderModifier runs the same test on the backendRef-level manifests.
for (const [shortName, file] of [
  ['HTTPRouteRequestHeaderModifier', 'httproute-request-header-modifier.yaml'],
  ['HTTPRouteBackendRequestHeaderModifier', 'httproute-request-header-modifier-backend.yaml'],
] as const) describe(shortName, () => {
  const served = serve([file])
  it.each([
    ['/set', {'Some-Other-Header': 'val'}, {'some-other-header': 'val', 'x-header-set': 'set-overwrites-values'}, []],
    ['/set', {'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value'}, {'some-other-header': 'val', 'x-header-set': 'set-overwrites-values'}, []],
    ['/add', {'Some-Other-Header': 'val'}, {'some-other-header': 'val', 'x-header-add': 'add-appends-values'}, []],
    ['/add', {'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value'}, {'some-other-header': 'val', 'x-header-add': 'some-other-value,add-appends-values'}, []],
    ['/remove', {'X-Header-Remove': 'val'}, {}, ['x-header-remove']],
    [
      '/multiple',
      {'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val'},
      {'x-header-set-1': 'header-set-1', 'x-header-set-2': 'header-set-2', 'x-header-add-1': 'header-add-1', 'x-header-add-2': 'add-val-2,header-add-2', 'x-header-add-3': 'header-add-3', 'another-header': 'another-header-val'},
      ['x-header-remove-1', 'x-header-remove-2'],
    ],
    ['/case-insensitivity', {'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val'}, {'x-header-set': 'header-set', 'x-header-add': 'original-val-add,header-add', 'another-header': 'another-header-val'}, ['x-header-remove']],
  ] as const)('%s %j reaches infra-backend-v1 with %j', async (path, sent, expected, absent) => {
    const {reply, echo} = await ask(served, path, sent)
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe('infra-backend-v1')
    expect(echo?.url).toBe(path)
    for (const [name, value] of Object.entries(expected)) expect(echo?.headers[name], name).toBe(value)
    for (const name of absent) expect(echo?.headers[name], name).toBeUndefined()
  })
})

describe('HTTPRouteRewritePath', () => {
  const served = serve(['httproute-rewrite-path.yaml'])
  it.each([
    ['/prefix/one/two', '/one/two'],
    ['/strip-prefix/three', '/three'],
    ['/strip-prefix', '/'],
    ['/full/one/two', '/one'],
  ])('%s reaches infra-backend-v1 as %s', async (path, upstream) => {
    const {reply, echo} = await ask(served, path)
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe('infra-backend-v1')
    expect(echo?.url).toBe(upstream)
  })
  it.each([
    ['/full/rewrite-path-and-modify-headers/test', '/test'],
    ['/prefix/rewrite-path-and-modify-headers/one', '/prefix/one'],
  ])('%s reaches infra-backend-v1 as %s, its headers modified', async (path, upstream) => {
    const {reply, echo} = await ask(served, path, {'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1', 'X-Header-Set': 'set-val'})
    expect(reply.status).toBe(200)
    expect(echo?.url).toBe(upstream)
    expect(echo?.headers['x-header-add']).toBe('header-val-1')
    expect(echo?.headers['x-header-add-append']).toBe('append-val-1,header-val-2')
    expect(echo?.headers['x-header-set']).toBe('set-overwrites-values')
    expect(echo?.headers['x-header-remove']).toBeUndefined()
  })
})

describe('HTTPRouteRedirectPath', () => {
  const served = serve(['httproute-redirect-path.yaml'])
  it.each(REDIRECT_PATH.map((row) => [...row] as const))('%s → %i %s', async (path, status, location) => {
    const {reply, echo} = await ask(served, path)
    expect(echo).toBeNull()
    expect(reply.status).toBe(status)
    expect(reply.headers.location).toBe(onLaptop(location, served.proxy.port))
  })
})

/** The conformance echo server's X-Echo-Set-Header: `Name:value,Name2:value2` become response headers. */
function settingUpstream(name: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    const headers: [string, string][] = [['content-type', 'application/json'], ['x-upstream', name]]
    const spec = req.headers['x-echo-set-header']
    for (const pair of typeof spec === 'string' && spec !== '' ? spec.split(',') : []) {
      const colon = pair.indexOf(':')
      headers.push([pair.slice(0, colon), pair.slice(colon + 1)])
    }
    res.writeHead(200, headers.flat())
    res.end(JSON.stringify({name, method: req.method, url: req.url, headers: req.headers}))
  })
}

describe('HTTPRouteResponseHeaderModifier', () => {
  const served = serve(['httproute-response-header-modifier.yaml'], {upstream: settingUpstream})
  const backendSets = (headers: Record<string, string>) => ({'X-Echo-Set-Header': Object.entries(headers).map(([k, v]) => `${k}:${v}`).join(',')})
  it.each<[string, Record<string, string>, Record<string, string>, string[]]>([
    ['/set', {'Some-Other-Header': 'val'}, {'some-other-header': 'val', 'x-header-set': 'set-overwrites-values'}, []],
    ['/set', {'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value'}, {'some-other-header': 'val', 'x-header-set': 'set-overwrites-values'}, []],
    ['/add', {'Some-Other-Header': 'val'}, {'some-other-header': 'val', 'x-header-add': 'add-appends-values'}, []],
    ['/add', {'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value'}, {'some-other-header': 'val', 'x-header-add': 'some-other-value,add-appends-values'}, []],
    ['/remove', {'X-Header-Remove': 'val'}, {}, ['x-header-remove']],
    [
      '/multiple',
      {'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val', 'X-Header-Remove-1': 'val'},
      {'x-header-set-1': 'header-set-1', 'x-header-set-2': 'header-set-2', 'x-header-add-1': 'header-add-1', 'x-header-add-2': 'add-val-2,header-add-2', 'x-header-add-3': 'header-add-3', 'another-header': 'another-header-val'},
      ['x-header-remove-1', 'x-header-remove-2'],
    ],
    [
      '/case-insensitivity',
      {'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val'},
      {'x-header-set': 'header-set', 'x-header-add': 'original-val-add,header-add', 'x-lowercase-add': 'lowercase-add', 'x-mixedcase-add-1': 'mixedcase-add-1', 'x-mixedcase-add-2': 'mixedcase-add-2', 'x-uppercase-add': 'uppercase-add', 'another-header': 'another-header-val'},
      ['x-header-remove'],
    ],
  ])('%s, the backend setting %j, answers %j', async (path, backendHeaders, expected, absent) => {
    const {reply, echo} = await ask(served, path, backendSets(backendHeaders))
    expect(reply.status).toBe(200)
    expect(echo?.name).toBe('infra-backend-v1')
    for (const [name, value] of Object.entries(expected)) expect(reply.headers[name], name).toBe(value)
    for (const name of absent) expect(reply.headers[name], name).toBeUndefined()
  })
  it('/response-and-request-header-modifiers edits both ways', async () => {
    const {reply, echo} = await ask(served, '/response-and-request-header-modifiers', {
      'X-Header-Remove': 'remove-val',
      'X-Header-Add-Append': 'append-val-1',
      'X-Header-Echo': 'echo',
      ...backendSets({'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val', 'X-Header-Remove-1': 'remove-val-1', 'X-Header-Echo': 'echo'}),
    })
    expect(reply.status).toBe(200)
    expect(echo?.headers).toMatchObject({'x-header-add': 'header-val-1', 'x-header-set': 'set-overwrites-values', 'x-header-add-append': 'append-val-1,header-val-2', 'x-header-echo': 'echo'})
    expect(echo?.headers['x-header-remove']).toBeUndefined()
    expect(reply.headers).toMatchObject({'x-header-set-1': 'header-set-1', 'x-header-set-2': 'header-set-2', 'x-header-add-1': 'header-add-1', 'x-header-add-2': 'add-val-2,header-add-2', 'another-header': 'another-header-val', 'x-header-echo': 'echo'})
    expect(reply.headers['x-header-remove-1']).toBeUndefined()
    expect(reply.headers['x-header-remove-2']).toBeUndefined()
  })
})

const route = (name: string, hostnames: string[], rules: string): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: ${INFRA}
spec:
  parentRefs:
  - name: same-namespace
  hostnames: [${hostnames.join(', ')}]
  rules:
${rules}`

describe('a host named by both an Ingress and an HTTPRoute: the Gateway answers for the hosts its routes name', () => {
  const served = serve([], {
    services: ['infra-backend-v1', 'ingress-web'],
    yaml: [
      route('both', ['both.example.com'], '  - backendRefs:\n    - name: infra-backend-v1\n      port: 8080\n'),
      ingress('web', [{host: 'both.example.com', service: 'ingress-web'}, {host: 'ingress.example.com', service: 'ingress-web'}]),
    ],
  })
  it('both.example.com: the HTTPRoute', async () => {
    const {echo} = await ask(served, '/x', {}, 'both.example.com')
    expect(echo?.name).toBe('infra-backend-v1')
  })
  it('ingress.example.com: no route of the Gateway names it, so the Ingress serves it as before', async () => {
    const {echo} = await ask(served, '/x', {}, 'ingress.example.com')
    expect(echo?.name).toBe('ingress-web')
    expect(echo?.url).toBe('/x')
  })
  it('a host nobody names: the Ingress 404 page, as without Gateways', async () => {
    const {reply} = await ask(served, '/', {}, 'nobody.example.com')
    expect(reply.status).toBe(404)
    expect(reply.body).toContain('No rule is for host "nobody.example.com"')
  })
})

describe('Gateway answers kingress gives itself: 404, 500 for an invalid backend share, 503 without endpoints', () => {
  const served = serve([], {
    services: ['infra-backend-v1'],
    yaml: [
      route(
        'answers',
        ['answers.example.com'],
        `  - matches:
    - path: {type: PathPrefix, value: /ok}
    backendRefs:
    - name: infra-backend-v1
      port: 8080
  - matches:
    - path: {type: PathPrefix, value: /half}
    backendRefs:
    - name: infra-backend-v1
      port: 8080
      weight: 1
    - name: nothing
      kind: Unknown
      group: example.com
      port: 8080
      weight: 1
  - matches:
    - path: {type: PathPrefix, value: /idle}
    backendRefs:
    - name: infra-backend-v3
      port: 8080
`,
      ),
    ],
  })
  it('a path no rule matches: 404 naming the listener', async () => {
    const {reply} = await ask(served, '/nothing', {accept: 'text/plain'}, 'answers.example.com')
    expect(reply.status).toBe(404)
    expect(reply.body).toContain(`${INFRA}/same-namespace/http`)
  })
  it('an invalid backendRef gets 500 for its share of the traffic, the valid one the rest', async () => {
    const statuses = new Map<number, number>()
    for (let i = 0; i < 200; i++) {
      const {reply} = await ask(served, '/half', {accept: 'text/plain'}, 'answers.example.com')
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1)
      if (reply.status === 500) expect(reply.body).toContain(`HTTPRoute ${INFRA}/answers rule 1`)
    }
    expect([...statuses.keys()].sort()).toEqual([200, 500])
    expect(statuses.get(500)!).toBeGreaterThan(50)
    expect(statuses.get(200)!).toBeGreaterThan(50)
  })
  it('a Service without a ready endpoint: the 503 no-endpoints page, naming the route', async () => {
    const {reply} = await ask(served, '/idle', {accept: 'text/plain'}, 'answers.example.com')
    expect(reply.status).toBe(503)
    expect(reply.body).toContain('infra-backend-v3')
    expect(reply.body).toContain(`HTTPRoute ${INFRA}/answers rule 2`)
  })
  it('the RuntimeState carries the compiled Gateway table; the ready line lists the hosts HTTPRoutes answer', () => {
    expect(served.proxy.session.runtime.current.gateways.listeners.length).toBeGreaterThan(0)
    expect(served.proxy.session.readyLine()).toMatch(/\(routes: none; HTTPRoutes: answers\.example\.com\)$/)
  })
})

describe('an Ingress-only session', () => {
  let proxy: ProxyUnderTest
  let upstream: Upstream
  beforeAll(async () => {
    upstream = await echoUpstream('web')
    proxy = await startProxy({yaml: [ingress('web', [{host: 'web.example.com', service: 'web'}])], backends: [`web=127.0.0.1:${upstream.port}`]})
  })
  afterAll(async () => {
    await proxy?.close()
    await upstream?.close()
  })
  it('has no Gateway listener and serves its Ingress as before', async () => {
    expect(proxy.session.runtime.current.gateways.listeners).toEqual([])
    expect(proxy.session.readyLine()).toMatch(/\(routes: web\.example\.com\)$/)
    const reply = await send(proxy.port, {path: '/a?b=c', headers: {host: 'web.example.com'}})
    expect(reply.status).toBe(200)
    expect((jsonOf(reply) as unknown as Echo).url).toBe('/a?b=c')
  })
})

describe('an HTTPRoute on a Gateway listener of port 443, served on the HTTPS listener', () => {
  let sandbox: TlsSandbox
  let session: Session
  let upstream: Upstream
  beforeAll(async () => {
    sandbox = tlsSandbox()
    upstream = await echoUpstream('infra-backend-v1')
    const file = join(sandbox.dir, 'secure.yaml')
    writeFileSync(
      file,
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: secure
  namespace: ${INFRA}
spec:
  gatewayClassName: kingress
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    hostname: example.org
    tls:
      certificateRefs:
      - name: certificate
---
` +
        route('secure', ['example.org'], '  - backendRefs:\n    - name: infra-backend-v1\n      port: 8080\n').replace('- name: same-namespace', '- name: secure'),
    )
    const providers = await buildProviders({backends: [`${INFRA}/infra-backend-v1=127.0.0.1:${upstream.port}`], docker: false})
    session = await startSession({inputs: [join(CONFORMANCE, 'base.yaml'), file], providers, bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, drainMs: 2000, env: {...process.env, ...sandbox.env}})
  })
  afterAll(async () => {
    await session?.close()
    await upstream?.close()
    sandbox?.cleanup()
  })
  it('https://example.org/ reaches infra-backend-v1 with X-Forwarded-Proto https; plain HTTP is not that listener', async () => {
    const reply = await new Promise<{status: number; body: string}>((resolve, reject) => {
      const req = httpsRequest({host: '127.0.0.1', port: session.results[1]!.port, path: '/s', servername: 'example.org', headers: {host: 'example.org'}, rejectUnauthorized: false, agent: false}, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c: string) => (body += c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      })
      req.on('error', reject)
      req.setTimeout(5000, () => req.destroy(new Error('timed out')))
      req.end()
    })
    expect(reply.status).toBe(200)
    const echo = JSON.parse(reply.body) as Echo
    expect(echo.name).toBe('infra-backend-v1')
    expect(echo.headers['x-forwarded-proto']).toBe('https')
    const plain = await send(session.results[0]!.port, {path: '/s', headers: {host: 'example.org'}, timeoutMs: 5000})
    expect(plain.status).toBe(404)
  })

  // The listener's certificateRef is not loaded (it lives in the cluster): the local CA mints one for the listener's hostname, as for an Ingress spec.tls host without its Secret.
  it('the HTTPS listener hostname gets a certificate from the local CA', async () => {
    const served = await handshake(session.results[1]!.port, 'example.org', readFileSync(sandbox.caFile, 'utf8'))
    expect(served.error).toBeNull()
    expect(served.authorized).toBe(true)
    expect(served.cert?.subjectAltName).toContain('DNS:example.org')
  })

  it('--hosts would write the hostnames HTTPRoutes answer for', () => {
    expect(session.runtime.current.hosts).toContain('example.org')
  })
})

/** The conformance echo server's `?delay=1s`: wait that long before answering. */
function delayingUpstream(name: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    const delay = /[?&]delay=(\d+)(ms|s)/.exec(req.url ?? '')
    const ms = delay === null ? 0 : Number(delay[1]) * (delay[2] === 's' ? 1000 : 1)
    const timer = setTimeout(() => {
      res.writeHead(200, {'content-type': 'application/json', 'x-upstream': name})
      res.end(JSON.stringify({name, url: req.url, headers: req.headers}))
    }, ms)
    res.on('close', () => clearTimeout(timer))
  })
}

for (const [shortName, file, prefix, message] of [
  ['HTTPRouteTimeoutRequest', 'httproute-timeout-request.yaml', 'request-timeout', "no complete answer within 500 ms, the rule's timeouts.request"],
  ['HTTPRouteTimeoutBackendRequest', 'httproute-timeout-backend-request.yaml', 'backend-timeout', "no response head within 500 ms, the rule's timeouts"],
] as const) {
  describe(shortName, () => {
    const served = serve([file], {upstream: delayingUpstream})
    it.each([
      [`/${prefix}`, 200],
      [`/${prefix}?delay=1s`, 504],
      [`/disable-${prefix}?delay=1s`, 200],
    ])('%s → %i', async (path, status) => {
      const {reply} = await ask(served, path, {accept: 'text/plain'})
      expect(reply.status).toBe(status)
      if (status === 504) expect(reply.body).toContain(message)
    })
  })
}

/** Reads the whole body, then answers; `?trickle=1` sends the response body in 10 parts, 100 ms apart. */
function pacedUpstream(name: string): Promise<Upstream> {
  return startUpstream((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, {'content-type': 'text/plain', 'x-upstream': name})
      if (!(req.url ?? '').includes('trickle=1')) return res.end('done')
      let sent = 0
      const timer = setInterval(() => {
        res.write(`part ${sent}\n`)
        if (++sent === 10) {
          clearInterval(timer)
          res.end()
        }
      }, 100)
      res.on('close', () => clearInterval(timer))
    })
  })
}

/** A raw HTTP/1.1 exchange whose request body goes out in `parts` chunks `gapMs` apart; resolves with what came back and whether the connection ended cleanly. */
function slowClient(port: number, path: string, parts: number, gapMs: number): Promise<{text: string; ms: number}> {
  return new Promise((resolve) => {
    const start = Date.now()
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: example.com\r\nAccept: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`)
      let sent = 0
      const timer = setInterval(() => {
        if (socket.destroyed) return clearInterval(timer)
        socket.write(`5\r\nchunk\r\n`)
        if (++sent === parts) {
          clearInterval(timer)
          socket.write('0\r\n\r\n')
        }
      }, gapMs)
      socket.on('close', () => clearInterval(timer))
    })
    let text = ''
    socket.setEncoding('utf8').on('data', (c: string) => {
      text += c
      // One answer is all this test needs: done once the page (or the whole body) is in.
      if (/\r\n0\r\n\r\n$/.test(text) || (/content-length: (\d+)/i.test(text) && text.split('\r\n\r\n')[1]!.length >= Number(/content-length: (\d+)/i.exec(text)![1]))) socket.end()
    })
    socket.on('close', () => resolve({text, ms: Date.now() - start}))
    socket.on('error', () => resolve({text, ms: Date.now() - start}))
    socket.setTimeout(5000, () => socket.destroy(new Error('timed out')))
  })
}

// httproute_types.go HTTPRouteTimeouts.Request: the whole request, from the client's first byte to the last byte of the answer.
describe('timeouts.request covers the request body and the response body', () => {
  const served = serve(['httproute-timeout-request.yaml'], {services: ['infra-backend-v1'], upstream: pacedUpstream})
  it('a request body still streaming after 500 ms: 504, the backend never answered', async () => {
    const {text, ms} = await slowClient(served.proxy.port, '/request-timeout', 10, 100)
    expect(text.startsWith('HTTP/1.1 504')).toBe(true)
    expect(text).toContain("timeouts.request")
    expect(ms).toBeLessThan(900)
  })
  it('the same body under "0s" (disabled) is answered', async () => {
    const {text} = await slowClient(served.proxy.port, '/disable-request-timeout', 10, 100)
    expect(text.startsWith('HTTP/1.1 200')).toBe(true)
  })
  it('a response body still streaming after 500 ms is cut there', async () => {
    const start = Date.now()
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(served.proxy.port, '127.0.0.1', () => socket.write('GET /request-timeout?trickle=1 HTTP/1.1\r\nHost: example.com\r\n\r\n'))
      let text = ''
      socket.setEncoding('utf8').on('data', (c: string) => (text += c))
      socket.on('close', () => resolve(text))
      socket.on('error', () => {})
      socket.setTimeout(5000, () => socket.destroy())
    })
    expect(outcome.startsWith('HTTP/1.1 200')).toBe(true)
    expect(outcome).not.toContain('part 9')
    expect(Date.now() - start).toBeLessThan(900)
    await new Promise((r) => setTimeout(r, 50))
    expect(served.proxy.log.some((l) => l.includes("timeouts.request (500 ms) passed mid-response"))).toBe(true)
  })
})

describe('HTTPRouteMethodMatching', () => {
  const served = serve(['httproute-method-matching.yaml'], {services: ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3']})
  it.each<[string, string, Record<string, string>, string | number]>([
    ['POST', '/', {}, 'infra-backend-v1'],
    ['GET', '/', {}, 'infra-backend-v2'],
    ['HEAD', '/', {}, 404],
    ['GET', '/path1', {}, 'infra-backend-v1'],
    ['PUT', '/', {version: 'one'}, 'infra-backend-v2'],
    ['POST', '/path2', {version: 'two'}, 'infra-backend-v3'],
    ['PATCH', '/path3', {}, 'infra-backend-v1'],
    ['DELETE', '/path4', {version: 'three'}, 'infra-backend-v1'],
    ['PUT', '/', {}, 404],
    ['DELETE', '/path4', {}, 404],
    ['PATCH', '/path5', {}, 'infra-backend-v1'],
    ['PATCH', '/', {version: 'four'}, 'infra-backend-v2'],
  ])('%s %s %j → %s', async (method, path, headers, expected) => {
    const reply = await send(served.proxy.port, {method, path, headers: {host: 'example.com', ...headers}, timeoutMs: 5000})
    if (typeof expected === 'number') {
      expect(reply.status).toBe(expected)
      expect(reply.headers['x-upstream']).toBeUndefined()
    } else {
      expect(reply.status).toBe(200)
      expect(reply.headers['x-upstream']).toBe(expected)
    }
  })
})

describe('HTTPRouteWeight', () => {
  const served = serve(['httproute-weight.yaml'], {services: ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3']})
  it('500 requests split 70/30/0 within 5 percentage points (upstream: totalRequests 500, tolerance 0.05, retried)', async () => {
    const expected = {'infra-backend-v1': 0.7, 'infra-backend-v2': 0.3, 'infra-backend-v3': 0}
    let last: Record<string, number> = {}
    for (let attempt = 0; attempt < 3; attempt++) {
      const counts: Record<string, number> = {}
      for (let i = 0; i < 50; i++) {
        const replies = await Promise.all(Array.from({length: 10}, () => send(served.proxy.port, {path: '/', headers: {host: 'example.com'}, timeoutMs: 5000})))
        for (const r of replies) counts[String(r.headers['x-upstream'])] = (counts[String(r.headers['x-upstream'])] ?? 0) + 1
      }
      last = counts
      if (Object.entries(expected).every(([name, share]) => Math.abs((counts[name] ?? 0) / 500 - share) <= 0.05) && Object.keys(counts).every((n) => n in expected)) return
    }
    throw new Error(`distribution off in 3 attempts: ${JSON.stringify(last)}`)
  })
})
