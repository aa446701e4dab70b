import type {Socket} from 'node:net'

import {beforeEach, describe, expect, it} from 'vitest'

import {canaryRequest, expectClean, useEdge} from './support/edge-fixture.js'
import {rawExchange} from './support/raw-client.js'
import type {SeenRequest} from './support/raw-upstream.js'

const HANDSHAKE = (extra = ''): string =>
  `GET /chat HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`

/** The ws upstream: 101 (then echoes raw bytes) for version 13, else 426 like RFC 6455 §4.4 asks. */
function websocketUpstream(request: SeenRequest, socket: Socket): string | null {
  if (request.method !== 'GET' || !request.headers.some(([n]) => n.toLowerCase() === 'upgrade')) return null
  const version = request.headers.find(([n]) => n.toLowerCase() === 'sec-websocket-version')?.[1]
  if (version !== '13') return 'HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 7\r\n\r\nupgrade'
  socket.removeAllListeners('data')
  socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])))
  return 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n'
}

/**
 * Upgrades against a real `kingress up`: a tunnel opens only after the endpoint answered 101 to a
 * GET asking for websocket (RFC 9110 §7.8, RFC 6455 §4.1-4.2); anything else is a normal answer
 * and no raw tunnel (the bypass: the next request reached the WebSocket backend unrouted).
 */
describe('upgrades against `kingress up`', () => {
  const edge = useEdge()
  beforeEach(() => {
    edge.ws.responder = websocketUpstream
  })

  it('a refused handshake (426) is relayed and the connection closes: the next request never reaches the WebSocket backend', async () => {
    const result = await rawExchange(edge.httpPort, HANDSHAKE().replace('Version: 13', 'Version: 1337') + 'GET /admin/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n', {
      then: 'GET /admin/secret HTTP/1.1\r\nHost: ws.test\r\n\r\n',
      quietMs: 400,
    })
    expect(result.responses.map((r) => r.status)).toEqual([426])
    expect(result.responses[0]!.body).toBe('upgrade')
    expect(result.closed).toBe(true)
    expect(edge.ws.requests.map((r) => r.target)).toEqual(['/chat'])
    expect(edge.ws.bytes).toBeLessThan(2000)
    await expectClean(edge, 'ws-426')
  })

  it('a 101 opens the tunnel; bytes sent before it are held until then', async () => {
    const result = await rawExchange(edge.httpPort, [HANDSHAKE(), 'early-frame'], {quietMs: 400})
    expect(result.responses[0]!.status).toBe(101)
    expect(result.responses[0]!.headers.upgrade).toBe('websocket')
    expect(result.raw).toContain('echo:early-frame')
    expect(edge.ws.requests).toHaveLength(1)
    await expectClean(edge, 'ws-101')
  })

  it('a POST asking for websocket is no handshake: served plainly, never tunnelled', async () => {
    const result = await rawExchange(edge.httpPort, HANDSHAKE().replace('GET /chat', 'POST /chat') + 'GET /admin/smuggled HTTP/1.1\r\nHost: ws.test\r\n\r\n', {quietMs: 400})
    expect(result.responses.map((r) => r.status)).toEqual([200])
    const seen = edge.ws.requests[0]!
    expect(seen.method).toBe('POST')
    expect(seen.headers.map(([n]) => n.toLowerCase())).not.toContain('upgrade')
    expect(result.closed).toBe(true)
    await expectClean(edge, 'ws-post')
  })

  it('Upgrade: h2c is never tunnelled: the request is served without it, the connection closes (h2c smuggling)', async () => {
    edge.app.responder = () => 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n'
    const h2c = 'GET / HTTP/1.1\r\nHost: edge.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n'
    const plain = await rawExchange(edge.httpPort, h2c + canaryRequest('after-h2c'), {quietMs: 400})
    // Even a backend that agrees to switch does not get a tunnel: kingress reads its 101 as the
    // upgrade it never asked for and answers 502.
    expect(plain.responses.map((r) => r.status)).toEqual([502])
    expect(plain.closed).toBe(true)
    const seen = edge.app.requests[0]!
    expect(seen.headers.map(([n]) => n.toLowerCase())).not.toContain('upgrade')
    expect(seen.headers.map(([n]) => n.toLowerCase())).not.toContain('http2-settings')
    expect(edge.app.requests).toHaveLength(1)
    edge.app.responder = null
    const ok = await rawExchange(edge.httpPort, h2c, {quietMs: 400})
    expect(ok.responses.map((r) => r.status)).toEqual([200])
    await expectClean(edge, 'h2c')
  })
})
