import {once} from 'node:events'
import {connect, createServer, type Http2Server, type IncomingHttpHeaders} from 'node:http2'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {lengthIsKnown, respondWithKnownLength} from '../../src/proxy/h2-head.js'
import {assertSendable} from '../../src/proxy/headers.js'

/** A real HTTP/2 server whose compat handler answers with respondWithKnownLength, and one request to it. */
async function answer(flat: readonly string[], body: string): Promise<{headers: IncomingHttpHeaders; body: string}> {
  server = createServer((_req, res) => {
    respondWithKnownLength(res, 200, flat)
    res.end(body)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  try {
    const stream = client.request({':path': '/'})
    const [headers] = (await once(stream, 'response')) as [IncomingHttpHeaders]
    let text = ''
    stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk))
    await once(stream, 'end')
    return {headers, body: text}
  } finally {
    client.close()
  }
}

let server: Http2Server | null = null
afterEach(async () => {
  if (server) await new Promise((resolve) => server!.close(resolve))
  server = null
})

describe('an HTTP/2 head of known length, sent to the stream directly (src/proxy/h2-head.ts)', () => {
  it('keeps repeated fields, drops connection as the compatibility layer does, and treats Object.prototype names as names', async () => {
    const got = await answer(['Content-Length', '2', 'set-cookie', 'a=1', 'Set-Cookie', 'b=2', 'connection', 'close', 'constructor', 'c', '__proto__', 'p', 'x-one', '1'], 'ok')
    expect(got.body).toBe('ok')
    expect(got.headers[':status']).toBe(200)
    expect(got.headers['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(got.headers.connection).toBeUndefined()
    expect(Object.hasOwn(got.headers, 'constructor') && got.headers.constructor).toBe('c')
    expect(Object.hasOwn(got.headers, '__proto__') && (got.headers as Record<string, unknown>)['__proto__']).toBe('p')
    expect(got.headers['x-one']).toBe('1')
    expect(got.headers['content-length']).toBe('2')
  })

  // forward.ts checks a route's edited head before either HTTP/2 path (test/proxy/unsendable-head.test.ts end to end).
  it('a value Node refuses is refused by the check the caller runs on an edited head (the caller answers 502 instead)', () => {
    expect(() => assertSendable(['x-bad', 'a\r\nb'])).toThrow()
  })

  it('applies only where no trailers can follow: HTTP/1.1 upstreams, by length or a bodyless answer', () => {
    expect(lengthIsKnown('HTTP', 'GET', 200, ['content-length', '5'])).toBe(true)
    expect(lengthIsKnown('HTTPS', 'GET', 200, ['Content-Length', '5'])).toBe(true)
    expect(lengthIsKnown('HTTP', 'GET', 200, ['content-type', 'text/plain'])).toBe(false) // chunked: trailers possible
    expect(lengthIsKnown('HTTP', 'HEAD', 200, [])).toBe(true)
    expect(lengthIsKnown('HTTP', 'GET', 304, [])).toBe(true)
    expect(lengthIsKnown('HTTP', 'GET', 204, [])).toBe(true)
    // gRPC backends answer over HTTP/2: a Content-Length and grpc-status trailers together.
    expect(lengthIsKnown('GRPC', 'POST', 200, ['content-length', '5'])).toBe(false)
    expect(lengthIsKnown('GRPCS', 'POST', 200, ['content-length', '5'])).toBe(false)
  })
})
