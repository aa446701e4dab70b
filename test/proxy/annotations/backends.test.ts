import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {request} from 'node:http'
import {createSecureServer, createServer as createH2cServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2SecureServer} from 'node:http2'
import {createServer as createHttpsServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {jsonOf, send, startUpstream, type Upstream} from '../helpers.js'
import {useProxy} from './support.js'

/** backend-protocol, proxy-*-timeout, proxy-body-size, through the real proxy to real upstreams. */

function selfSigned(): {key: string; cert: string} {
  const dir = mkdtempSync(join(tmpdir(), 'kingress-upstream-cert-'))
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=upstream.internal'], {stdio: 'ignore'})
    return {key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8')}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

function listening<T extends Http2Server | Http2SecureServer | ReturnType<typeof createHttpsServer>>(server: T): Promise<Upstream> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        server: server as never,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    )
  })
}

/** A gRPC-shaped answer: the protocol it was reached with, then grpc-status in the trailers. */
function grpcHandler(req: Http2ServerRequest, res: Http2ServerResponse): void {
  let received = 0
  req.on('data', (c: Buffer) => (received += c.length))
  req.on('end', () => {
    res.writeHead(200, {'content-type': 'application/grpc'})
    res.addTrailers({'grpc-status': '0', 'grpc-message': 'ok'})
    res.end(JSON.stringify({httpVersion: req.httpVersion, te: req.headers.te, contentType: req.headers['content-type'], received, authority: req.headers[':authority']}))
  })
}

/** POST over HTTP/1.1 to the proxy, keeping the response trailers. */
function post(port: number, host: string, body: string): Promise<{status: number; body: string; trailers: Record<string, string | undefined>}> {
  return new Promise((resolve, reject) => {
    const req = request({host: '127.0.0.1', port, method: 'POST', path: '/helloworld.Greeter/SayHello', headers: {host, 'content-type': 'application/grpc'}, agent: false}, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => (text += c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body: text, trailers: res.trailers}))
    })
    req.on('error', reject)
    req.end(body)
  })
}

describe('backend-protocol', () => {
  const tls = selfSigned()
  const f = useProxy({
    upstreams: {
      secure: () => listening(createHttpsServer(tls, (req, res) => res.end(JSON.stringify({url: req.url, encrypted: true})))),
      grpc: () => listening(createH2cServer(grpcHandler)),
      grpcs: () => listening(createSecureServer({...tls, allowHTTP1: false}, grpcHandler)),
    },
    ingresses: [
      {name: 'https', annotations: {'backend-protocol': 'HTTPS'}, rules: [{host: 'https.test', paths: [{path: '/', pathType: 'Prefix', service: 'secure'}]}]},
      {name: 'grpc', annotations: {'backend-protocol': 'GRPC'}, rules: [{host: 'grpc.test', paths: [{path: '/', pathType: 'Prefix', service: 'grpc'}]}]},
      {name: 'grpcs', annotations: {'backend-protocol': 'GRPCS'}, rules: [{host: 'grpcs.test', paths: [{path: '/', pathType: 'Prefix', service: 'grpcs'}]}]},
    ],
  })

  it('HTTPS: TLS to the endpoint, its self-signed certificate not verified', async () => {
    const reply = await send(f.proxy.port, {path: '/over-tls', headers: {host: 'https.test'}})
    expect(reply.status).toBe(200)
    expect(jsonOf(reply)).toEqual({url: '/over-tls', encrypted: true})
  })

  it.each([
    ['GRPC', 'grpc.test'],
    ['GRPCS', 'grpcs.test'],
  ])('%s: HTTP/2 to the endpoint with te: trailers, and grpc-status relayed in the trailers', async (_protocol, host) => {
    const reply = await post(f.proxy.port, host, 'frame')
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toMatchObject({httpVersion: '2.0', te: 'trailers', contentType: 'application/grpc', received: 5, authority: host})
    expect(reply.trailers['grpc-status']).toBe('0')
    expect(reply.trailers['grpc-message']).toBe('ok')
  })
})

describe('proxy-read-timeout, proxy-send-timeout', () => {
  const f = useProxy({
    upstreams: {
      slow: () =>
        startUpstream((req, res) => {
          req.resume()
          const t = setTimeout(() => res.end('late'), 2500)
          res.on('close', () => clearTimeout(t))
        }),
      sink: () => startUpstream((req, res) => req.on('data', () => {}).on('end', () => res.end('got it'))),
    },
    ingresses: [
      {name: 'read', annotations: {'proxy-read-timeout': '1'}, rules: [{host: 'read.test', paths: [{path: '/', pathType: 'Prefix', service: 'slow'}]}]},
      {name: 'patient', annotations: {'proxy-read-timeout': '5'}, rules: [{host: 'patient.test', paths: [{path: '/', pathType: 'Prefix', service: 'slow'}]}]},
      {name: 'send', annotations: {'proxy-send-timeout': '1'}, rules: [{host: 'send.test', paths: [{path: '/', pathType: 'Prefix', service: 'sink'}]}]},
    ],
  })

  it('answers 504 when the upstream does not answer within proxy-read-timeout', async () => {
    const started = Date.now()
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'read.test', accept: 'application/json'}})
    expect(reply.status).toBe(504)
    expect(Date.now() - started).toBeLessThan(2400)
  })

  it('waits longer when proxy-read-timeout says so', async () => {
    const reply = await send(f.proxy.port, {path: '/', headers: {host: 'patient.test'}})
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('late')
  })

  it('answers 504 when no part of the body can be relayed for proxy-send-timeout', async () => {
    const reply = await new Promise<{status: number}>((resolve, reject) => {
      const req = request({host: '127.0.0.1', port: f.proxy.port, method: 'POST', path: '/', headers: {host: 'send.test', 'transfer-encoding': 'chunked'}, agent: false}, (res) => {
        res.resume()
        res.on('end', () => resolve({status: res.statusCode ?? 0}))
      })
      req.on('error', reject)
      req.write('first chunk')
      // ...and nothing more: the body stalls.
    })
    expect(reply.status).toBe(504)
  })
})

describe('proxy-body-size', () => {
  let hits = 0
  const f = useProxy({
    upstreams: {
      sink: () =>
        startUpstream((req, res) => {
          hits++
          let n = 0
          req.on('data', (c: Buffer) => (n += c.length)).on('end', () => res.end(String(n)))
        }),
    },
    ingresses: [
      {name: 'small', annotations: {'proxy-body-size': '1k'}, rules: [{host: 'small.test', paths: [{path: '/', pathType: 'Prefix', service: 'sink'}]}]},
      {name: 'unlimited', annotations: {'proxy-body-size': '0'}, rules: [{host: 'unlimited.test', paths: [{path: '/', pathType: 'Prefix', service: 'sink'}]}]},
    ],
  })

  it('a declared Content-Length over the limit is refused with 413 before anything is forwarded', async () => {
    const before = hits
    const reply = await send(f.proxy.port, {method: 'POST', headers: {host: 'small.test'}, body: Buffer.alloc(2048)})
    expect(reply.status).toBe(413)
    expect(reply.body).toContain('proxy-body-size')
    expect(hits).toBe(before)
  })

  it('a body within the limit passes', async () => {
    const reply = await send(f.proxy.port, {method: 'POST', headers: {host: 'small.test'}, body: Buffer.alloc(1024)})
    expect(reply.status).toBe(200)
    expect(reply.body).toBe('1024')
  })

  it('a chunked body is counted as it streams: 413 once it passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({host: '127.0.0.1', port: f.proxy.port, method: 'POST', path: '/', headers: {host: 'small.test', 'transfer-encoding': 'chunked'}, agent: false}, (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', (error) => (String(error).includes('ECONNRESET') || String(error).includes('EPIPE') ? undefined : reject(error)))
      req.write(Buffer.alloc(600))
      setTimeout(() => req.write(Buffer.alloc(600)), 50)
    })
    expect(status).toBe(413)
  })

  it('"0" is unlimited', async () => {
    const reply = await send(f.proxy.port, {method: 'POST', headers: {host: 'unlimited.test'}, body: Buffer.alloc(3 * 1024 * 1024)})
    expect(reply.status).toBe(200)
    expect(reply.body).toBe(String(3 * 1024 * 1024))
  })
})
