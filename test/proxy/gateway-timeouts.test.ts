import {spawn, type ChildProcess} from 'node:child_process'
import {connect, createServer, type AddressInfo, type Server, type Socket} from 'node:net'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {WebSocket, WebSocketServer} from 'ws'

import {send, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'
import {gatewayRouteYaml} from '../support/manifests.js'

/**
 * apis/v1/httproute_types.go HTTPRouteTimeouts.Request: the client is answered 504 when it passes.
 * A request the proxy gave up on must not reach the backend later, when a slow connection comes up
 * (a POST would run after the client was told it failed, and twice if the client retries).
 */
describe('timeouts.request that passes before the backend connection is up', () => {
  let backend: ChildProcess
  let backendPort = 0
  const seen: string[] = []
  const fillers: Socket[] = []
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    // A backend with an accept queue of one: stopped (SIGSTOP) once the queue is full, the kernel
    // drops further SYNs, so kingress's connect waits for a retransmission, seconds later.
    const code = `const s = require('net').createServer((c) => c.on('data', (d) => { process.stdout.write(String(d).split('\\r\\n')[0] + '\\n'); c.end('HTTP/1.1 200 OK\\r\\ncontent-length: 0\\r\\n\\r\\n') })); s.listen({port: 0, host: '127.0.0.1', backlog: 1}, () => process.stdout.write('port ' + s.address().port + '\\n'))`
    backend = spawn(process.execPath, ['-e', code], {stdio: ['ignore', 'pipe', 'inherit']})
    backend.stdout!.setEncoding('utf8').on('data', (chunk: string) => seen.push(...chunk.split('\n').filter(Boolean)))
    await until(() => seen.some((l) => l.startsWith('port ')), 5000)
    backendPort = Number(seen.find((l) => l.startsWith('port '))!.slice(5))
    backend.kill('SIGSTOP')
    for (let i = 0; i < 3; i++) fillers.push(connect(backendPort, '127.0.0.1').on('error', () => {}))
    await new Promise((r) => setTimeout(r, 200))
    const yaml = gatewayRouteYaml('slow', 'slow.example.com', `
  - backendRefs: [{name: slow, port: 80}]
    timeouts: {request: 300ms}
`)
    proxy = await startProxy({yaml: [yaml], backends: [`slow=127.0.0.1:${backendPort}`]})
  })
  afterAll(async () => {
    await proxy?.close()
    for (const f of fillers) f.destroy()
    backend?.kill('SIGKILL')
  })

  it('answers 504 in time, and the request never reaches the backend once it accepts again', {timeout: 20_000}, async () => {
    const started = performance.now()
    const reply = await send(proxy.port, {method: 'POST', path: '/late', headers: {host: 'slow.example.com', 'content-type': 'text/plain'}, body: 'charge the card', timeoutMs: 5000})
    expect(reply.status).toBe(504)
    expect(performance.now() - started).toBeLessThan(2000)
    backend.kill('SIGCONT')
    // The stopped backend's queue drains now; kingress's SYN is retried about 1 s and 3 s after the first.
    await new Promise((r) => setTimeout(r, 4500))
    expect(seen.filter((l) => l.includes('/late'))).toEqual([])
  })
})

async function until(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * timeouts.request on WebSocket handshakes. apis/v1/httproute_types.go HTTPRouteTimeouts.Request is
 * "the maximum duration for a gateway to respond to an HTTP request"; for an upgrade the response is
 * the 101, so a backend that has not switched protocols within it gets the client a 504 as a plain
 * request would. Once the 101 is relayed the request-response transaction is over and the tunnel is
 * no HTTP exchange any more: the field does not bound it (geps/gep-1742/index.md lists the tunnel
 * timeout of upgraded connections, HAProxy's `timeout tunnel`, as a separate timeout, which
 * HTTPRouteTimeouts does not define).
 */
describe('timeouts.request on WebSocket upgrades', () => {
  let silent: Server
  const held: Socket[] = []
  let ws: Upstream
  let proxy: ProxyUnderTest

  beforeAll(async () => {
    // Never answers the handshake; under /stall it refuses it and stalls mid-body.
    silent = createServer((c) => {
      held.push(c)
      c.on('error', () => {})
      c.once('data', (d) => {
        if (String(d).startsWith('GET /stall')) c.write('HTTP/1.1 426 Upgrade Required\r\ncontent-length: 100\r\n\r\npartial')
      })
    })
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()))
    ws = await startUpstream((_req, res) => res.end('plain'))
    new WebSocketServer({server: ws.server}).on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, {binary})))
    const yaml = gatewayRouteYaml('ws', 'ws.example.com', `
  - matches: [{path: {type: PathPrefix, value: /silent}}]
    backendRefs: [{name: silent, port: 80}]
    timeouts: {request: 300ms}
  - matches: [{path: {type: PathPrefix, value: /stall}}]
    backendRefs: [{name: silent, port: 80}]
    timeouts: {request: 300ms}
  - matches: [{path: {type: PathPrefix, value: /echo}}]
    backendRefs: [{name: echo, port: 80}]
    timeouts: {request: 300ms}
`)
    proxy = await startProxy({yaml: [yaml], backends: [`silent=127.0.0.1:${(silent.address() as AddressInfo).port}`, `echo=127.0.0.1:${ws.port}`]})
  })
  afterAll(async () => {
    await proxy?.close()
    for (const c of held) c.destroy()
    silent?.close()
    await ws?.close()
  })

  it('a backend that does not answer the handshake within timeouts.request: 504, in time', {timeout: 10_000}, async () => {
    const started = performance.now()
    const status = await new Promise<number>((resolve, reject) => {
      const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/silent`, {headers: {host: 'ws.example.com'}, handshakeTimeout: 5000})
      client.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0)
        res.resume()
        client.terminate()
      })
      client.once('open', () => reject(new Error('the silent backend cannot have switched protocols')))
      client.once('error', reject)
    })
    expect(status).toBe(504)
    expect(performance.now() - started).toBeLessThan(2000)
    await until(() => proxy.log.some((l) => l.includes('504 GET ws.example.com/silent') && l.includes('timeouts.request')), 2000)
  })

  it('a refusal whose body is still coming when timeouts.request passes is cut', {timeout: 10_000}, async () => {
    const started = performance.now()
    const received = await new Promise<string>((resolve, reject) => {
      let text = ''
      const client = connect(proxy.port, '127.0.0.1', () => client.write('GET /stall HTTP/1.1\r\nhost: ws.example.com\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'))
      client.setEncoding('latin1').on('data', (d: string) => (text += d))
      client.once('close', () => resolve(text))
      client.once('error', reject)
      client.setTimeout(5000, () => client.destroy(new Error('the stalled answer was not cut')))
    })
    expect(received.startsWith('HTTP/1.1 426')).toBe(true)
    expect(received.endsWith('partial')).toBe(true)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('an established tunnel outlives timeouts.request', {timeout: 10_000}, async () => {
    const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/echo`, {headers: {host: 'ws.example.com'}})
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve())
      client.once('error', reject)
    })
    await new Promise((r) => setTimeout(r, 800))
    const echoed = new Promise<string>((resolve) => client.once('message', (data) => resolve(String(data))))
    client.send('still open')
    expect(await echoed).toBe('still open')
    client.close(1000)
  })
})
