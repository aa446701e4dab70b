import {execFile} from 'node:child_process'
import {X509Certificate} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import tls from 'node:tls'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FAKE_CERTIFICATE_CN} from '../../src/tls/leaf.js'
import {type CertificateSet, CertificateStore, sniLookup} from '../../src/tls/store.js'
import {tempDir} from './helpers.js'

describe('sniLookup', () => {
  const table = new Map([
    ['blue.example.com', 'exact-blue'],
    ['*.example.com', 'wildcard'],
  ])
  it('picks exact, then the one-label wildcard, then the default', () => {
    expect(sniLookup(table, 'default', 'blue.example.com')).toBe('exact-blue')
    expect(sniLookup(table, 'default', 'BLUE.example.com.')).toBe('exact-blue')
    expect(sniLookup(table, 'default', 'green.example.com')).toBe('wildcard')
    expect(sniLookup(table, 'default', 'a.green.example.com')).toBe('default')
    expect(sniLookup(table, 'default', 'example.com')).toBe('default')
    expect(sniLookup(table, 'default', '')).toBe('default')
  })
})

let root: {dir: string; cleanup: () => void}
let home: string
let set: CertificateSet
let server: https.Server
let port: number
let caPem: string

beforeAll(async () => {
  root = tempDir()
  home = path.join(root.dir, 'kingress')
  set = await new CertificateStore({home}).certificatesFor([
    {host: 'blue.example.com', tls: true},
    {host: '*.example.com', tls: true},
    {host: 'plain.test', tls: false},
  ])
  caPem = readFileSync(set.ca.certPath, 'utf8')
  // What the proxy's HTTPS listener does.
  server = https.createServer({cert: set.defaultEntry.certPem, key: set.defaultEntry.keyPem, SNICallback: set.SNICallback}, (req, res) => {
    res.end(`hello ${req.headers.host}`)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  root.cleanup()
})

function handshake(servername: string | undefined, ca: string | undefined): Promise<{authorized: boolean; error: string | null; cert: X509Certificate | null}> {
  return new Promise((resolve) => {
    const socket = tls.connect({host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false}, () => {
      const peer = socket.getPeerX509Certificate() ?? null
      resolve({authorized: socket.authorized, error: socket.authorizationError?.toString() ?? null, cert: peer})
      socket.end()
    })
    socket.on('error', (error) => resolve({authorized: false, error: error.message, cert: null}))
  })
}

describe('CertificateSet in a real TLS server', () => {
  it('has an entry per host, plus a localhost default', () => {
    expect([...set.entries.keys()]).toEqual(['*.example.com', 'blue.example.com', 'plain.test'])
    expect(set.defaultEntry.cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    expect(set.lookup('x.example.com').pattern).toBe('*.example.com')
  })

  it('a client that trusts the CA verifies the exact-host certificate', async () => {
    const result = await handshake('blue.example.com', caPem)
    expect(result.error).toBeNull()
    expect(result.authorized).toBe(true)
    expect(result.cert?.subjectAltName).toBe('DNS:blue.example.com')
  })

  it('SNI for another subdomain gets the wildcard; an unknown name gets the default', async () => {
    const green = await handshake('green.example.com', caPem)
    expect(green.authorized).toBe(true)
    expect(green.cert?.subjectAltName).toBe('DNS:*.example.com')
    const deep = await handshake('a.b.example.com', caPem)
    expect(deep.cert?.subjectAltName).toContain('DNS:localhost')
    expect(deep.authorized).toBe(false) // the default certificate does not name a.b.example.com
    const none = await handshake(undefined, caPem)
    expect(none.cert?.subjectAltName).toContain('IP Address:127.0.0.1')
  })

  it('a client without the CA refuses the certificate', async () => {
    const result = await handshake('blue.example.com', undefined)
    expect(result.authorized).toBe(false)
    expect(result.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/)
  })

  it('curl --cacert verifies it', async (ctx) => {
    if (!['/usr/bin/curl', '/usr/local/bin/curl', '/bin/curl'].some((p) => existsSync(p))) {
      console.log('SKIPPED curl handshake: curl is not installed')
      ctx.skip()
    }
    const url = `https://blue.example.com:${port}/`
    const out = await new Promise<{code: number; stdout: string; stderr: string}>((resolve) =>
      execFile('curl', ['-sS', '--cacert', set.ca.certPath, '--resolve', `blue.example.com:${port}:127.0.0.1`, url], (error, stdout, stderr) =>
        resolve({code: error === null ? 0 : Number((error as {code?: number}).code ?? 1), stdout, stderr}),
      ),
    )
    expect(out.stderr).toBe('')
    expect(out.code).toBe(0)
    expect(out.stdout).toBe(`hello blue.example.com:${port}`)
  })
})

describe('--strict-tls', () => {
  it('only spec.tls hosts get a trusted certificate; the rest get the ingress-nginx fake one', async () => {
    const strict = await new CertificateStore({home, strict: true}).certificatesFor([
      {host: 'blue.example.com', tls: true},
      {host: 'plain.test', tls: false},
    ])
    expect([...strict.entries.keys()]).toEqual(['blue.example.com'])
    const fake = strict.lookup('plain.test')
    expect(fake.source).toBe('fake')
    expect(fake.cert.subject).toContain(`CN=${FAKE_CERTIFICATE_CN}`)
    expect(fake.cert.subject).toContain('O=Acme Co')
    expect(fake.cert.subjectAltName).toBe('DNS:ingress.local')
    expect(fake.cert.verify(fake.cert.publicKey)).toBe(true) // self-signed
    expect(fake.cert.verify(new X509Certificate(caPem).publicKey)).toBe(false)
    expect(strict.defaultEntry).toBe(fake)
  })

  it('without it, a host under a spec.tls wildcard uses the wildcard certificate, not a new one', async () => {
    const s = await new CertificateStore({home}).certificatesFor([
      {host: '*.example.com', tls: true},
      {host: 'red.example.com', tls: false},
      {host: 'other.test', tls: false},
    ])
    expect([...s.entries.keys()]).toEqual(['*.example.com', 'other.test'])
    expect(s.lookup('red.example.com').pattern).toBe('*.example.com')
  })

  it('warns about names no certificate can hold and skips them', async () => {
    const s = await new CertificateStore({home}).certificatesFor([{host: 'bad host', tls: true}, {host: 'a.*.example.com', tls: false}])
    expect(s.entries.size).toBe(0)
    expect(s.warnings).toEqual(['"bad host" is not a host name a certificate can hold; it gets no certificate of its own', '"a.*.example.com" is not a host name a certificate can hold; it gets no certificate of its own'])
  })
})

describe('first start', () => {
  it('creates the CA and certificates for 5 hosts quickly', async () => {
    const t = tempDir()
    try {
      const started = performance.now()
      const first = await new CertificateStore({home: path.join(t.dir, 'k')}).certificatesFor(
        ['a', 'b', 'c', 'd', 'e'].map((n) => ({host: `${n}.example.com`, tls: true})),
      )
      const firstMs = performance.now() - started
      const again = performance.now()
      const second = await new CertificateStore({home: path.join(t.dir, 'k')}).certificatesFor(
        ['a', 'b', 'c', 'd', 'e'].map((n) => ({host: `${n}.example.com`, tls: true})),
      )
      const secondMs = performance.now() - again
      console.log(`[tls timing] first start, CA + 5 hosts + default: ${firstMs.toFixed(0)} ms (${first.minted} minted); second start from disk: ${secondMs.toFixed(0)} ms`)
      expect(first.minted).toBe(6)
      expect(second.minted).toBe(0)
      expect(firstMs).toBeLessThan(5000)
    } finally {
      t.cleanup()
    }
  })
})
