import {request} from 'node:http'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {rawExchange} from '../edge/support/raw-client.js'
import {ingress, send, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'

/**
 * An exception inside one exchange ends that exchange only: 500 (or its connection closed), logged
 * with the request id, while the process and every other request go on. The fault is injected into
 * the real route table of a real in-process proxy: the one place a request's own data reaches code
 * that could throw, and where a future bug would.
 */
describe('a failing exchange is contained', () => {
  let upstream: Upstream
  let proxy: ProxyUnderTest
  const errors: string[] = []
  beforeAll(async () => {
    // Answers once the whole body is in, as most backends do.
    upstream = await startUpstream((req, res) => {
      req.resume()
      req.on('end', () => res.end('ok'))
    })
    proxy = await startProxy({yaml: [ingress('c', [{host: 'ok.test', service: 'ok'}, {host: 'boom.test', service: 'ok'}])], backends: [`ok=127.0.0.1:${upstream.port}`], timeouts: {clientBodyMs: 300}})
    proxy.session.bus.on('error', (e) => errors.push(`${e.where}: ${e.message}`))
    const table = proxy.session.runtime.current.table
    const match = table.match.bind(table)
    table.match = (host, path) => {
      if (host === 'boom.test') throw new TypeError("Cannot read properties of undefined (reading 'endAfterHeaders')")
      return match(host, path)
    }
  })
  afterAll(async () => {
    await proxy.close()
    await upstream.close()
  })

  it('answers 500 with the request id, logs it, and serves the next request', async () => {
    const reply = await send(proxy.port, {headers: {host: 'boom.test', 'x-request-id': 'req-boom-1'}})
    expect(reply.status).toBe(500)
    expect(reply.headers['x-request-id']).toBe('req-boom-1')
    expect(reply.body).not.toMatch(/\n\s+at /)
    expect(errors.some((e) => e.startsWith('request req-boom-1: internal error'))).toBe(true)
    await new Promise((r) => setImmediate(r))
    expect(proxy.log.some((l) => l.startsWith('error request req-boom-1'))).toBe(true)
    expect((await send(proxy.port, {headers: {host: 'ok.test'}})).status).toBe(200)
  })

  it('a request on the same keep-alive connection after the failure is not served on it (the 500 closes it)', async () => {
    const result = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: boom.test\r\n\r\nGET / HTTP/1.1\r\nHost: ok.test\r\n\r\n', {quietMs: 300})
    expect(result.responses.map((r) => r.status)).toEqual([500])
    expect(result.closed).toBe(true)
  })

  it('cuts an upload that stops arriving (client_body_timeout) with 408, and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/', headers: {host: 'ok.test', 'content-length': '100'}, agent: false}, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.write('only ten b')
      // ... and nothing more: the proxy must not wait forever.
    })
    expect(status).toBe(408)
    expect((await send(proxy.port, {headers: {host: 'ok.test'}})).status).toBe(200)
    await new Promise((r) => setImmediate(r))
    // One log line for it, the 408 (not a 499 as if the client had left).
    expect(proxy.log.filter((l) => l.includes(' POST ok.test/ '))).toEqual([expect.stringContaining('408 POST ok.test/')])
  })
})
