import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {echoUpstream, FIXTURES, jsonOf, send, startProxy, type ProxyUnderTest, type Upstream} from './helpers.js'

describe('routing through the live proxy (the blue/green fixtures)', () => {
  let blue: Upstream
  let green: Upstream
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    blue = await echoUpstream('blue')
    green = await echoUpstream('green')
    proxy = await startProxy({
      files: [join(FIXTURES, 'virtual-host-ingress.yaml'), join(FIXTURES, 'fan-out-ingress.yaml')],
      backends: [`webserver-blue-svc=127.0.0.1:${blue.port}`, `webserver-green-svc:80=127.0.0.1:${green.port}`],
    })
  })
  afterAll(async () => {
    await proxy.close()
    await Promise.all([blue.close(), green.close()])
  })

  it('routes virtual hosts by the Host header (any case, with a port)', async () => {
    expect(jsonOf(await send(proxy.port, {headers: {host: 'blue.example.com'}})).name).toBe('blue')
    expect(jsonOf(await send(proxy.port, {headers: {host: 'Green.Example.COM:8080'}, path: '/x/y?z=1'})).name).toBe('green')
  })

  it('fans out by path on one host (ImplementationSpecific is Prefix: /blueberry is a 404)', async () => {
    const b = jsonOf(await send(proxy.port, {headers: {host: 'example.com'}, path: '/blue/index.html?q=1'}))
    expect(b.name).toBe('blue')
    expect(b.url).toBe('/blue/index.html?q=1')
    expect(jsonOf(await send(proxy.port, {headers: {host: 'example.com'}, path: '/green'})).name).toBe('green')
    expect((await send(proxy.port, {headers: {host: 'example.com'}, path: '/red'})).status).toBe(404)
    // internal/k8s/main.go SetDefaultNGINXPathType: location /blue/ and = /blue, no string prefix.
    expect((await send(proxy.port, {headers: {host: 'example.com'}, path: '/blueberry'})).status).toBe(404)
  })

  it('matches on the normalised path: /blue/../green is green, /x/../blue is blue', async () => {
    expect(jsonOf(await send(proxy.port, {headers: {host: 'example.com'}, path: '/blue/../green'})).name).toBe('green')
    expect(jsonOf(await send(proxy.port, {headers: {host: 'example.com'}, path: '/x/%2e%2e/blue'})).name).toBe('blue')
    // ngx_http_parse_complex_uri: a `..` above the root is a 400, not a clamp to `/`.
    expect((await send(proxy.port, {headers: {host: 'example.com'}, path: '/blue/../../red'})).status).toBe(400)
  })

  // The proxy_set_header list of ingress-nginx's location block (rootfs/etc/nginx/template/nginx.tmpl);
  // a generated id is nginx's $request_id (ngx_http_variables.c, ngx_http_variable_request_id).
  it('preserves Host and sets X-Forwarded-*, X-Scheme, X-Real-IP and a generated X-Request-ID; adds no Via and echoes nothing', async () => {
    const reply = await send(proxy.port, {headers: {host: 'blue.example.com:81', 'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'https', proxy: 'http://evil.test:3128'}})
    const seen = jsonOf(reply).headers as Record<string, string>
    expect(seen.host).toBe('blue.example.com:81')
    expect(seen['x-forwarded-for']).toBe('127.0.0.1')
    expect(seen['x-original-forwarded-for']).toBe('10.1.2.3')
    expect(seen['x-forwarded-proto']).toBe('http')
    expect(seen['x-forwarded-host']).toBe('blue.example.com:81')
    expect(seen['x-forwarded-port']).toBe(String(proxy.port))
    expect(seen['x-forwarded-scheme']).toBe('http')
    expect(seen['x-scheme']).toBe('http')
    expect(seen['x-real-ip']).toBe('127.0.0.1')
    expect(seen.proxy).toBeUndefined()
    expect(seen.via).toBeUndefined()
    expect(seen['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
    expect(reply.headers['x-request-id']).toBeUndefined()
    expect(reply.headers.via).toBeUndefined()
    expect(reply.headers['x-upstream']).toBe('blue')
  })

  it('keeps the client X-Request-ID', async () => {
    const reply = await send(proxy.port, {headers: {host: 'blue.example.com', 'x-request-id': 'abc-123'}})
    expect((jsonOf(reply).headers as Record<string, string>)['x-request-id']).toBe('abc-123')
    // ingress-nginx only sends it upstream; a backend that echoes it does so itself.
    expect(reply.headers['x-request-id']).toBeUndefined()
  })

  it('drops hop-by-hop headers, including the ones Connection lists', async () => {
    const reply = await send(proxy.port, {
      headers: {host: 'blue.example.com', connection: 'keep-alive, X-Secret-Hop', 'x-secret-hop': '1', 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eA==', 'x-end-to-end': 'kept'},
    })
    const seen = jsonOf(reply).headers as Record<string, string>
    expect(seen['x-secret-hop']).toBeUndefined()
    expect(seen['keep-alive']).toBeUndefined()
    expect(seen.te).toBeUndefined()
    expect(seen['proxy-authorization']).toBeUndefined()
    expect(seen['x-end-to-end']).toBe('kept')
  })

  it('logs one line per request with status, upstream and request id', async () => {
    await send(proxy.port, {headers: {host: 'green.example.com', 'x-request-id': 'log-me'}, path: '/logged'})
    await new Promise((r) => setImmediate(r))
    const line = proxy.log.find((l) => l.includes('id=log-me'))
    expect(line).toMatch(new RegExp(`200 GET green\\.example\\.com/logged \\d+B [\\d.]+ms → 127\\.0\\.0\\.1:${green.port} \\(webserver-green-svc:80\\)`))
  })
})
