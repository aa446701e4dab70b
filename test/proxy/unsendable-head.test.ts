import {once} from 'node:events'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import {connect as h2connect, type IncomingHttpHeaders} from 'node:http2'
import {request as httpsRequest} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {buildProviders} from '../../src/runtime/providers.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {CONFORMANCE, INFRA, secretCertificate} from './gateway-support.js'
import {tlsSandbox, type TlsSandbox} from './https-support.js'

/**
 * Header values an HTTPRoute's filters set that are not printable US-ASCII. The standard channel's
 * CRD takes any string of 1-4096 characters (apis/v1/httproute_types.go HTTPHeader.Value; only the
 * experimental channel has a pattern). A character above U+007F goes out as its UTF-8 bytes
 * (src/gateway/filters.ts wireValue) over HTTP/1.1 and HTTP/2 alike; before, HTTP/1.1 answered 502
 * and HTTP/2 cut U+2192 to the byte 0x92. A control character no HTTP field may carry is kingress's
 * 502 page on both, without the upstream's fields; before, HTTP/2's compatibility layer sent it.
 */
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: header-values
  namespace: ${INFRA}
spec:
  parentRefs:
  - name: same-namespace-with-https-listener
    sectionName: https
  hostnames:
  - example.org
  rules:
  - matches:
    - path: {type: PathPrefix, value: /unicode}
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - {name: X-Arrow-Up, value: "a\u2192b"}
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set:
        - {name: X-Arrow, value: "a\u2192b caf\u00e9"}
    backendRefs:
    - {name: infra-backend-v1, port: 8080}
  - matches:
    - path: {type: PathPrefix, value: /control-up}
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set:
        - {name: X-Control-Up, value: "a\\u0001b"}
    backendRefs:
    - {name: infra-backend-v1, port: 8080}
  - matches:
    - path: {type: PathPrefix, value: /control}
    filters:
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set:
        - {name: X-Control, value: "a\u0001b"}
    backendRefs:
    - {name: infra-backend-v1, port: 8080}
`
const UTF8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')

let sandbox: TlsSandbox
let session: Session
let upstream: Server
let dir: string

beforeAll(async () => {
  sandbox = tlsSandbox()
  dir = mkdtempSync(join(tmpdir(), 'kingress-unsendable-'))
  writeFileSync(join(dir, 'route.yaml'), ROUTE)
  // Chunked unless the path ends in /length: HTTP/2 answers through the compatibility layer's
  // writeHead, or with the head sent to the stream directly (src/proxy/h2-head.ts).
  upstream = createServer((req, res) => {
    const fields: Record<string, string> = {'set-cookie': 'upstream=1', 'x-from-upstream': 'yes', 'content-type': 'application/json', 'x-seen-up': String(req.headers['x-arrow-up'] ?? '')}
    if (req.url!.endsWith('/length')) fields['content-length'] = '2'
    res.writeHead(200, fields)
    // A Buffer: Node writes a head with a string body in the body's encoding (UTF-8), not Latin-1.
    res.end(Buffer.from('{}'))
  })
  upstream.listen(0, '127.0.0.1')
  await once(upstream, 'listening')
  const providers = await buildProviders({backends: [`${INFRA}/infra-backend-v1=127.0.0.1:${(upstream.address() as AddressInfo).port}`], docker: false})
  const inputs = [join(CONFORMANCE, 'base.yaml'), join(CONFORMANCE, 'base-https-listener.yaml'), join(dir, 'route.yaml')]
  session = await startSession({inputs, providers, bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, drainMs: 2000, env: {...process.env, ...sandbox.env}})
})

afterAll(async () => {
  await session?.close()
  upstream?.close()
  sandbox?.cleanup()
  if (dir) rmSync(dir, {recursive: true, force: true})
})

const port = (): number => session.results[1]!.port

interface Reply {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
}

function h2Get(path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const client = h2connect(`https://127.0.0.1:${port()}`, {servername: 'example.org', ca: secretCertificate(), checkServerIdentity: () => undefined})
    client.on('error', reject)
    const req = client.request({':path': path, ':authority': 'example.org'})
    let body = ''
    req.on('response', (headers: IncomingHttpHeaders) => {
      req.setEncoding('latin1').on('data', (chunk: string) => (body += chunk))
      req.on('end', () => {
        client.close()
        resolve({status: Number(headers[':status']), headers, body})
      })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.close())
    req.end()
  })
}

function h1Get(path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({host: '127.0.0.1', port: port(), path, servername: 'example.org', headers: {host: 'example.org'}, ca: secretCertificate(), checkServerIdentity: () => undefined, agent: false}, (res) => {
      let body = ''
      res.setEncoding('latin1').on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({headers: res.headers, status: res.statusCode!, body}))
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error('timeout')))
    req.end()
  })
}

const CLIENTS = [
  ['HTTP/1.1', h1Get, '/unicode'],
  ['HTTP/2, chunked', h2Get, '/unicode'],
  ['HTTP/2, with a Content-Length', h2Get, '/unicode/length'],
] as const

describe('header values an HTTPRoute filter sets', () => {
  it.each(CLIENTS)('a character above U+007F goes out as its UTF-8 bytes, both ways (%s)', async (_name, get, path) => {
    const reply = await get(path)
    expect(reply.status).toBe(200)
    expect(reply.headers['x-arrow']).toBe(UTF8('a\u2192b caf\u00e9'))
    expect(reply.headers['x-seen-up']).toBe(UTF8('a\u2192b'))
  })

  it.each(CLIENTS.map(([name, get, path]) => [name, get, path.replace('/unicode', '/control')] as const))('a control character is the 502 page, without the upstream\'s fields (%s)', async (_name, get, path) => {
    const reply = await get(path)
    expect(reply.status).toBe(502)
    expect(reply.headers['set-cookie']).toBeUndefined()
    expect(reply.headers['x-from-upstream']).toBeUndefined()
    expect(reply.headers['x-control']).toBeUndefined()
    expect(reply.body).toContain('A header value this rule sets has a character no HTTP field may carry')
    expect(reply.body).toContain('invalid response head')
  })

  it.each(CLIENTS)('a control character in a request header the rule sets is the same 502 page, naming the header (%s)', async (_name, get) => {
    const reply = await get('/control-up')
    expect(reply.status).toBe(502)
    expect(reply.body).toContain('A header value this rule sets has a character no HTTP field may carry')
    expect(reply.body).toContain('X-Control-Up')
  })
})
