import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {WebSocket, WebSocketServer} from 'ws'

import {ingress, startProxy, startUpstream, type ProxyUnderTest, type Upstream} from './helpers.js'

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, {headers})
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

function nextMessage(ws: WebSocket): Promise<{data: Buffer; binary: boolean}> {
  return new Promise((resolve) => ws.once('message', (data, binary) => resolve({data: data as Buffer, binary})))
}

describe('WebSocket through the proxy', () => {
  let upstream: Upstream
  let wss: WebSocketServer
  let proxy: ProxyUnderTest
  const handshakeHeaders: Record<string, string | string[] | undefined>[] = []

  beforeAll(async () => {
    upstream = await startUpstream((_req, res) => res.end('plain'))
    wss = new WebSocketServer({server: upstream.server})
    wss.on('connection', (socket, req) => {
      handshakeHeaders.push(req.headers)
      socket.on('message', (data, binary) => socket.send(data, {binary}))
    })
    proxy = await startProxy({yaml: [ingress('ws', [{host: 'ws.test', service: 'ws'}, {host: 'nows.test', service: 'missing'}])], backends: [`ws=127.0.0.1:${upstream.port}`]})
  })
  afterAll(async () => {
    await proxy.close()
    wss.close()
    await upstream.close()
  })

  it('echoes text and binary messages both ways, with X-Forwarded-* on the handshake', async () => {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/chat`, {host: 'ws.test'})
    ws.send('hello')
    const text = await nextMessage(ws)
    expect(text.data.toString()).toBe('hello')
    expect(text.binary).toBe(false)
    const payload = Buffer.alloc(200_000, 7)
    ws.send(payload)
    const binary = await nextMessage(ws)
    expect(binary.binary).toBe(true)
    expect(Buffer.compare(binary.data, payload)).toBe(0)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.close(1000)
    expect(await closed).toBe(1000)
    const seen = handshakeHeaders.at(-1)!
    expect(seen.host).toBe('ws.test')
    expect(seen['x-forwarded-for']).toBe('127.0.0.1')
    expect(seen['x-request-id']).toBeTruthy()
    expect(String(seen.upgrade).toLowerCase()).toBe('websocket')
  })

  it('keeps a quiet WebSocket open and logs the upgrade', async () => {
    const ws = await open(`ws://127.0.0.1:${proxy.port}/quiet`, {host: 'ws.test'})
    await new Promise((r) => setTimeout(r, 300))
    expect(ws.readyState).toBe(WebSocket.OPEN)
    ws.send('still here')
    expect((await nextMessage(ws)).data.toString()).toBe('still here')
    ws.terminate()
    expect(proxy.log.some((l) => l.includes('101 GET ws.test/quiet') && l.includes('upgrade'))).toBe(true)
  })

  it('answers an upgrade without endpoints with the 503 page', async () => {
    await expect(open(`ws://127.0.0.1:${proxy.port}/`, {host: 'nows.test'})).rejects.toThrow('HTTP 503')
  })
})
