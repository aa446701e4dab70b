import {connect, type ServerHttp2Session} from 'node:http2'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSession, type Session} from '../../src/runtime/session.js'
import {ingress} from './helpers.js'
import {tlsSandbox, type TlsSandbox} from './https-support.js'

/** A session serving `host` (no endpoints: 503) over HTTPS, for the describe block it is called in. */
function servingHost(name: string, host: string, h2IdleMs: number): {readonly session: Session} {
  let sandbox: TlsSandbox
  const serving = {session: null as unknown as Session}
  beforeAll(async () => {
    sandbox = tlsSandbox()
    const file = join(sandbox.dir, 'm.yaml')
    writeFileSync(file, ingress(name, [{host, service: 'none'}]))
    serving.session = await startSession({inputs: [file], providers: [], bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, env: {...process.env, ...sandbox.env}, h2IdleMs})
  })
  afterAll(async () => {
    await serving.session.close()
    sandbox.cleanup()
  })
  return serving
}

/** nginx closes an HTTP/2 connection idle for keepalive_timeout (ingress-nginx: 75 s); here 300 ms. */
describe('idle HTTP/2 sessions', () => {
  const serving = servingHost('idle', 'idle.test', 300)

  it('get GOAWAY and close once idle; a busy one stays', async () => {
    const client = connect(`https://127.0.0.1:${serving.session.results[1]!.port}`, {rejectUnauthorized: false, servername: 'idle.test'})
    client.on('error', () => {})
    const started = performance.now()
    // Busy for ~600 ms: a request every 100 ms keeps it open past the idle time.
    for (let i = 0; i < 6; i++) {
      const status = await new Promise<number>((resolve) => {
        const stream = client.request({':path': '/', ':authority': 'idle.test'})
        stream.on('response', (h) => resolve(Number(h[':status'])))
        stream.resume()
      })
      expect(status).toBe(503)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(client.closed).toBe(false)
    const closed = await new Promise<number>((resolve) => client.once('close', () => resolve(performance.now() - started)))
    expect(closed).toBeGreaterThan(600)
    expect(closed).toBeLessThan(5000)
  })
})

/**
 * Node keeps a session's idle timer after the session is destroyed, and the timer holds the
 * session (node's internal/http2/core: session.setTimeout arms it, destroy leaves it, and
 * setTimeout(0) does nothing once destroyed). With the 75 s idle time every closed HTTP/2
 * connection, its native nghttp2 state included, stayed in memory for 75 s: 10,000 sessions
 * after 25 bursts of 400 new TLS connections (bench/PERFORMANCE.md, eighth round).
 */
describe('a closed HTTP/2 session', () => {
  const serving = servingHost('gone', 'gone.test', 60_000)

  it('is not kept in memory by its idle timer', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const server = serving.session.listeners.find((l) => l.info.scheme === 'https')!.server
    let collected = false
    const registry = new FinalizationRegistry(() => (collected = true))
    const serverSideClosed = new Promise<void>((resolve) => {
      server.once('session', (s: ServerHttp2Session) => {
        registry.register(s, 'session')
        s.once('close', () => setImmediate(resolve))
      })
    })
    const client = connect(`https://127.0.0.1:${serving.session.results[1]!.port}`, {rejectUnauthorized: false, servername: 'gone.test'})
    client.on('error', () => {})
    const status = await new Promise<number>((resolve) => {
      const stream = client.request({':path': '/', ':authority': 'gone.test'})
      stream.on('response', (h) => resolve(Number(h[':status'])))
      stream.resume()
    })
    expect(status).toBe(503)
    client.destroy()
    await serverSideClosed
    // Bounded by count, not time: a loaded machine only makes it slower.
    for (let i = 0; i < 20 && !collected; i++) {
      gc()
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(collected).toBe(true)
  })
})
