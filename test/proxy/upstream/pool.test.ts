import {createServer, type Server, type Socket} from 'node:net'
import {PassThrough} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'

import type {UpstreamHandler, UpstreamRequest} from '../../../src/proxy/upstream/handler.js'
import {Http1Pool} from '../../../src/proxy/upstream/pool.js'

// kingress's HTTP/1.1 upstream client against raw-socket servers on loopback. What it must keep
// from undici's client (lib/dispatcher/client-h1.js), which served this path before: the request
// bytes (host first, then connection), keep-alive reuse, timeouts by phase, back-pressure.

interface Outcome {
  status: number
  headers: string[]
  body: string
  trailers: readonly (Buffer | string)[] | null
  error: Error | null
}

const servers: Server[] = []
const pools: Http1Pool[] = []

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()))
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

/** A server that hands each connection to `onConnection` and records what arrives on it. */
async function rawServer(onConnection: (socket: Socket, received: () => string) => void): Promise<{port: number; connections: () => number}> {
  let count = 0
  const server = createServer((socket) => {
    count++
    let text = ''
    socket.on('data', (d) => (text += d.toString('latin1')))
    socket.on('error', () => {})
    onConnection(socket, () => text)
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {port: (server.address() as {port: number}).port, connections: () => count}
}

/** Answers every complete request head on the connection with `answer`. */
function answering(answer: string | ((request: string) => string)): (socket: Socket) => void {
  return (socket) => {
    let buffered = ''
    socket.on('data', (d) => {
      buffered += d.toString('latin1')
      let end: number
      while ((end = buffered.indexOf('\r\n\r\n')) !== -1) {
        const request = buffered.slice(0, end + 4)
        buffered = buffered.slice(end + 4)
        socket.write(typeof answer === 'string' ? answer : answer(request))
      }
    })
  }
}

function pool(port: number, options: Partial<ConstructorParameters<typeof Http1Pool>[1]> = {}): Http1Pool {
  const p = new Http1Pool(`127.0.0.1:${port}`, {connections: 8, connectTimeoutMs: 2000, keepAliveMs: 4000, maxHeadSize: 64 * 1024, ...options})
  pools.push(p)
  return p
}

function request(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {path: '/', method: 'GET', headers: ['Host', 'app.test', 'Accept', '*/*'], body: null, headersTimeout: 2000, bodyTimeout: 2000, ...overrides}
}

function exchange(p: Http1Pool, req: UpstreamRequest, hooks: Partial<UpstreamHandler> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const out: Outcome = {status: 0, headers: [], body: '', trailers: null, error: null}
    p.dispatch(req, {
      onConnect: hooks.onConnect ?? (() => {}),
      onHeaders(status, headers, resume, reason) {
        out.status = status
        out.headers = headers.map(String)
        return hooks.onHeaders?.(status, headers, resume, reason) ?? true
      },
      onData(chunk) {
        out.body += chunk.toString('latin1')
        return hooks.onData?.(chunk) ?? true
      },
      onComplete(trailers) {
        out.trailers = trailers
        resolve(out)
      },
      onError(error) {
        out.error = error
        resolve(out)
      },
    })
  })
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'

describe('the HTTP/1.1 upstream pool', () => {
  it('writes host first, then connection, then the fields, and reuses the connection', async () => {
    let seen = ''
    const server = await rawServer((socket, received) => {
      answering(OK)(socket)
      socket.on('data', () => (seen = received()))
    })
    const p = pool(server.port)
    const first = await exchange(p, request())
    expect(first).toMatchObject({status: 200, body: 'ok', error: null})
    expect(seen).toBe('GET / HTTP/1.1\r\nhost: app.test\r\nconnection: keep-alive\r\nAccept: */*\r\n\r\n')
    // A released connection is reused from the next turn of the event loop on.
    await new Promise((resolve) => setImmediate(resolve))
    await exchange(p, request({path: '/two'}))
    expect(server.connections()).toBe(1)
  })

  it('sends content-length: 0 for a POST without a body (client-h1.js writeBuffer), and HEAD with connection: close', async () => {
    const heads: string[] = []
    const server = await rawServer(answering((req) => (heads.push(req), 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n' + (req.startsWith('HEAD') ? '' : 'abc'))))
    const p = pool(server.port)
    await exchange(p, request({method: 'POST'}))
    expect(heads[0]).toContain('\r\ncontent-length: 0\r\n\r\n')
    const head = await exchange(p, request({method: 'HEAD'}))
    expect(head).toMatchObject({status: 200, body: '', error: null})
    expect(heads[1]).toContain('connection: close')
  })

  it('streams a body of unknown length chunked, and one with a Content-Length as is', async () => {
    const bodies: string[] = []
    const server = await rawServer((socket, received) => {
      socket.on('data', () => {
        const text = received()
        if (text.endsWith('0\r\n\r\n') || text.endsWith('abcdef')) {
          bodies.push(text)
          socket.write(OK)
        }
      })
    })
    const chunked = new PassThrough()
    const done = exchange(pool(server.port), request({method: 'POST', body: chunked}))
    chunked.write('abc')
    setTimeout(() => chunked.end('def'), 20)
    expect((await done).status).toBe(200)
    expect(bodies[0]).toMatch(/transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n$/)
    const sized = new PassThrough()
    const done2 = exchange(pool(server.port), request({method: 'PUT', headers: ['Host', 'a', 'Content-Length', '6'], body: sized}))
    sized.end('abcdef')
    expect((await done2).status).toBe(200)
    expect(bodies[1]).toMatch(/content-length: 6\r\n\r\nabcdef$/)
  })

  // test/edge/http2.test.ts "content-length shorter than DATA": the stream is reset after its first
  // DATA frame completed the declared length. Nothing may have reached the upstream as a request.
  it('holds a sized body\'s last bytes until the client\'s message ends', async () => {
    let received = ''
    const server = await rawServer((socket, text) => socket.on('data', () => (received = text())))
    const body = new PassThrough()
    const done = exchange(pool(server.port), request({method: 'POST', headers: ['Host', 'a', 'Content-Length', '5'], body}))
    body.write('hello')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(received).toBe('')
    body.destroy(new Error('stream reset by the client'))
    expect((await done).error?.message).toBe('stream reset by the client')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(received).toBe('')
  })

  it('does not read bytes an upstream sent after its response as the next request\'s answer', async () => {
    const server = await rawServer((socket) =>
      socket.on('data', (d) => {
        if (!d.toString().startsWith('GET /first')) return socket.write(OK)
        socket.write(OK)
        setImmediate(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nEVIL!'))
      }),
    )
    const p = pool(server.port)
    // The next request goes out the moment the first completes, as a busy proxy's would.
    const second = await new Promise<Outcome>((resolve) => {
      const out: Outcome = {status: 0, headers: [], body: '', trailers: null, error: null}
      p.dispatch(request({path: '/first'}), {
        onConnect: () => {},
        onHeaders: () => true,
        onData: () => true,
        onComplete: () => resolve(exchange(p, request({path: '/second'}))),
        onError: (error) => resolve({...out, error}),
      })
    })
    expect(second).toMatchObject({status: 200, body: 'ok', error: null})
  })

  it('waits for the response head from when the request body is out, not while it uploads (client-h1.js)', async () => {
    const server = await rawServer((socket, text) => socket.on('data', () => text().endsWith('0\r\n\r\n') && socket.write(OK)))
    const body = new PassThrough()
    const done = exchange(pool(server.port), request({method: 'POST', body, headersTimeout: 150}))
    for (let i = 0; i < 4; i++) {
      body.write('part')
      await new Promise((resolve) => setTimeout(resolve, 80))
    }
    body.end()
    expect(await done).toMatchObject({status: 200, error: null})
  })

  it('sends a streamed body that turned out empty as no body', async () => {
    const heads: string[] = []
    const server = await rawServer(answering((req) => (heads.push(req), OK)))
    const empty = new PassThrough()
    const done = exchange(pool(server.port), request({body: empty}))
    empty.end()
    expect((await done).status).toBe(200)
    expect(heads[0]).toBe('GET / HTTP/1.1\r\nhost: app.test\r\nconnection: close\r\nAccept: */*\r\n\r\n')
  })

  it('fails a body longer than its Content-Length before it goes out', async () => {
    const server = await rawServer(() => {})
    const body = new PassThrough()
    const done = exchange(pool(server.port), request({method: 'PUT', headers: ['Host', 'a', 'Content-Length', '2'], body}))
    body.end('abc')
    expect((await done).error).toMatchObject({code: 'KINGRESS_UPSTREAM_REQUEST_LENGTH'})
  })

  it('relays a chunked answer with its trailers, and a body that ends with the close', async () => {
    const server = await rawServer((socket) =>
      socket.on('data', (d) => {
        if (d.toString().startsWith('GET /close')) socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')
        else socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\nGrpc-Status: 0\r\n\r\n')
      }),
    )
    const p = pool(server.port)
    expect(await exchange(p, request())).toMatchObject({body: 'abcd', trailers: ['Grpc-Status', '0']})
    expect(await exchange(p, request({path: '/close'}))).toMatchObject({body: 'until the end', error: null})
  })

  it('fails with a reset when the upstream closes mid-body, and with a timeout when it stalls', async () => {
    const server = await rawServer((socket) =>
      socket.on('data', (d) => {
        const text = d.toString()
        if (text.startsWith('GET /cut')) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
        else if (text.startsWith('GET /stall')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')
      }),
    )
    const p = pool(server.port)
    const cut = await exchange(p, request({path: '/cut'}))
    expect(cut).toMatchObject({status: 200, body: 'abc', error: {code: 'KINGRESS_UPSTREAM_CLOSED'}})
    const silent = await exchange(p, request({path: '/silent', headersTimeout: 150}))
    expect(silent.error).toMatchObject({code: 'KINGRESS_UPSTREAM_HEADERS_TIMEOUT'})
    const stall = await exchange(p, request({path: '/stall', bodyTimeout: 150}))
    expect(stall).toMatchObject({body: 'abc', error: {code: 'KINGRESS_UPSTREAM_BODY_TIMEOUT'}})
  })

  // The connect timeout, against a loopback listener that never accepts: test/proxy/annotations/connect-timeout.test.ts.
  it('reports a refused connection with the OS code', async () => {
    const server = await rawServer(() => {})
    const port = server.port
    await new Promise((resolve) => servers.pop()!.close(resolve))
    expect((await exchange(pool(port), request())).error).toMatchObject({code: 'ECONNREFUSED'})
  })

  it('pauses the upstream while the handler says so, and resumes on its call', async () => {
    const big = 'x'.repeat(256 * 1024)
    const server = await rawServer(answering(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n${big}`))
    let resume: (() => void) | null = null
    let paused = 0
    const done = exchange(pool(server.port), request({bodyTimeout: 100}), {
      onHeaders: (_s, _h, r) => ((resume = r), true),
      onData: () => {
        paused++
        setTimeout(() => resume!(), 150)
        return false
      },
    })
    const out = await done
    expect(out.error).toBeNull()
    expect(out.body.length).toBe(big.length)
    // Paused longer than the body timeout each time: a slow client is not a stalled upstream.
    expect(paused).toBeGreaterThan(0)
  })

  it('discards a connection after a 204 that declared a body, with the error forward.ts turns into an empty answer', async () => {
    const server = await rawServer(answering('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n'))
    const out = await exchange(pool(server.port), request())
    expect(out).toMatchObject({status: 204, error: {code: 'KINGRESS_UPSTREAM_BODYLESS_WITH_BODY'}})
  })

  it('does not reuse a connection after bytes beyond the response or Connection: close', async () => {
    const server = await rawServer(answering((req) => (req.startsWith('GET /extra') ? `${OK}junk` : 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok')))
    const p = pool(server.port)
    await exchange(p, request({path: '/extra'}))
    await exchange(p, request({path: '/close'}))
    await exchange(p, request({path: '/close'}))
    expect(server.connections()).toBe(3)
  })

  it('closes idle connections after the keep-alive time, sooner when the server says so', async () => {
    const closed: number[] = []
    const server = await rawServer((socket) => {
      const opened = Date.now()
      socket.on('close', () => closed.push(Date.now() - opened))
      answering('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok')(socket)
    })
    const p = pool(server.port, {keepAliveMs: 300})
    await exchange(p, request())
    // timeout=1 less the 1 s margin is 0: closed right after the response.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(closed.length).toBe(1)
    expect(closed[0]).toBeLessThan(100)
  })

  it('queues requests beyond the connection limit and serves them in order', async () => {
    const server = await rawServer(answering((req) => `HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${req.split(' ')[1]!.slice(1)}`))
    const p = pool(server.port, {connections: 2})
    const outs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((path) => exchange(p, request({path: `/${path}`}))))
    expect(outs.map((o) => o.body)).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(server.connections()).toBe(2)
  })

  it('refuses a field that cannot go on the wire with its name, before connecting', async () => {
    const server = await rawServer(() => {})
    const p = pool(server.port)
    expect((await exchange(p, request({headers: ['Host', 'a', 'X-Edit', 'bad\r\nInjected: 1']}))).error).toMatchObject({code: 'KINGRESS_UPSTREAM_UNSENDABLE_HEADER', message: 'invalid X-Edit header'})
    expect((await exchange(p, request({headers: ['Host', 'a', 'Transfer-Encoding', 'chunked']}))).error).toMatchObject({message: 'invalid transfer-encoding header'})
    expect((await exchange(p, request({path: '/a b'}))).error).toMatchObject({code: 'KINGRESS_UPSTREAM_INVALID_REQUEST'})
    expect(server.connections()).toBe(0)
  })

  it('aborts an exchange from the handler: the handler hears its own error once, the connection is dropped', async () => {
    const server = await rawServer(() => {})
    let errors = 0
    const out = await new Promise<Error>((resolve) => {
      pool(server.port).dispatch(request(), {
        onConnect: (abort) => setTimeout(() => abort(new Error('client gone')), 20),
        onHeaders: () => true,
        onData: () => true,
        onComplete: () => {},
        onError: (error) => {
          errors++
          resolve(error)
        },
      })
    })
    expect(out.message).toBe('client gone')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(errors).toBe(1)
  })

  it('close() lets the exchange in flight finish; destroy() fails what is queued', async () => {
    let hold: Socket | null = null
    const server = await rawServer((socket) => socket.once('data', () => (hold = socket)))
    const p = pool(server.port, {connections: 1})
    const first = exchange(p, request())
    const queued = exchange(p, request({path: '/queued'}))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const closing = p.close()
    hold!.write(OK)
    expect((await first).body).toBe('ok')
    await new Promise((resolve) => setTimeout(resolve, 20))
    hold!.write(OK)
    expect((await queued).body).toBe('ok')
    await closing
    const p2 = pool(server.port, {connections: 1})
    const busy = exchange(p2, request())
    const waiting = exchange(p2, request())
    await new Promise((resolve) => setTimeout(resolve, 50))
    // close() then destroy(): both promises settle.
    await Promise.all([p2.close(), p2.destroy()])
    expect((await busy).error).toMatchObject({code: 'KINGRESS_UPSTREAM_POOL_CLOSED'})
    expect((await waiting).error).toMatchObject({code: 'KINGRESS_UPSTREAM_POOL_CLOSED'})
  })
})
