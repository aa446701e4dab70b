import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {gatewayRouteRows} from '../../src/dashboard/route-rows.js'
import type {RequestEvent} from '../../src/runtime/events.js'
import {echoUpstream, FIXTURES, send, startProxy, type ProxyUnderTest, type Upstream} from './helpers.js'

/**
 * The dashboard counts an HTTPRoute's traffic on its own row: the proxy puts the answering match's
 * Candidate id on the RequestEvent, and gatewayRouteRows gives the row that id.
 */
describe('RequestEvents of requests an HTTPRoute answers', () => {
  let proxy: ProxyUnderTest
  const upstreams: Upstream[] = []
  const events: RequestEvent[] = []

  beforeAll(async () => {
    for (const name of ['webserver-blue-svc', 'webserver-green-svc']) upstreams.push(await echoUpstream(name))
    proxy = await startProxy({
      files: [join(FIXTURES, 'gateway', 'blue-green.yaml'), join(FIXTURES, 'services.yaml')],
      backends: [`webserver-blue-svc=127.0.0.1:${upstreams[0]!.port}`, `webserver-green-svc=127.0.0.1:${upstreams[1]!.port}`],
    })
    proxy.session.bus.on('request', (e) => events.push(e))
  })
  afterAll(async () => {
    await proxy?.close()
    await Promise.all(upstreams.map((u) => u.close()))
  })

  it('carry the routeId of the dashboard row of the match that answered', async () => {
    const reply = await send(proxy.port, {path: '/green/x', headers: {host: 'example.com'}, timeoutMs: 5000})
    expect(reply.status).toBe(200)
    await new Promise((r) => setTimeout(r, 50))
    const event = events.find((e) => e.path === '/green/x')!
    const state = proxy.session.runtime.current
    const rows = gatewayRouteRows(state.gateways, state.backends)
    const row = rows.find((r) => r.routeId === event.routeId)
    expect(event.routeId).toBeLessThan(0)
    expect(row).toMatchObject({host: 'example.com', path: '/green', pathType: 'PathPrefix', service: 'webserver-green-svc:80'})
    expect(row!.endpoints).toEqual([expect.objectContaining({address: `127.0.0.1:${upstreams[1]!.port}`, state: 'ready'})])
    expect(event.httpRoute).toBe('HTTPRoute default/fan-out rule 1 on Gateway listener default/blue-green/http')
  })

  it('a 404 on a claimed host carries no routeId', async () => {
    const reply = await send(proxy.port, {path: '/nothing', headers: {host: 'example.com'}, timeoutMs: 5000})
    expect(reply.status).toBe(404)
    await new Promise((r) => setTimeout(r, 50))
    expect(events.find((e) => e.path === '/nothing')!.routeId).toBeNull()
  })
})
