import {describe, expect, it} from 'vitest'

import {canaryRequest, expectClean, useEdge} from './support/edge-fixture.js'
import {prng} from './support/prng.js'
import {rawExchange} from './support/raw-client.js'

/**
 * A bounded mutation fuzzer over valid HTTP/1.1 requests against a real `kingress up`, with the
 * invariants of the probe suites: nothing reaches the admin backend (its access list refuses
 * loopback), nothing marked `smuggled` reaches any upstream, the upstreams never read broken framing,
 * every connection's answers are whole responses with the canary last, and the process lives.
 *
 * CI runs a fixed seed, count- and time-bounded. A longer local run:
 *   KINGRESS_FUZZ_CASES=20000 KINGRESS_FUZZ_MS=600000 KINGRESS_FUZZ_SEED=$RANDOM npx vitest run test/edge/fuzz.test.ts
 */
const SEED = Number(process.env.KINGRESS_FUZZ_SEED ?? 1515)
const CASES = Number(process.env.KINGRESS_FUZZ_CASES ?? 240)
const BUDGET_MS = Number(process.env.KINGRESS_FUZZ_MS ?? 15_000)
const PARALLEL = 6

const SMUGGLED = 'GET /admin/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n'

const CORPUS = [
  'GET /a?x=1 HTTP/1.1\r\nHost: edge.test\r\nAccept: */*\r\n\r\n',
  'POST /b HTTP/1.1\r\nHost: edge.test\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello',
  'POST /c HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n',
  'GET http://edge.test/d HTTP/1.1\r\nHost: edge.test\r\nConnection: keep-alive\r\n\r\n',
  'HEAD /e HTTP/1.0\r\nHost: edge.test:80\r\n\r\n',
  'GET /f HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
]

const BYTES = ['\r', '\n', '\r\n', '\0', ' ', '\t', '\x0b', ':', ',', ';', '#', '\\', '%', '%00', '%2e', '/..', '@', '\x80', '\xff', '0', 'F', '-', '_']
const LINES = [
  'Transfer-Encoding: chunked',
  'Transfer-Encoding: identity',
  'Transfer-Encoding: chunked, gzip',
  'Transfer-Encoding:\x0bchunked',
  ' Transfer-Encoding: chunked',
  'Content-Length: 0',
  'Content-Length: 44',
  'Content-Length: -1',
  'Content-Length: 5, 5',
  'Host: edge.test',
  'Host: other.test',
  'Host: edge.test:99999',
  'Connection: close',
  'Connection: Transfer-Encoding',
  'Upgrade: h2c',
  'Expect: 100-continue',
  'X_Forwarded_For: 6.6.6.6',
]

function mutate(input: string, random: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  let text = input
  const rounds = 1 + Math.floor(random() * 3)
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(random() * (text.length + 1))
    const lines = text.split('\r\n')
    const line = 1 + Math.floor(random() * Math.max(1, lines.length - 2))
    switch (Math.floor(random() * 9)) {
      case 0:
        text = text.slice(0, at) + pick(BYTES) + text.slice(at)
        break
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 3))
        break
      case 2:
        text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at + 1)
        break
      case 3:
        lines.splice(line, 0, pick(LINES))
        text = lines.join('\r\n')
        break
      case 4:
        lines.splice(line, 0, lines[line] ?? '')
        text = lines.join('\r\n')
        break
      case 5:
        text = text.replace(/HTTP\/1\.[01]/, pick(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'http/1.1', 'HTTP/1.1 ']))
        break
      case 6:
        text = text.replace(/\r\n\r\n/, `\r\n${pick(LINES)}\r\n\r\n`)
        break
      case 7:
        text = text.slice(0, at)
        break
      default:
        text = text.replace(/^(\w+) \S+/, (_m, method: string) => `${method} ${pick(['/admin', '/admin/x', '/./admin', '//admin', '/%61dmin', '/x#/admin', 'http://edge.test/admin', '*', '/ok'])}`)
    }
  }
  return text
}

describe('mutation fuzzer against `kingress up`', () => {
  const edge = useEdge({resetEachTest: false})

  it(`${CASES} mutated requests (seed ${SEED}, at most ${BUDGET_MS / 1000} s): nothing smuggled, misrouted or out of order; the process lives`, async () => {
    const random = prng(SEED)
    const started = Date.now()
    let done = 0
    const failures: string[] = []
    const one = async (n: number, bytes: string): Promise<void> => {
      const tag = `fz${n}`
      const result = await rawExchange(edge.httpPort, Buffer.from(bytes + SMUGGLED, 'latin1'), {then: canaryRequest(tag), quietMs: 120, maxMs: 3000, methods: [/^HEAD /.test(bytes) ? 'HEAD' : 'GET']})
      // The canary, when it was answered, is the last response and is its own.
      const targets = result.responses.map((r) => {
        try {
          return String(JSON.parse(r.body).target)
        } catch {
          return ''
        }
      })
      const canaryAt = targets.indexOf(`/canary/${tag}`)
      if (canaryAt !== -1 && canaryAt !== targets.length - 1) failures.push(`case ${n}: canary answered out of order: ${JSON.stringify(targets)} for ${JSON.stringify(bytes)}`)
      if (targets.some((t) => t.startsWith('/canary/') && t !== `/canary/${tag}`)) failures.push(`case ${n}: another connection's answer: ${JSON.stringify(targets)}`)
      // A HEAD that does not parse gets a 400 with a body (the server cannot know it was HEAD) and
      // the connection closes, as nginx does: that body is not a desync.
      const closing = result.responses.at(-1)?.headers.connection === 'close'
      if (result.garbage !== '' && !closing && !/^HTTP\/1\.1 \d{3}/.test(result.garbage)) failures.push(`case ${n}: bytes that are no response: ${JSON.stringify(result.garbage.slice(0, 120))} for ${JSON.stringify(bytes)}`)
    }
    for (let n = 0; n < CASES && Date.now() - started < BUDGET_MS; n += PARALLEL) {
      const batch: Promise<void>[] = []
      for (let k = 0; k < PARALLEL && n + k < CASES; k++) batch.push(one(n + k, mutate(CORPUS[(n + k) % CORPUS.length]!, random)))
      await Promise.all(batch)
      done += batch.length
      expect(edge.admin.requests.map((r) => r.target), 'admin reached').toEqual([])
      for (const upstream of [edge.app, edge.ws]) {
        expect(upstream.requests.filter((r) => r.target.includes('smuggled')).map((r) => r.target), `smuggled into ${upstream.name}`).toEqual([])
        expect(upstream.errors, `${upstream.name} read broken framing`).toEqual([])
      }
      expect(failures).toEqual([])
      expect(edge.cli.exitCode()).toBeNull()
    }
    console.log(`fuzz: ${done} cases in ${Date.now() - started} ms (seed ${SEED}); app saw ${edge.app.requests.length} requests, ws ${edge.ws.requests.length}`)
    expect(done).toBeGreaterThanOrEqual(Math.min(CASES, 60))
    await expectClean(edge, 'fuzz')
  }, 120_000)
})
