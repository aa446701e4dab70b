import {readFileSync, writeFileSync} from 'node:fs'
import {connect as h2connect} from 'node:http2'
import {createServer} from 'node:net'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {EventBus, type ErrorEvent} from '../../src/runtime/events.js'
import {startSession, type Session} from '../../src/runtime/session.js'
import {SessionCertificates} from '../../src/runtime/session-tls.js'
import {CertificateStore} from '../../src/tls/store.js'
import {ingress} from './helpers.js'
import {handshake, loopbackLookup, tlsSandbox, type TlsSandbox} from './https-support.js'

const HOSTS = ['a.example.com', 'b.example.com', 'c.example.com', 'shop.test', 'api.shop.test', 'docs.test']

/** startSession in-process with HTTP and HTTPS on ephemeral ports, KINGRESS_HOME in the sandbox. */
async function session(sandbox: TlsSandbox, yaml: string, https = {port: 0, explicit: true, fallbackPort: 0}, bus = new EventBus()): Promise<Session> {
  const file = join(sandbox.dir, `m-${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(file, yaml)
  return startSession({inputs: [file], providers: [], bind: '127.0.0.1', http: {port: 0, explicit: true, fallbackPort: 0}, https, watch: false, log: null, drainMs: 5000, env: {...process.env, ...sandbox.env}, bus})
}

describe('the HTTPS listener in a session', () => {
  let sandbox: TlsSandbox
  beforeAll(() => {
    sandbox = tlsSandbox()
  })
  afterAll(() => sandbox.cleanup())

  it('a first start (new CA, a certificate per host) is listening in well under 2 s', async () => {
    const started = performance.now()
    const s = await session(sandbox, ingress('many', HOSTS.map((host) => ({host, service: 'app'}))))
    const ms = performance.now() - started
    try {
      console.log(`startSession with HTTPS, fresh KINGRESS_HOME, ${HOSTS.length} hosts: ${Math.round(ms)} ms (${s.certificates?.current.minted} certificates minted)`)
      expect(s.certificates?.current.ca.created).toBe(true)
      expect(s.certificates?.current.minted).toBe(HOSTS.length + 1)
      expect(ms).toBeLessThan(2000)
      expect(s.runtime.httpsPort).toBe(s.results[1]!.port)
      const ca = readFileSync(join(sandbox.home, 'ca.pem'), 'utf8')
      for (const host of HOSTS) expect((await handshake(s.results[1]!.port, host, ca)).authorized).toBe(true)
    } finally {
      await s.close()
    }
  })

  it('falls back when the default HTTPS port cannot be bound, and says so', async () => {
    const blocker = createServer()
    const taken = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as {port: number}).port)))
    try {
      const s = await session(sandbox, ingress('fb', [{host: 'fb.test', service: 'app'}]), {port: taken, explicit: false, fallbackPort: 0})
      try {
        const https = s.results[1]!
        expect(https.url.startsWith('https://127.0.0.1:')).toBe(true)
        expect(https.port).not.toBe(taken)
        expect(https.fallback?.requested).toBe(taken)
        expect(s.fallbacks.map((f) => f.notice).join('\n')).toContain(`port ${taken} is not available, serving on ${https.port} instead`)
        expect(s.runtime.httpsPort).toBe(https.port)
      } finally {
        await s.close()
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  })

  it('closes idle HTTP/2 connections at shutdown instead of waiting for them', async () => {
    const s = await session(sandbox, ingress('idle', [{host: 'idle.test', service: 'app'}]))
    const ca = readFileSync(join(sandbox.home, 'ca.pem'), 'utf8')
    const client = h2connect(`https://idle.test:${s.results[1]!.port}`, {ca, lookup: loopbackLookup as never})
    client.on('error', () => {})
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve())
      client.once('error', reject)
    })
    const clientClosed = new Promise<void>((resolve) => client.once('close', () => resolve()))
    const started = performance.now()
    await s.close()
    expect(performance.now() - started).toBeLessThan(2000)
    await clientClosed
  })
})

describe('SessionCertificates refresh', () => {
  let sandbox: TlsSandbox
  beforeAll(() => {
    sandbox = tlsSandbox()
  })
  afterAll(() => sandbox.cleanup())

  it('re-mints only when TLS hosts change, swaps atomically, and keeps the old set when minting fails', async () => {
    const bus = new EventBus()
    const errors: ErrorEvent[] = []
    bus.on('error', (e) => errors.push(e))
    const s = await session(sandbox, ingress('r', [{host: 'one.test', service: 'app'}]), undefined, bus)
    try {
      const certs = s.certificates!
      const first = certs.current
      // Same hosts (an endpoint change, a comment edit): the same set.
      await certs.refresh(s.runtime.current, bus)
      expect(certs.current).toBe(first)

      const two = await session(sandbox, ingress('r2', [{host: 'one.test', service: 'app'}, {host: 'two.test', service: 'app'}]))
      const stateWithTwo = two.runtime.current
      await two.close()

      // A failing store: the error is reported and the old set keeps serving.
      const store = (certs as unknown as {store: CertificateStore}).store
      const original = store.certificatesFor.bind(store)
      store.certificatesFor = () => Promise.reject(new Error('disk full'))
      await certs.refresh(stateWithTwo, bus)
      expect(certs.current).toBe(first)
      expect(errors.at(-1)).toMatchObject({where: 'tls certificates', message: 'disk full (still serving the previous certificates)'})
      expect((await handshake(s.results[1]!.port, 'two.test', undefined)).cert?.subjectAltName).toContain('DNS:localhost')

      // Working again: several asks while one runs collapse into one more run, the newest state wins.
      store.certificatesFor = original
      const asks = [certs.refresh(stateWithTwo, bus), certs.refresh(s.runtime.current, bus), certs.refresh(stateWithTwo, bus)]
      await Promise.all(asks)
      for (let i = 0; i < 50 && certs.current.entries.get('two.test') === undefined; i++) await new Promise((r) => setTimeout(r, 20))
      expect([...certs.current.entries.keys()]).toEqual(['one.test', 'two.test'])
      expect((await handshake(s.results[1]!.port, 'two.test', undefined)).cert?.subjectAltName).toBe('DNS:two.test')
    } finally {
      await s.close()
    }
  })

  it('installs a new default certificate on the server when it changes', async () => {
    const bus = new EventBus()
    const s = await session(sandbox, ingress('d', [{host: 'd.test', service: 'app'}]), undefined, bus)
    try {
      const certs = s.certificates!
      const before = await handshake(s.results[1]!.port, undefined, undefined)
      expect(before.cert?.fingerprint256).toBe(certs.current.defaultEntry.cert.fingerprint256)
      // Simulate renewal: the cached default certificate is gone, a forced re-check mints a new one.
      const store = (certs as unknown as {store: CertificateStore}).store
      ;(store as unknown as {memory: Map<string, unknown>}).memory.delete('*')
      const {rmSync} = await import('node:fs')
      rmSync(join(sandbox.home, 'certs', '_default.pem'))
      await certs.refresh(s.runtime.current, bus, true)
      expect(certs.current.defaultEntry.cert.fingerprint256).not.toBe(before.cert?.fingerprint256)
      const after = await handshake(s.results[1]!.port, undefined, undefined)
      expect(after.cert?.fingerprint256).toBe(certs.current.defaultEntry.cert.fingerprint256)
      expect(after.alpn).toBe('h2')
    } finally {
      await s.close()
    }
  })

  it('is a session-long object: prepare() starts the CA before the manifests load', async () => {
    const store = SessionCertificates.prepare({env: {...process.env, ...sandbox.env}})
    expect(store.home).toBe(sandbox.home)
    await store.ca()
  })
})
