import {createServer, type Server, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {MIRRORS_IN_FLIGHT_LIMIT} from '../../src/proxy/gateway-mirror.js'
import {echoUpstream, send, startProxy, type ProxyUnderTest, type Upstream} from './helpers.js'
import {gatewayRouteYaml} from '../support/manifests.js'

/**
 * RequestMirror is fire and forget (apis/v1/httproute_types.go HTTPRequestMirrorFilter): a mirror
 * backend that accepts connections and never answers must neither slow the client down nor let
 * copies pile up in the proxy.
 */
describe('RequestMirror behind a mirror backend that never answers', () => {
  let proxy: ProxyUnderTest
  let real: Upstream
  let silent: Server
  const held: Socket[] = []
  let requestsSeen = 0
  const errors: string[] = []

  beforeAll(async () => {
    real = await echoUpstream('real')
    silent = createServer((socket) => {
      held.push(socket)
      socket.on('data', (d) => (requestsSeen += String(d).split('HTTP/1.1\r\n').length - 1))
    })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const yaml = gatewayRouteYaml('mirrored', 'mirrored.example.com', `
  - filters:
    - type: RequestMirror
      requestMirror: {backendRef: {name: silent, port: 80}}
    backendRefs: [{name: real, port: 80}]
`)
    proxy = await startProxy({yaml: [yaml], backends: [`real=127.0.0.1:${real.port}`, `silent=127.0.0.1:${(silent.address() as AddressInfo).port}`]})
    proxy.session.bus.on('error', (e) => errors.push(e.message))
  })
  afterAll(async () => {
    await proxy?.close()
    for (const s of held) s.destroy()
    silent?.close()
    await real?.close()
  })

  it(`answers every client at once, and holds at most ${MIRRORS_IN_FLIGHT_LIMIT} copies in flight`, {timeout: 30_000}, async () => {
    const total = MIRRORS_IN_FLIGHT_LIMIT + 36
    const started = performance.now()
    const replies = []
    for (let i = 0; i < total; i++) replies.push(await send(proxy.port, {path: `/item/${i}`, headers: {host: 'mirrored.example.com'}, timeoutMs: 5000}))
    expect(replies.every((r) => r.status === 200)).toBe(true)
    expect(performance.now() - started).toBeLessThan(10_000)
    await new Promise((r) => setTimeout(r, 300))
    expect(requestsSeen).toBeLessThanOrEqual(MIRRORS_IN_FLIGHT_LIMIT)
    expect(errors.filter((m) => m.includes(`${MIRRORS_IN_FLIGHT_LIMIT} copies are already in flight`))).toHaveLength(total - MIRRORS_IN_FLIGHT_LIMIT)
  })
})
