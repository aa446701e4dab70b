import {describe, expect, it} from 'vitest'

import type {ResponseHead} from '../../../src/proxy/upstream/response-head.js'
import {ResponseParser} from '../../../src/proxy/upstream/response-parser.js'

// The framing rules are RFC 9112 §6.3 (message body length) and §7.1 (chunked); the strictness is
// llhttp's without lenient flags, which undici's client (src/proxy/upstream replaced it on the plain
// HTTP path) ran: lib/dispatcher/client-h1.js.

interface Seen {
  heads: ResponseHead[]
  body: string
  trailers: string[] | null | undefined
  ends: number
}

function parser(opts: {pauseEvery?: boolean; maxHeadSize?: number} = {}): {p: ResponseParser; seen: Seen} {
  const seen: Seen = {heads: [], body: '', trailers: undefined, ends: 0}
  const p = new ResponseParser(
    {
      onHead: (head) => seen.heads.push(head),
      onBody: (chunk) => {
        seen.body += chunk.toString('latin1')
        return !opts.pauseEvery
      },
      onEnd: (trailers) => {
        seen.ends++
        seen.trailers = trailers
      },
    },
    opts.maxHeadSize ?? 64 * 1024,
  )
  return {p, seen}
}

/** Feeds the message one byte at a time: every split point a socket read could make. */
function byteByByte(p: ResponseParser, text: string): number {
  const data = Buffer.from(text, 'latin1')
  let leftover = 0
  for (let i = 0; i < data.length; i++) leftover += p.execute(data.subarray(i, i + 1))
  return leftover
}

describe('the upstream response parser', () => {
  it('reads a Content-Length body, keeps names as sent and trims only SP and HTAB', () => {
    const {p, seen} = parser()
    p.start('GET')
    expect(p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Odd:  \t a\xa0b \t\r\nContent-Length: 5\r\n\r\nhello', 'latin1'))).toBe(0)
    expect(seen.heads[0]).toMatchObject({status: 200, reason: 'OK', keepAlive: true, contentLength: 5, framing: {kind: 'length', length: 5}})
    expect(seen.heads[0]!.headers).toEqual(['Content-Type', 'text/plain', 'X-Odd', 'a\xa0b', 'Content-Length', '5'])
    expect(seen.body).toBe('hello')
    expect(seen.ends).toBe(1)
    expect(p.done).toBe(true)
  })

  it('reads a chunked body with extensions and trailers split at every byte', () => {
    const {p, seen} = parser()
    p.start('GET')
    const leftover = byteByByte(p, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nGrpc-Status: 0\r\nX-T: v\r\n\r\n')
    expect(leftover).toBe(0)
    expect(seen.body).toBe('hello0123456789')
    expect(seen.trailers).toEqual(['Grpc-Status', '0', 'X-T', 'v'])
    expect(seen.ends).toBe(1)
  })

  it('ends a chunked body without trailers with null trailers', () => {
    const {p, seen} = parser()
    p.start('GET')
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'))
    expect(seen.body).toBe('abc')
    expect(seen.trailers).toBeNull()
  })

  it('skips 103 Early Hints and refuses a 100 nobody asked for', () => {
    const {p, seen} = parser()
    p.start('GET')
    p.execute(Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n'))
    expect(seen.heads.map((h) => h.status)).toEqual([204])
    expect(seen.ends).toBe(1)
    const second = parser()
    second.p.start('GET')
    // client-h1.js onHeadersComplete: a 100 is a bad response, since no Expect goes upstream.
    expect(() => second.p.execute(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'))).toThrow(/unsolicited 100/)
  })

  it('gives HEAD, 204 and 304 answers no body even with a Content-Length', () => {
    for (const [method, status] of [['HEAD', 200], ['GET', 204], ['GET', 304]] as const) {
      const {p, seen} = parser()
      p.start(method)
      const leftover = p.execute(Buffer.from(`HTTP/1.1 ${status} X\r\nContent-Length: 10\r\n\r\n`))
      expect(leftover).toBe(0)
      expect(seen.heads[0]!.framing).toEqual({kind: 'none'})
      expect(seen.heads[0]!.contentLength).toBe(10)
      expect(seen.ends).toBe(1)
    }
  })

  it('reports the bytes after a complete response (the connection cannot be reused)', () => {
    const {p} = parser()
    p.start('GET')
    expect(p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'))).toBe(5)
  })

  it('reads a body without length or chunking to the close, and never keeps that connection', () => {
    const {p, seen} = parser()
    p.start('GET')
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\npart one '))
    p.execute(Buffer.from('part two'))
    expect(p.endsAtClose).toBe(true)
    expect(seen.heads[0]!.keepAlive).toBe(false)
    expect(seen.ends).toBe(0)
    p.closeEnded()
    expect(seen.body).toBe('part one part two')
    expect(seen.ends).toBe(1)
  })

  it('keeps HTTP/1.0 connections only with Connection: keep-alive, and HTTP/1.1 ones unless close', () => {
    const cases: [string, boolean][] = [
      ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n', true],
      ['HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\nKeep-Alive: timeout=5, max=100\r\n\r\n', true],
    ]
    for (const [text, keepAlive] of cases) {
      const {p, seen} = parser()
      p.start('GET')
      p.execute(Buffer.from(text))
      expect(seen.heads[0]!.keepAlive).toBe(keepAlive)
    }
    const {p, seen} = parser()
    p.start('GET')
    p.execute(Buffer.from(cases[3]![0]))
    expect(seen.heads[0]!.keepAliveSeconds).toBe(5)
  })

  it('holds what arrives after a pause and delivers it on resume', () => {
    const {p, seen} = parser({pauseEvery: true})
    p.start('GET')
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n'))
    expect(seen.body).toBe('ab')
    expect(p.isPaused).toBe(true)
    p.execute(Buffer.from(''))
    expect(p.resume()).toBe(0)
    expect(seen.body).toBe('abcd')
    expect(p.resume()).toBe(0)
    expect(seen.ends).toBe(1)
  })

  it('refuses what would let two parsers disagree on where a message ends', () => {
    const bad: [string, RegExp][] = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx', /two Content-Length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', /both Transfer-Encoding and Content-Length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n', /is not a length/],
      ['HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n', /is not a length/],
      ['HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n', /no valid field name/],
      ['HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n', /reason phrase has a control character/],
      ['HTTP/1.1 200 OK\r\nX-A: a\nb\r\n\r\n', /control character/],
      ['HTTP/1.1 200 OK\r\nX-A : b\r\n\r\n', /no valid field name/],
      ['HTTP/2 200\r\n\r\n', /is not HTTP\/1.x/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /not hexadecimal/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', /does not end with CRLF/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n', /not hexadecimal/],
    ]
    for (const [text, message] of bad) {
      const {p} = parser()
      p.start('GET')
      expect(() => p.execute(Buffer.from(text, 'latin1')), text).toThrow(message)
    }
  })

  it('refuses a head larger than the limit, whether or not it has ended', () => {
    const {p} = parser({maxHeadSize: 100})
    p.start('GET')
    expect(() => p.execute(Buffer.from(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200)}`))).toThrow(/larger than 100 bytes/)
    const second = parser({maxHeadSize: 100})
    second.p.start('GET')
    expect(() => second.p.execute(Buffer.from(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200)}\r\n\r\n`))).toThrow(/larger than 100 bytes/)
  })

  it('refuses trailers larger than the limit, whether or not they have ended', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n'
    const {p} = parser({maxHeadSize: 100})
    p.start('GET')
    expect(() => p.execute(Buffer.from(`${head}X-Big: ${'a'.repeat(200)}`))).toThrow(/trailers are larger than 100 bytes/)
    const second = parser({maxHeadSize: 100})
    second.p.start('GET')
    expect(() => second.p.execute(Buffer.from(`${head}X-Big: ${'a'.repeat(200)}\r\n\r\n`))).toThrow(/trailers are larger than 100 bytes/)
  })

  it('delivers nothing once stopped', () => {
    const {p, seen} = parser()
    p.start('GET')
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab'))
    p.stop()
    p.execute(Buffer.from('cd'))
    expect(seen.body).toBe('ab')
    expect(seen.ends).toBe(0)
  })
})
