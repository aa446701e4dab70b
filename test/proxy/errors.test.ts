import {createServer as createTcpServer, type AddressInfo, type Server as TcpServer} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ingress, jsonOf, send, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'

describe('error pages: which rule, which backend, what to do', () => {
  let slow: Upstream
  let garbage: TcpServer
  let phrase: TcpServer
  let deadPort: number
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    // Never answers: the 504 case.
    slow = await startUpstream(() => {})
    // Not an HTTP server at all.
    garbage = createTcpServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'))
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', () => resolve()))
    // A reason phrase with a control character: llhttp takes any byte but CR and LF there, Node's writeHead does not.
    phrase = createTcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 O\x01K\r\nContent-Length: 2\r\n\r\nok', 'latin1')))
    await new Promise<void>((resolve) => phrase.listen(0, '127.0.0.1', () => resolve()))
    const dead = await startUpstream(() => {})
    deadPort = dead.port
    await dead.close()
    proxy = await startProxy({
      yaml: [
        ingress('pages', [
          {host: 'slow.test', service: 'slow'},
          {host: 'dead.test', service: 'dead'},
          {host: 'nobody.test', service: 'webserver-blue-svc'},
          {host: 'nobody.test', path: '/only', pathType: 'Exact', service: 'slow'},
          {host: 'garbage.test', service: 'garbage'},
          {host: 'phrase.test', service: 'phrase'},
        ]),
      ],
      backends: [`slow=127.0.0.1:${slow.port}`, `dead=127.0.0.1:${deadPort}`, `garbage=127.0.0.1:${(garbage.address() as AddressInfo).port}`, `phrase=127.0.0.1:${(phrase.address() as AddressInfo).port}`],
      timeouts: {headersMs: 400},
    })
  })
  afterAll(async () => {
    await proxy.close()
    await slow.close()
    garbage.close()
    phrase.close()
  })

  it('404 as HTML for browsers, listing the hosts served', async () => {
    const reply = await send(proxy.port, {headers: {host: 'unknown.test', accept: 'text/html,application/xhtml+xml,*/*;q=0.8'}, path: '/x'})
    expect(reply.status).toBe(404)
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(reply.body).toContain('<h1>404 No route</h1>')
    expect(reply.body).toContain('No rule is for host &#34;unknown.test&#34;')
    expect(reply.body).toContain('dead.test, garbage.test, nobody.test, phrase.test, slow.test')
    expect(reply.headers['x-request-id']).toBeTruthy()
    expect(reply.headers.server).toBe('kingress')
  })

  it('404 as JSON when asked, with the rules considered', async () => {
    const reply = await send(proxy.port, {headers: {host: 'slow.test', accept: 'application/json'}, path: '/'})
    expect(reply.status).toBe(504)
    const notFound = await send(proxy.port, {headers: {host: 'nobody.test', accept: 'application/json'}, path: '/only/more'})
    expect(notFound.status).toBe(503) // the Prefix / rule still matches: no endpoints
    const none = await send(proxy.port, {headers: {host: 'missing.test', accept: 'application/json'}})
    expect(none.status).toBe(404)
    const page = jsonOf(none)
    expect(page.error).toBe('no-route')
    expect(page.hint).toContain('Request one of the hosts served')
  })

  it('404 as plain text otherwise', async () => {
    const reply = await send(proxy.port, {headers: {host: 'missing.test'}})
    expect(reply.status).toBe(404)
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(reply.body.split('\n')[0]).toBe('404 No route')
    expect(reply.body).toContain('what to do:')
  })

  it('503 when the Service has no endpoints: says which rule and how to fix it', async () => {
    const reply = await send(proxy.port, {headers: {host: 'nobody.test', accept: 'application/json'}, path: '/page'})
    expect(reply.status).toBe(503)
    const page = jsonOf(reply)
    expect(page.error).toBe('no-endpoints')
    expect(page.rule).toMatch(/^Ingress default\/pages \(.*manifest-0\.yaml:\d+\), rule nobody\.test \/ \(Prefix\)$/)
    expect(page.backend).toContain('Service webserver-blue-svc:80')
    expect(page.hint).toContain('--backend webserver-blue-svc=127.0.0.1:3000')
  })

  it('502 when the endpoint refuses the connection, as HTML', async () => {
    const reply = await send(proxy.port, {headers: {host: 'dead.test', accept: 'text/html'}})
    expect(reply.status).toBe(502)
    expect(reply.body).toContain('ECONNREFUSED')
    expect(reply.body).toContain(`127.0.0.1:${deadPort}`)
    expect(reply.body).toContain('Service dead:80')
    expect(reply.body).toContain('What to do:')
  })

  it('502 as JSON, with the endpoints tried', async () => {
    const page = jsonOf(await send(proxy.port, {headers: {host: 'dead.test', accept: 'application/json'}, method: 'POST', body: 'x'}))
    expect(page.status).toBe(502)
    expect(page.error).toBe('connection-refused')
    expect(page.endpoints).toEqual([`127.0.0.1:${deadPort}`])
  })

  it('504 when the endpoint does not answer within the read timeout', async () => {
    const started = Date.now()
    const reply = await send(proxy.port, {headers: {host: 'slow.test', accept: 'text/html'}})
    expect(reply.status).toBe(504)
    expect(Date.now() - started).toBeGreaterThanOrEqual(350)
    expect(reply.body).toContain('Gateway timeout')
    expect(reply.body).toContain('did not answer in time')
  })

  // src/proxy/failure.ts: only a header value a route set is the rule's fault (unsendable-header);
  // src/proxy/upstream/response-head.ts refuses the status line.
  it('502 bad-response when the endpoint\'s reason phrase has a control character, naming the endpoint', async () => {
    const page = jsonOf(await send(proxy.port, {headers: {host: 'phrase.test', accept: 'application/json'}}))
    expect(page.status).toBe(502)
    expect(page.error).toBe('bad-response')
    expect(page.message).toContain('the reason phrase has a control character')
  })

  it('502 when the endpoint does not speak HTTP', async () => {
    const page = jsonOf(await send(proxy.port, {headers: {host: 'garbage.test', accept: 'application/json'}}))
    expect(page.status).toBe(502)
    expect(page.error).toBe('bad-response')
    expect(page.hint).toContain('is an HTTP server')
  })
})
