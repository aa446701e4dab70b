import {connect, createServer, type Http2SecureServer} from 'node:http2'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {ProxyListener} from '../../src/proxy/listener.js'
import {echoUpstream, ingress, startProxy, type ProxyUnderTest, type Upstream} from './helpers.js'

/**
 * The handler serves HTTP/2 too (the TLS listener wraps it around http2.createSecureServer with
 * allowHTTP1). Proven here over cleartext HTTP/2, which takes the same compat request/response API.
 */
describe('the proxy handler behind an HTTP/2 server', () => {
  let upstream: Upstream
  let proxy: ProxyUnderTest
  let listener: ProxyListener

  beforeAll(async () => {
    upstream = await echoUpstream('h2')
    proxy = await startProxy({yaml: [ingress('h2', [{host: 'h2.test', service: 'up'}])], backends: [`up=127.0.0.1:${upstream.port}`]})
    listener = new ProxyListener(proxy.session.runtime, createServer() as unknown as Http2SecureServer, 'https')
    await listener.listen({port: 0, bind: '127.0.0.1', explicit: true, fallbackPort: 0, flag: '--https-port'})
  })
  afterAll(async () => {
    await listener.close(1000)
    await proxy.close()
    await upstream.close()
  })

  function get(path: string, headers: Record<string, string> = {}): Promise<{status: number; headers: Record<string, unknown>; body: string}> {
    return new Promise((resolve, reject) => {
      const session = connect(`http://127.0.0.1:${listener.result!.port}`)
      session.on('error', reject)
      const stream = session.request({':path': path, ':authority': 'h2.test', ...headers})
      let body = ''
      let head: Record<string, unknown> = {}
      stream.on('response', (h) => (head = h))
      stream.setEncoding('utf8').on('data', (c: string) => (body += c))
      stream.on('end', () => {
        session.close()
        resolve({status: Number(head[':status']), headers: head, body})
      })
      stream.on('error', reject)
      stream.end()
    })
  }

  it('forwards with Host from :authority and X-Forwarded-Proto https, and strips connection headers', async () => {
    const reply = await get('/x?y=1')
    expect(reply.status).toBe(200)
    const seen = JSON.parse(reply.body) as {url: string; headers: Record<string, string>}
    expect(seen.url).toBe('/x?y=1')
    expect(seen.headers.host).toBe('h2.test')
    expect(seen.headers['x-forwarded-proto']).toBe('https')
    expect(seen.headers['x-forwarded-scheme']).toBe('https')
    expect(seen.headers['x-scheme']).toBe('https')
    // nginx.tmpl sets neither on the answer.
    expect(reply.headers.via).toBeUndefined()
    expect(reply.headers['x-request-id']).toBeUndefined()
  })

  it('answers error pages over HTTP/2 too', async () => {
    const reply = await get('/', {':authority': 'nowhere.test', accept: 'application/json'})
    expect(reply.status).toBe(404)
    expect(JSON.parse(reply.body).error).toBe('no-route')
  })
})
