import {describe, expect, it} from 'vitest'
import {WebSocket, WebSocketServer} from 'ws'

import {INFRA, serve} from './gateway-support.js'
import {send, startUpstream, type Upstream} from './helpers.js'

/**
 * WebSocket handshakes on hosts HTTPRoutes claim: tunnelled to the rule's backend with its
 * URLRewrite and header filters, like any request the route answers.
 */

interface WsUpstream extends Upstream {
  readonly handshakes: {url: string; headers: Record<string, string | string[] | undefined>}[]
}

/** A WebSocket echo server (text and binary) that records each handshake; plain requests get their name. */
async function wsUpstream(name: string): Promise<WsUpstream> {
  const handshakes: WsUpstream['handshakes'] = []
  const upstream = await startUpstream((_req, res) => {
    res.writeHead(200, {'x-upstream': name})
    res.end(name)
  })
  // A handshake whose path has `refuse` in it is answered 401 (no tunnel).
  const wss = new WebSocketServer({server: upstream.server, verifyClient: (info: {req: {url?: string}}) => !(info.req.url ?? '').includes('refuse')})
  wss.on('connection', (socket, req) => {
    handshakes.push({url: req.url ?? '', headers: req.headers})
    socket.on('message', (data, binary) => socket.send(data, {binary}))
  })
  return {
    ...upstream,
    handshakes,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      await upstream.close()
    },
  }
}

function open(port: number, path: string, host: string): Promise<{ws: WebSocket; headers: Record<string, string | string[] | undefined>}> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {headers: {host}})
    let headers: Record<string, string | string[] | undefined> = {}
    ws.once('upgrade', (res) => (headers = res.headers))
    ws.once('open', () => resolve({ws, headers}))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
}

const reply = (ws: WebSocket): Promise<{data: Buffer; binary: boolean}> => new Promise((resolve) => ws.once('message', (data, binary) => resolve({data: data as Buffer, binary})))

// httproute-backend-protocol-websocket.go: a text frame and a binary frame come back as sent.
describe('HTTPRouteBackendProtocolWebSocket', () => {
  const upstreams: WsUpstream[] = []
  const served = serve(['httproute-backend-protocol-websocket.yaml'], {
    services: ['infra-backend-v1'],
    upstream: async (name) => {
      const u = await wsUpstream(name)
      upstreams.push(u)
      return u
    },
  })
  it('a WebSocket to /ws reaches infra-backend-v1 and echoes text and binary frames', async () => {
    const {ws} = await open(served.proxy.port, '/ws', 'example.com')
    ws.send('Websocket Support!')
    const text = await reply(ws)
    expect(text.binary).toBe(false)
    expect(text.data.toString()).toBe('Websocket Support!')
    ws.send(Buffer.from([1, 2, 3, 4, 5, 6, 7]))
    const binary = await reply(ws)
    expect(binary.binary).toBe(true)
    expect([...binary.data]).toEqual([1, 2, 3, 4, 5, 6, 7])
    ws.close(1000)
    expect(upstreams[0]!.handshakes.at(-1)?.url).toBe('/ws')
  })
})

const filtered = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ws-filtered
  namespace: ${INFRA}
spec:
  parentRefs:
  - name: same-namespace
  hostnames: [ws.example.com]
  rules:
  - matches:
    - path: {type: PathPrefix, value: /chat}
    filters:
    - type: URLRewrite
      urlRewrite:
        hostname: chat.internal
        path: {type: ReplacePrefixMatch, replacePrefixMatch: /socket}
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Route, value: ws-filtered}]
        remove: [X-Drop]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        add: [{name: X-Answered-By, value: kingress}]
    backendRefs:
    - name: infra-backend-v1
      port: 8080
  - matches:
    - path: {type: PathPrefix, value: /redirect}
    filters:
    - type: RequestRedirect
      requestRedirect: {hostname: elsewhere.example.com, statusCode: 301}
  - matches:
    - path: {type: PathPrefix, value: /idle}
    backendRefs:
    - name: infra-backend-v3
      port: 8080
  - matches:
    - path: {type: PathPrefix, value: /control-up}
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Split, value: "a\\r\\nX-Injected: 1"}]
    backendRefs:
    - name: infra-backend-v1
      port: 8080
  - matches:
    - path: {type: PathPrefix, value: /control}
    filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: X-Split, value: "a\\r\\nX-Injected: 1"}]
    backendRefs:
    - name: infra-backend-v1
      port: 8080
`

describe('WebSockets over HTTPRoutes: the rule\'s filters apply to the handshake', () => {
  const upstreams: WsUpstream[] = []
  const served = serve([], {
    services: ['infra-backend-v1'],
    yaml: [filtered],
    upstream: async (name) => {
      const u = await wsUpstream(name)
      upstreams.push(u)
      return u
    },
  })
  it('URLRewrite (path and Host), RequestHeaderModifier on the handshake, ResponseHeaderModifier on the 101', async () => {
    const {ws, headers} = await open(served.proxy.port, '/chat/room?x=1', 'ws.example.com')
    ws.send('hi')
    expect((await reply(ws)).data.toString()).toBe('hi')
    ws.close(1000)
    const handshake = upstreams[0]!.handshakes.at(-1)!
    expect(handshake.url).toBe('/socket/room?x=1')
    expect(handshake.headers.host).toBe('chat.internal')
    expect(handshake.headers['x-route']).toBe('ws-filtered')
    expect(headers['x-answered-by']).toBe('kingress')
    expect(served.proxy.log.some((l) => l.includes('101 GET ws.example.com/chat/room') && l.includes(`HTTPRoute ${INFRA}/ws-filtered rule 0`))).toBe(true)
  })

  it('a RequestRedirect rule answers the handshake with its redirect', async () => {
    await expect(open(served.proxy.port, '/redirect', 'ws.example.com')).rejects.toThrow('HTTP 301')
  })

  it('a path no rule matches: 404, a backend without endpoints: 503 naming the route', async () => {
    await expect(open(served.proxy.port, '/nothing', 'ws.example.com')).rejects.toThrow('HTTP 404')
    await expect(open(served.proxy.port, '/idle', 'ws.example.com')).rejects.toThrow('HTTP 503')
  })

  // The 101 is written on the socket by kingress (src/proxy/upgrade.ts), not by node:http: a
  // value with CR LF would have split into a header of its own. Now the 502 page of
  // test/proxy/unsendable-head.test.ts, as for plain requests.
  it('a control character in a value the rule sets on the 101: the 502 page, no header split', async () => {
    await expect(open(served.proxy.port, '/control', 'ws.example.com')).rejects.toThrow('HTTP 502')
    // The endpoint's own refusal (401), relayed by kingress with the rule's edits: the same.
    await expect(open(served.proxy.port, '/control/refuse', 'ws.example.com')).rejects.toThrow('HTTP 502')
    // Set on the handshake (node:http refuses it as it builds the request): the page, not a reset.
    await expect(open(served.proxy.port, '/control-up', 'ws.example.com')).rejects.toThrow('HTTP 502')
    const plain = await send(served.proxy.port, {path: '/control', headers: {host: 'ws.example.com'}, timeoutMs: 5000})
    expect(plain.status).toBe(502)
    expect(plain.headers['x-injected']).toBeUndefined()
  })

  it('plain requests on the same host still reach the backend', async () => {
    const plain = await send(served.proxy.port, {path: '/chat', headers: {host: 'ws.example.com'}, timeoutMs: 5000})
    expect(plain.status).toBe(200)
    expect(plain.headers['x-upstream']).toBe('infra-backend-v1')
  })
})
