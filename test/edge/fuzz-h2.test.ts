import {describe, expect, it} from 'vitest'

import {expectClean, useEdge} from './support/edge-fixture.js'
import {data, H2Connection, headers, request} from './support/h2-frames.js'
import {prng} from './support/prng.js'

/**
 * A bounded mutation fuzzer over valid HTTP/2 requests, hand-framed (HPACK literals), against a
 * real `kingress up`: the HTTP/2 → HTTP/1.1 downgrade is where framing and header rules of RFC 9113
 * §8 meet RFC 9112's. Invariants: nothing reaches admin, nothing marked smuggled reaches an upstream,
 * no upstream reads broken framing or a header with CR/LF or an underscore, a new stream on the
 * same connection still gets its own answer, and the process lives.
 *
 *   KINGRESS_FUZZ_CASES=5000 KINGRESS_FUZZ_MS=600000 KINGRESS_FUZZ_SEED=$RANDOM npx vitest run test/edge/fuzz-h2.test.ts
 */
const SEED = Number(process.env.KINGRESS_FUZZ_SEED ?? 2020)
const CASES = Number(process.env.KINGRESS_FUZZ_CASES ?? 120)
const BUDGET_MS = Number(process.env.KINGRESS_FUZZ_MS ?? 15_000)
const PARALLEL = 4

const SMUGGLED = 'GET /admin/smuggled HTTP/1.1\r\nHost: edge.test\r\n\r\n'
const PATHS = ['/a', '/admin', '/./admin', '//admin', '/x#/admin', '/a b', '/a\r\nX: y', '/a%00', '/x\\admin', 'http://edge.test/admin', '*', '']
const AUTHORITIES = ['edge.test', 'ws.test', 'other.test', 'edge.test:443', 'edge.test,ws.test', 'u@edge.test', 'edge.test/admin', '[::1]', '']
const FIELDS: [string, string][] = [
  ['transfer-encoding', 'chunked'],
  ['content-length', '0'],
  ['content-length', '5'],
  ['content-length', '-1'],
  ['host', 'edge.test'],
  ['host', 'other.test'],
  ['connection', 'close'],
  ['upgrade', 'h2c'],
  ['te', 'trailers'],
  ['te', 'gzip'],
  ['x-a', 'b\r\nTransfer-Encoding: chunked'],
  ['x-a', 'b\0'],
  ['X-Upper', '1'],
  ['x_under', '1'],
  ['x-forwarded-for', '6.6.6.6'],
  [':path', '/admin'],
  [':method', 'POST'],
  ['', 'empty-name'],
]

function mutated(random: () => number, id: number): Buffer[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const method = pick(['GET', 'POST', 'HEAD', 'PUT', 'CONNECT', 'get'])
  const fields: [string, string][] = request(pick(PATHS), [], pick(AUTHORITIES), method).map(([n, v]) => [n, v])
  const extra = Math.floor(random() * 3)
  for (let i = 0; i < extra; i++) fields.splice(Math.floor(random() * (fields.length + 1)), 0, pick(FIELDS))
  if (random() < 0.2) fields.splice(Math.floor(random() * fields.length), 1)
  const body = random() < 0.5
  const frames = [headers(id, fields, !body)]
  if (body) frames.push(data(id, pick(['hello', SMUGGLED, `0\r\n\r\n${SMUGGLED}`, ''])))
  return frames
}

describe('HTTP/2 mutation fuzzer against `kingress up`', () => {
  const edge = useEdge({resetEachTest: false})

  it(`${CASES} mutated HTTP/2 requests (seed ${SEED}, at most ${BUDGET_MS / 1000} s): nothing smuggled or misrouted, the connection and process live`, async () => {
    const random = prng(SEED)
    const started = Date.now()
    let done = 0
    const one = async (frames: Buffer[]): Promise<string | null> => {
      const h2 = await H2Connection.open(edge.httpsPort)
      try {
        h2.send(frames)
        await h2.outcome(1, 2000)
        if (h2.closed || h2.frames.some((f) => f.type === 7 /* GOAWAY */)) return null
        h2.send(headers(3, request('/canary/h2-fuzz')))
        const status = await h2.outcome(3, 3000)
        if (status !== 200) return `canary on the same connection: ${String(status)}`
        if (JSON.parse(h2.body(3)).target !== '/canary/h2-fuzz') return `canary got another answer: ${h2.body(3).slice(0, 100)}`
        return null
      } finally {
        h2.close()
      }
    }
    for (let n = 0; n < CASES && Date.now() - started < BUDGET_MS; n += PARALLEL) {
      const batch: Promise<string | null>[] = []
      const inputs: Buffer[][] = []
      for (let k = 0; k < PARALLEL && n + k < CASES; k++) {
        inputs.push(mutated(random, 1))
        batch.push(one(inputs[k]!))
      }
      const problems = await Promise.all(batch)
      done += batch.length
      problems.forEach((p, k) => expect(p, `case ${n + k}: ${inputs[k]!.map((b) => b.toString('latin1')).join(' | ')}`).toBeNull())
      expect(edge.admin.requests.map((r) => r.target), 'admin reached').toEqual([])
      for (const upstream of [edge.app, edge.ws]) {
        expect(upstream.requests.filter((r) => r.target.includes('smuggled')).map((r) => r.target), `smuggled into ${upstream.name}`).toEqual([])
        expect(upstream.errors, `${upstream.name} read broken framing`).toEqual([])
        const bad = upstream.requests.flatMap((r) => r.headers.filter(([name, value]) => /[\r\n\0]/.test(value) || name.includes('_')))
        expect(bad, `${upstream.name} got a header the downgrade must not carry`).toEqual([])
      }
      expect(edge.cli.exitCode()).toBeNull()
    }
    console.log(`h2 fuzz: ${done} cases in ${Date.now() - started} ms (seed ${SEED}); app saw ${edge.app.requests.length} requests`)
    expect(done).toBeGreaterThanOrEqual(Math.min(CASES, 40))
    await expectClean(edge, 'h2-fuzz')
  }, 120_000)
})
