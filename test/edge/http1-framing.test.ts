import {describe, expect, it} from 'vitest'

import {canaryRequest, expectCanary, expectClean, useEdge} from './support/edge-fixture.js'
import {rawExchange} from './support/raw-client.js'

/**
 * Hostile HTTP/1.1 request heads and bodies against a real `kingress up`. Each probe is followed by
 * a canary on the same connection (when kingress keeps it open) and one on a fresh connection, and
 * the raw upstreams' counts show that nothing was smuggled, half-forwarded or routed past a rule.
 */
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n'
const SMUGGLED_ADMIN = 'GET /admin/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n'

interface Probe {
  readonly name: string
  readonly bytes: string
  /** The statuses kingress may answer with (first response). */
  readonly status: readonly number[]
  /** How many requests app may receive for the probe itself (besides canaries). */
  readonly forwarded?: number
  /** Where the expectation comes from. */
  readonly source: string
}

// Request smuggling families (Linhart et al. 2005; Kettle, "HTTP Desync Attacks", 2019; the HTTP
// Garden findings): a front end and a back end that disagree on where a request ends.
const SMUGGLING: Probe[] = [
  {name: 'CL.TE', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG${SMUGGLED}`, status: [400], source: 'RFC 9112 §6.1: CL with TE is an error a server may reject; nginx 400'},
  {name: 'TE.CL', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${(SMUGGLED.length + 0).toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`, status: [400], source: 'RFC 9112 §6.1, §6.3'},
  {name: 'TE.TE duplicate', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400, 501], source: 'RFC 9112 §6.1: chunked must be the final coding, once'},
  {name: 'TE.TE xchunked', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400, 501], source: 'nginx ngx_http_request.c: unknown Transfer-Encoding → 501'},
  {name: 'TE.TE chunked, identity', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400, 501], source: 'RFC 9112 §6.3: chunked not last → 400'},
  {name: 'TE.TE gzip, chunked', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [501], source: 'nginx: any Transfer-Encoding but chunked → 501'},
  {name: 'TE.TE space before colon', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9112 §5.1: whitespace before the colon → 400'},
  {name: 'TE.TE vertical tab', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: \x0bchunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9110 §5.5: field values have no control characters'},
  {name: 'TE.TE obs-fold', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nX: y\r\n Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9112 §5.2: obs-fold in a request → 400'},
  {name: 'TE.TE bare LF', bytes: `POST / HTTP/1.1\r\nHost: edge.test\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9112 §2.2: a bare LF may be rejected'},
  {name: 'TE on HTTP/1.0', bytes: `POST / HTTP/1.0\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9112 §6.1: HTTP/1.0 with TE is faulty framing; nginx 400'},
  {name: 'CL duplicate', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9112 §6.3: differing Content-Length → 400'},
  {name: 'CL with sign', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nContent-Length: +${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, status: [400], source: 'RFC 9110 §8.6: Content-Length is 1*DIGIT'},
  {name: 'chunk size 0x5', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n`, status: [400], source: 'RFC 9112 §7.1: chunk-size is 1*HEXDIG'},
  {name: 'chunk size overflow', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF5\r\nhello\r\n0\r\n\r\n`, status: [400], source: 'HTTP Garden: chunk-size integer overflow'},
  // Extensions are legal and ignored (nginx skips them); an 80 KB flood is cut by Node's parser.
  {name: 'chunk extension flood', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n2${';a=b'.repeat(20_000)}\r\nab\r\n0\r\n\r\n`, status: [400], source: 'RFC 9112 §7.1.1; Node limits chunk extensions (CVE-2024-22019)'},
  {name: 'chunk LF only', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\n0\n\n`, status: [400], source: 'RFC 9112 §7.1: chunks end in CRLF'},
  {name: 'bad trailer', bytes: `POST / HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n`, status: [400], source: 'RFC 9112 §7.1.2: trailer fields are field lines'},
]

const HEADS: Probe[] = [
  {name: 'HTTP/2.0 request line', bytes: 'GET / HTTP/2.0\r\nHost: edge.test\r\n\r\n', status: [505], source: 'issue 15 crash; nginx ngx_http_parse.c: major > 1 → 505'},
  {name: 'HTTP/0.9', bytes: 'GET /\r\n\r\n', status: [400, 505], source: 'RFC 9112 §2.3; nginx only serves 0.9 without headers, kingress never'},
  {name: 'HTTP/1.2', bytes: 'GET / HTTP/1.2\r\nHost: edge.test\r\n\r\n', status: [400, 505], source: 'RFC 9112 §2.3'},
  {name: 'HTTP/3.0', bytes: 'GET / HTTP/3.0\r\nHost: edge.test\r\n\r\n', status: [400, 505], source: 'RFC 9112 §2.3'},
  {name: 'fragment', bytes: 'GET /admin#x HTTP/1.1\r\nHost: edge.test\r\n\r\n', status: [400], source: 'RFC 9112 §3.2: origin-form has no fragment'},
  {name: 'fragment after path', bytes: 'GET /#/admin HTTP/1.1\r\nHost: edge.test\r\n\r\n', status: [400], source: 'RFC 9112 §3.2'},
  {name: 'backslash', bytes: 'GET /x\\..\\admin HTTP/1.1\r\nHost: edge.test\r\n\r\n', status: [400], source: 'issue 15: backends disagree on backslash'},
  {name: 'encoded NUL', bytes: 'GET /admin%00/x HTTP/1.1\r\nHost: edge.test\r\n\r\n', status: [400], source: 'nginx ngx_http_parse_complex_uri: %00 → 400'},
  {name: 'CONNECT', bytes: 'CONNECT edge.test:443 HTTP/1.1\r\nHost: edge.test:443\r\n\r\n', status: [405], source: 'RFC 9110 §9.3.6; kingress is no forward proxy'},
  {name: 'two Host', bytes: 'GET /admin HTTP/1.1\r\nHost: other.test\r\nHost: edge.test\r\n\r\n', status: [400], source: 'RFC 9112 §3.2: more than one Host → 400'},
  {name: 'no Host on 1.1', bytes: 'GET / HTTP/1.1\r\n\r\n', status: [400], source: 'RFC 9112 §3.2'},
  {name: 'Host with comma', bytes: 'GET / HTTP/1.1\r\nHost: edge.test,other.test\r\n\r\n', status: [400], source: 'RFC 9112 §3.2: invalid field value → 400'},
  {name: 'Host with userinfo', bytes: 'GET / HTTP/1.1\r\nHost: a@edge.test\r\n\r\n', status: [400], source: 'RFC 9110 §7.2'},
  {name: 'Host with slash', bytes: 'GET / HTTP/1.1\r\nHost: edge.test/admin\r\n\r\n', status: [400], source: 'nginx ngx_http_validate_host'},
  {name: 'Host port over 65535', bytes: 'GET / HTTP/1.1\r\nHost: edge.test:65536\r\n\r\n', status: [400], source: 'RFC 3986 §3.2.3'},
  {name: 'Host with space', bytes: 'GET / HTTP/1.1\r\nHost: edge.test other\r\n\r\n', status: [400], source: 'RFC 9112 §3.2'},
  {name: 'absolute-form routes on its authority', bytes: 'GET http://edge.test/admin/x HTTP/1.1\r\nHost: other.test\r\n\r\n', status: [403], source: 'RFC 9112 §3.2.2: the target authority wins over Host'},
  {name: 'absolute-form with userinfo', bytes: 'GET http://u@edge.test/ HTTP/1.1\r\nHost: edge.test\r\n\r\n', status: [400], source: 'RFC 9110 §4.2.4'},
  {name: 'asterisk-form', bytes: 'OPTIONS * HTTP/1.1\r\nHost: edge.test\r\n\r\n', status: [400], source: 'kingress routes origin- and absolute-form only'},
  {name: 'Upgrade h2c with a body', bytes: 'POST / HTTP/1.1\r\nHost: edge.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\nContent-Length: 5\r\n\r\nhello', status: [400], source: 'Bishop Fox, h2c smuggling (2020)'},
]

describe('HTTP/1.1 framing and request heads against `kingress up`', () => {
  const edge = useEdge()

  for (const probe of [...SMUGGLING, ...HEADS]) {
    it(`${probe.name} → ${probe.status.join('/')} (${probe.source})`, async () => {
      const tag = probe.name.replace(/[^a-z0-9]+/gi, '-')
      // A request pipelined right behind (same packet): it must not ride on a refused one.
      const result = await rawExchange(edge.httpPort, probe.bytes + SMUGGLED_ADMIN, {then: canaryRequest(tag), quietMs: 400})
      expect(result.responses.length, JSON.stringify(result.raw.slice(0, 400))).toBeGreaterThanOrEqual(1)
      expect(probe.status).toContain(result.responses[0]!.status)
      // The answer is kingress's own: nothing of the probe reached an upstream.
      expect(edge.app.requests.filter((r) => !r.target.startsWith('/canary/')).map((r) => r.target)).toHaveLength(probe.forwarded ?? 0)
      if (result.responses.length > 1) {
        // The connection stayed open (the probe was answered and kept it): the pipelined admin
        // request was routed as itself and denied by its access list, then the canary, in order.
        expect(result.responses.map((r) => r.status)).toEqual([result.responses[0]!.status, 403, 200])
        expectCanary(result, tag, 2)
      } else {
        expect(result.closed, 'a refused request closes its connection').toBe(true)
      }
      expect(result.garbage).toBe('')
      await expectClean(edge, tag)
    })
  }

  it('a valid chunked request with a tab before the value and odd case is one request, framed once', async () => {
    const result = await rawExchange(edge.httpPort, `POST /ok HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding:\tcHuNkEd\r\n\r\n5\r\nhello\r\n0\r\n\r\n`, {then: canaryRequest('tab'), expect: 2})
    expect(result.responses.map((r) => r.status)).toEqual([200, 200])
    expect(JSON.parse(result.responses[0]!.body)).toMatchObject({target: '/ok', bodyLength: 5})
    expectCanary(result, 'tab', 1)
    await expectClean(edge, 'tab')
  })

  it('pipelined requests are answered in order, one upstream request each', async () => {
    const result = await rawExchange(edge.httpPort, [canaryRequest('p1'), canaryRequest('p2'), `POST /p3 HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 3\r\n\r\nabc`, canaryRequest('p4')], {expect: 4})
    expect(result.responses.map((r) => JSON.parse(r.body).target)).toEqual(['/canary/p1', '/canary/p2', '/p3', '/canary/p4'])
    expect(edge.app.requests.map((r) => r.target)).toEqual(['/canary/p1', '/canary/p2', '/p3', '/canary/p4'])
    await expectClean(edge, 'pipelined')
  })

  it('drops underscore headers and the headers Connection names; X-Forwarded-For is the client, its own value moves to X-Original-Forwarded-For', async () => {
    // ingress-nginx defaults: underscores_in_headers off, ignore_invalid_headers on (nginx.tmpl),
    // use-forwarded-headers false (config.go); RFC 9110 §7.6.1 for Connection.
    const result = await rawExchange(edge.httpPort, 'GET /h HTTP/1.1\r\nHost: edge.test\r\nX_Real_Ip: 6.6.6.6\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\nX-Forwarded-For: 1.2.3.4\r\nX-Original-Forwarded-For: forged\r\n\r\n', {expect: 1})
    expect(result.responses[0]!.status).toBe(200)
    const seen = new Map(edge.app.requests[0]!.headers.map(([n, v]) => [n.toLowerCase(), v]))
    expect(seen.has('x_real_ip')).toBe(false)
    expect(seen.has('x-secret')).toBe(false)
    expect(seen.get('x-forwarded-for')).toBe('127.0.0.1')
    expect(seen.get('x-original-forwarded-for')).toBe('1.2.3.4')
    expect(edge.app.requests[0]!.headers.filter(([n]) => n.toLowerCase() === 'host').map(([, v]) => v)).toEqual(['edge.test'])
    await expectClean(edge, 'headers')
  })

  it('absolute-form is forwarded in origin-form with the authority as Host', async () => {
    const result = await rawExchange(edge.httpPort, 'GET http://edge.test/abs?q=1 HTTP/1.1\r\nHost: other.test\r\n\r\n', {expect: 1})
    expect(result.responses[0]!.status).toBe(200)
    const seen = edge.app.requests[0]!
    expect(seen.target).toBe('/abs?q=1')
    expect(seen.headers.filter(([n]) => n.toLowerCase() === 'host').map(([, v]) => v)).toEqual(['edge.test'])
    await expectClean(edge, 'absolute')
  })
})
