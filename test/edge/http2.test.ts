import {connect as tlsConnect} from 'node:tls'

import {describe, expect, it} from 'vitest'

import {expectClean, useEdge} from './support/edge-fixture.js'
import {data, END_STREAM, FrameType, H2Connection, headers, request, rstStream} from './support/h2-frames.js'

const SMUGGLED = 'GET /admin/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n'

interface H2Probe {
  readonly name: string
  /** Frames for stream 1. */
  readonly frames: () => Buffer[]
  /** Acceptable outcomes: statuses, a stream reset, or the connection refused with GOAWAY. */
  readonly outcome: readonly (number | 'rst' | 'goaway')[]
  readonly source: string
}

// HTTP/2 → HTTP/1.1 downgrade (Kettle, "HTTP/2: The Sequel is Always Worse", 2021): fields an h2
// front end must treat as malformed (RFC 9113 §8.1.1, §8.2, §8.3) or an h1 back end would reframe.
const PROBES: H2Probe[] = [
  {name: 'transfer-encoding: chunked (H2.TE)', frames: () => [headers(1, request('/', [['transfer-encoding', 'chunked']]), false), data(1, `0\r\n\r\n${SMUGGLED}`)], outcome: ['rst', 400], source: 'RFC 9113 §8.2.2: connection-specific fields are malformed'},
  {name: 'content-length 0 with a body (H2.CL)', frames: () => [headers(1, request('/', [['content-length', '0']], 'edge.test', 'POST'), false), data(1, SMUGGLED)], outcome: ['rst', 'goaway', 400], source: 'RFC 9113 §8.1.1: content-length must equal the DATA length'},
  {name: 'content-length shorter than DATA', frames: () => [headers(1, request('/', [['content-length', '5']], 'edge.test', 'POST'), false), data(1, 'hello', false), data(1, SMUGGLED)], outcome: ['rst', 'goaway', 400, 502], source: 'RFC 9113 §8.1.1'},
  {name: 'CRLF in a header value', frames: () => [headers(1, request('/', [['x-a', `b\r\nTransfer-Encoding: chunked`]]))], outcome: ['rst', 400, 200], source: 'RFC 9113 §8.2.1: CR, LF and NUL are malformed in values (nghttp2 drops the field: 200 without it)'},
  {name: 'CRLF in :path (request line injection)', frames: () => [headers(1, request(`/ HTTP/1.1\r\nHost: edge.test\r\n\r\n${SMUGGLED}`))], outcome: ['rst', 400], source: 'RFC 9113 §8.2.1'},
  {name: 'space in :path', frames: () => [headers(1, request('/x HTTP/1.1'))], outcome: ['rst', 400], source: 'RFC 9113 §8.3.1: :path is a request target'},
  {name: 'upper-case header name', frames: () => [headers(1, request('/', [['Transfer-Encoding', 'chunked']]))], outcome: ['rst', 400], source: 'RFC 9113 §8.2.1: names are lower case'},
  {name: 'colon in a header name', frames: () => [headers(1, request('/', [['x:y', '1']]))], outcome: ['rst', 400, 200], source: 'RFC 9113 §8.2.1 (nghttp2 drops the field)'},
  {name: 'pseudo-header after a regular one', frames: () => [headers(1, [[':method', 'GET'], [':scheme', 'https'], ['x-a', '1'], [':authority', 'edge.test'], [':path', '/']])], outcome: ['rst', 400], source: 'RFC 9113 §8.3: pseudo-headers come first'},
  {name: 'two :path', frames: () => [headers(1, request('/', [[':path', '/admin/smuggled']]))], outcome: ['rst', 400], source: 'RFC 9113 §8.3.1: each pseudo-header once'},
  {name: 'connection header', frames: () => [headers(1, request('/', [['connection', 'keep-alive']]))], outcome: ['rst', 400], source: 'RFC 9113 §8.2.2'},
  {name: 'te: gzip', frames: () => [headers(1, request('/', [['te', 'gzip']]))], outcome: ['rst', 400], source: 'RFC 9113 §8.2.2: te may only be trailers'},
  {name: 'fragment in :path', frames: () => [headers(1, request('/admin#x'))], outcome: [400], source: 'RFC 9113 §8.3.1; RFC 9112 §3.2'},
  {name: 'backslash in :path', frames: () => [headers(1, request('/x\\..\\admin'))], outcome: [400], source: 'issue 15'},
  {name: 'userinfo in :authority', frames: () => [headers(1, request('/', [], 'u@edge.test'))], outcome: ['rst', 400], source: 'RFC 9113 §8.3.1: no userinfo'},
  {name: 'comma in :authority', frames: () => [headers(1, request('/', [], 'edge.test,other.test'))], outcome: [400], source: 'RFC 9110 §7.2'},
  {name: 'host differs from :authority: routes on :authority', frames: () => [headers(1, request('/admin/smuggled', [['host', 'edge.test']], 'other.test'))], outcome: [404, 400], source: 'RFC 9113 §8.3.1: :authority wins'},
  {name: 'CONNECT', frames: () => [headers(1, [[':method', 'CONNECT'], [':authority', 'edge.test:443']])], outcome: [405, 'rst'], source: 'RFC 9113 §8.5; kingress is no forward proxy'},
  {name: 'lower-case method', frames: () => [headers(1, request('/', [], 'edge.test', 'get'))], outcome: [400], source: 'nginx ngx_http_v2_parse_method: A-Z, _ and - only'},
  {name: 'no :authority nor host', frames: () => [headers(1, [[':method', 'GET'], [':scheme', 'https'], [':path', '/']])], outcome: ['rst', 400], source: 'RFC 9113 §8.3.1'},
]

/**
 * Hand-written HTTP/2 frames against a real `kingress up`'s HTTPS listener (ALPN h2). After every
 * probe: a canary on a new stream of the same connection (unless it was closed) and the HTTP/1
 * canary and upstream counts of expectClean.
 */
describe('HTTP/2 frames against `kingress up`', () => {
  const edge = useEdge()

  it('advertises at most 128 concurrent streams (ingress-nginx http2-max-concurrent-streams)', async () => {
    const h2 = await H2Connection.open(edge.httpsPort)
    try {
      await h2.until((frames) => frames.some((f) => f.type === FrameType.SETTINGS && f.flags === 0))
      const settings = h2.frames.find((f) => f.type === FrameType.SETTINGS && f.flags === 0)!
      const values = new Map<number, number>()
      for (let i = 0; i + 6 <= settings.payload.length; i += 6) values.set(settings.payload.readUInt16BE(i), settings.payload.readUInt32BE(i + 2))
      expect(values.get(0x3)).toBe(128)
    } finally {
      h2.close()
    }
  })

  it('an answer of known length ends with its last DATA frame, not an empty frame after it (src/proxy/h2-head.ts)', async () => {
    const h2 = await H2Connection.open(edge.httpsPort)
    try {
      h2.send(headers(1, request('/canary/frames')))
      const ended = (frames: readonly {stream: number; flags: number}[]) => frames.some((f) => f.stream === 1 && f.flags & END_STREAM)
      expect(await h2.until(ended)).toBe(true)
      const stream = h2.frames.filter((f) => f.stream === 1)
      expect(stream.map((f) => f.type)).toEqual([FrameType.HEADERS, FrameType.DATA])
      expect(stream[0]!.flags & END_STREAM).toBe(0)
      expect(stream[1]!.flags & END_STREAM).toBe(END_STREAM)
      expect(JSON.parse(h2.body(1)).target).toBe('/canary/frames')
    } finally {
      h2.close()
    }
  })

  for (const probe of PROBES) {
    it(`${probe.name} → ${probe.outcome.join('/')} (${probe.source})`, async () => {
      const h2 = await H2Connection.open(edge.httpsPort)
      try {
        h2.send(probe.frames())
        const outcome = await h2.outcome(1)
        expect(probe.outcome).toContain(outcome)
        const forwarded = edge.app.requests.filter((r) => !r.target.startsWith('/canary/'))
        // Only a request whose bad field was dropped may pass, and then without any trace of it.
        expect(forwarded.length).toBe(outcome === 200 ? 1 : 0)
        for (const seen of forwarded) expect(seen.headers.filter(([n, v]) => /transfer-encoding|^x-a$|:/i.test(n) || /[\r\n]/.test(v))).toEqual([])
        if (!h2.closed && outcome !== 'goaway') {
          h2.send(headers(3, request('/canary/h2-same')))
          expect(await h2.outcome(3)).toBe(200)
          expect(JSON.parse(h2.body(3)).target).toBe('/canary/h2-same')
        }
        await expectClean(edge, `h2 ${probe.name}`)
      } finally {
        h2.close()
      }
    })
  }

  it('a rapid-reset flood (CVE-2023-44487) ends with GOAWAY and the TCP connection closed; the process serves on', async () => {
    const h2 = await H2Connection.open(edge.httpsPort)
    try {
      // Bounded: 2000 streams opened and cancelled at once.
      const burst: Buffer[] = []
      for (let id = 1; id < 4000; id += 2) burst.push(headers(id, request(`/canary/flood-${id}`)), rstStream(id))
      h2.send(burst)
      const closed = await h2.until(() => h2.closed, 10_000)
      const goaway = h2.frames.some((f) => f.type === FrameType.GOAWAY)
      // Either nghttp2 calls it a flood (GOAWAY, then the socket goes) or every stream was served
      // and cancelled; a connection held open after its GOAWAY is the failure.
      if (goaway) expect(closed).toBe(true)
      await expectClean(edge, 'rapid-reset')
    } finally {
      h2.close()
    }
  }, 30_000)

  it('GET / HTTP/2.0 over TLS with ALPN http/1.1 is a 505, not a crash (issue 15)', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = tlsConnect({host: '127.0.0.1', port: edge.httpsPort, servername: 'edge.test', ALPNProtocols: ['http/1.1'], rejectUnauthorized: false})
      let text = ''
      socket.once('secureConnect', () => socket.write('GET / HTTP/2.0\r\nHost: edge.test\r\n\r\n'))
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')))
      socket.on('close', () => resolve(text))
      socket.on('error', () => resolve(text))
      setTimeout(() => socket.destroy(), 3000).unref()
    })
    expect(reply).toMatch(/^HTTP\/1\.1 505 /)
    await expectClean(edge, 'tls-h1-http2.0')
  })

  it('TLS 1.2 offers only AEAD suites (ingress-nginx ssl-ciphers); TLS 1.3 works', async () => {
    const handshake = (options: {ciphers?: string; maxVersion?: 'TLSv1.2' | 'TLSv1.3'}) =>
      new Promise<string>((resolve) => {
        const socket = tlsConnect({host: '127.0.0.1', port: edge.httpsPort, servername: 'edge.test', rejectUnauthorized: false, ...options})
        socket.once('secureConnect', () => {
          resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`)
          socket.destroy()
        })
        socket.once('error', (error: Error & {code?: string}) => resolve(`error ${error.code ?? error.message}`))
      })
    expect(await handshake({maxVersion: 'TLSv1.3'})).toMatch(/^TLSv1\.3 TLS_/)
    expect(await handshake({maxVersion: 'TLSv1.2'})).toMatch(/^TLSv1\.2 TLS_ECDHE_RSA_WITH_(AES_\d+_GCM|CHACHA20_POLY1305)/)
    for (const cbc of ['ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'AES128-SHA', 'AES256-GCM-SHA384']) {
      expect(await handshake({maxVersion: 'TLSv1.2', ciphers: cbc}), cbc).toMatch(/^error /)
    }
  })
})
