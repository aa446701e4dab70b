import {connect} from 'node:http2'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSession, type Session} from '../../src/runtime/session.js'
import {ingress} from './helpers.js'
import {tlsSandbox, type TlsSandbox} from './https-support.js'

/** nginx closes an HTTP/2 connection idle for keepalive_timeout (ingress-nginx: 75 s); here 300 ms. */
describe('idle HTTP/2 sessions', () => {
  let sandbox: TlsSandbox
  let session: Session
  beforeAll(async () => {
    sandbox = tlsSandbox()
    const file = join(sandbox.dir, 'm.yaml')
    writeFileSync(file, ingress('idle', [{host: 'idle.test', service: 'none'}]))
    session = await startSession({inputs: [file], providers: [], bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https: {port: 0, explicit: true, fallbackPort: 0}, watch: false, log: null, env: {...process.env, ...sandbox.env}, h2IdleMs: 300})
  })
  afterAll(async () => {
    await session.close()
    sandbox.cleanup()
  })

  it('get GOAWAY and close once idle; a busy one stays', async () => {
    const client = connect(`https://127.0.0.1:${session.results[1]!.port}`, {rejectUnauthorized: false, servername: 'idle.test'})
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
