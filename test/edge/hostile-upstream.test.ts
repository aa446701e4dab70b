import {describe, expect, it} from 'vitest'

import {canaryRequest, expectCanary, expectClean, useEdge} from './support/edge-fixture.js'
import {rawExchange} from './support/raw-client.js'

/**
 * Upstreams that answer badly, behind a real `kingress up`. A response the client gets is framed by
 * kingress, never by the upstream's bytes (RFC 9112 §6.3: 204/304 and HEAD answers have no body
 * whatever their headers say); a malformed answer is a 502 and its upstream socket is not reused,
 * so leftover bytes can never become the next client's response.
 */
describe('hostile upstreams behind `kingress up`', () => {
  const edge = useEdge()

  /** The first request gets `answer`, every later one the JSON echo. */
  function once(answer: string): void {
    let used = false
    edge.app.responder = () => {
      if (used) return null
      used = true
      return answer
    }
  }

  const BODYLESS: [string, string, string][] = [
    ['204 with a body', 'GET', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/'],
    ['304 with a chunked body', 'GET', 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['HEAD answered with a body', 'HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/'],
  ]
  for (const [name, method, answer] of BODYLESS) {
    it(`${name}: the client gets the head without a body, and the next answer is its own`, async () => {
      once(answer)
      const result = await rawExchange(edge.httpPort, `${method} /x HTTP/1.1\r\nHost: edge.test\r\n\r\n`, {then: canaryRequest(name.replace(/\W+/g, '-')), methods: [method, 'GET'], quietMs: 400})
      expect(result.responses[0]?.status, edge.cli.stdout().split("\n").slice(-3).join("\n") + edge.cli.stderr()).toBe(Number(answer.slice(9, 12)))
      expect(result.responses[0]!.body).toBe('')
      if (name.startsWith('204')) expect(result.responses[0]!.headers['content-length']).toBeUndefined()
      // A fresh connection's canary must not read the leftover body as its response either.
      if (result.responses.length > 1) expectCanary(result, name.replace(/\W+/g, '-'), 1)
      expect(result.garbage).toBe('')
      await expectClean(edge, name)
    })
  }

  const MALFORMED: [string, string][] = [
    ['two Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
    ['Content-Length and chunked', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['no status line', 'HTTPX/1.1 200 OK\r\n\r\n'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'],
    ['space in a header name', 'HTTP/1.1 200 OK\r\nBad Header: x\r\nContent-Length: 0\r\n\r\n'],
  ]
  for (const [name, answer] of MALFORMED) {
    it(`${name} → 502, and that upstream socket is not reused`, async () => {
      once(answer)
      const before = edge.app.connections
      const result = await rawExchange(edge.httpPort, `GET /x HTTP/1.1\r\nHost: edge.test\r\n\r\n`, {quietMs: 400, expect: 1})
      // A framing error may surface after the head went out (bad chunk): then the response is cut.
      if (name === 'bad chunk size') expect([200, 502]).toContain(result.responses[0]?.status ?? 502)
      else expect(result.responses[0]!.status).toBe(502)
      const tag = name.replace(/\W+/g, '-')
      await expectClean(edge, tag)
      // The canary came on a new upstream connection.
      expect(edge.app.connections).toBeGreaterThan(before)
    })
  }

  it('a second response the upstream volunteers is never given to the next request', async () => {
    once('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED')
    const first = await rawExchange(edge.httpPort, 'GET /x HTTP/1.1\r\nHost: edge.test\r\n\r\n', {then: canaryRequest('volunteer'), quietMs: 400})
    expect(first.responses[0]!.body).toBe('ok')
    for (let i = 0; i < 5; i++) {
      const next = await rawExchange(edge.httpPort, canaryRequest(`volunteer-${i}`), {expect: 1})
      expectCanary(next, `volunteer-${i}`)
    }
    expect(first.raw).not.toContain('SMUGGLED')
    await expectClean(edge, 'volunteer')
  })
})
