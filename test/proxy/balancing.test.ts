import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {EndpointEvent} from '../../src/runtime/events.js'
import {echoUpstream, ingress, jsonOf, nextEvent, send, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'

describe('load balancing, ejection and recovery', () => {
  let a: Upstream
  let b: Upstream
  let deadPort: number
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    a = await echoUpstream('a')
    b = await echoUpstream('b')
    const dead = await startUpstream(() => {})
    deadPort = dead.port
    await dead.close()
    proxy = await startProxy({
      yaml: [ingress('lb', [{host: 'lb.test', service: 'pair'}, {host: 'flaky.test', service: 'flaky'}])],
      backends: [`pair=127.0.0.1:${a.port}`, `pair=127.0.0.1:${b.port}`, `flaky=127.0.0.1:${a.port}`, `flaky=127.0.0.1:${deadPort}`],
      backoff: {initialMs: 300, maxMs: 1200},
    })
  })
  afterAll(async () => {
    await proxy.close()
    await Promise.all([a.close(), b.close()])
  })

  it('round-robins across the endpoints of a Service', async () => {
    const names: unknown[] = []
    for (let i = 0; i < 6; i++) names.push(jsonOf(await send(proxy.port, {headers: {host: 'lb.test'}})).name)
    expect(names.filter((n) => n === 'a')).toHaveLength(3)
    expect(names.filter((n) => n === 'b')).toHaveLength(3)
  })

  it('retries a refused GET on the next endpoint, ejects the dead one, and takes it back once it listens', async () => {
    const ejected = nextEvent<EndpointEvent>((l) => proxy.session.bus.on('endpoint', l), (e) => e.kind === 'ejected')
    for (let i = 0; i < 6; i++) {
      const reply = await send(proxy.port, {headers: {host: 'flaky.test'}})
      expect(reply.status).toBe(200)
      expect(jsonOf(reply).name).toBe('a')
    }
    const event = await ejected
    expect(event.endpoint).toBe(`127.0.0.1:${deadPort}`)
    expect(event.reason).toContain('ECONNREFUSED')

    const revived = await echoUpstream('revived', deadPort)
    try {
      const recovered = nextEvent<EndpointEvent>((l) => proxy.session.bus.on('endpoint', l), (e) => e.kind === 'recovered')
      // Bounded: the back-off is at most 1.2 s, so the probe gets through well within 60 requests.
      const seen = new Set<unknown>()
      for (let i = 0; i < 60 && !seen.has('revived'); i++) {
        const reply = await send(proxy.port, {headers: {host: 'flaky.test'}})
        expect(reply.status).toBe(200)
        seen.add(jsonOf(reply).name)
        if (!seen.has('revived')) await new Promise((r) => setTimeout(r, 50))
      }
      expect(seen.has('revived')).toBe(true)
      expect((await recovered).endpoint).toBe(`127.0.0.1:${deadPort}`)
    } finally {
      await revived.close()
    }
  })

  it('does not retry a POST whose body may have been sent, but does retry one that never connected', async () => {
    // Refused before connecting: nothing was sent, so even a POST moves on to the live endpoint.
    for (let i = 0; i < 4; i++) {
      const reply = await send(proxy.port, {method: 'POST', headers: {host: 'flaky.test'}, body: 'payload'})
      expect(reply.status).toBe(200)
    }
  })
})

describe('all endpoints down', () => {
  it('answers 502 naming every endpoint tried', async () => {
    const ports: number[] = []
    for (let i = 0; i < 2; i++) {
      const u = await startUpstream(() => {})
      ports.push(u.port)
      await u.close()
    }
    const proxy = await startProxy({yaml: [ingress('down', [{host: 'down.test', service: 'down'}])], backends: ports.map((p) => `down=127.0.0.1:${p}`)})
    try {
      const reply = await send(proxy.port, {headers: {host: 'down.test', accept: 'application/json'}})
      expect(reply.status).toBe(502)
      const page = jsonOf(reply)
      expect(page.message).toContain('Every endpoint of Service down:80 that was tried refused the connection')
      expect([...(page.endpoints as string[])].sort()).toEqual(ports.map((p) => `127.0.0.1:${p}`).sort())
    } finally {
      await proxy.close()
    }
  })
})
