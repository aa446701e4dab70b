import {X509Certificate} from 'node:crypto'
import {readFileSync, statSync} from 'node:fs'
import path from 'node:path'

import forge from 'node-forge'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'

import {type LocalCA, loadOrCreateCA} from '../../src/tls/ca.js'
import {issueLeaf, LEAF_VALIDITY_DAYS} from '../../src/tls/leaf.js'
import {CertificateStore} from '../../src/tls/store.js'
import {generateRsaKey, type KeyPair} from '../../src/tls/x509.js'
import {tempDir} from './helpers.js'

const DAY = 86_400_000
const cleanups: (() => void)[] = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))
function home(): string {
  const t = tempDir()
  cleanups.push(t.cleanup)
  return path.join(t.dir, 'kingress')
}

let ca: LocalCA
let key: KeyPair
let caHome: string
beforeAll(async () => {
  const t = tempDir()
  caHome = path.join(t.dir, 'kingress')
  ca = await loadOrCreateCA({home: caHome})
  key = await generateRsaKey()
  return t.cleanup
})

describe('leaf certificates', () => {
  it('verify against the CA and carry SAN, EKU serverAuth, key usage and the authority key id', () => {
    const leaf = issueLeaf(ca, ['blue.example.com', '127.0.0.1', '::1'], {key})
    expect(leaf.cert.verify(ca.cert.publicKey)).toBe(true)
    expect(leaf.cert.issuer).toBe(ca.cert.subject)
    expect(leaf.cert.ca).toBe(false)
    expect(leaf.cert.subjectAltName).toBe('DNS:blue.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1')
    expect(leaf.cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']) // Node calls the extKeyUsage list keyUsage
    expect(leaf.cert.checkHost('blue.example.com')).toBe('blue.example.com')
    expect(leaf.cert.checkIP('127.0.0.1')).toBe('127.0.0.1')

    const f = forge.pki.certificateFromPem(leaf.certPem)
    expect(f.getExtension('keyUsage')).toMatchObject({digitalSignature: true, keyEncipherment: true, keyCertSign: false})
    const aki = f.getExtension('authorityKeyIdentifier') as {value: string}
    const ski = (forge.pki.certificateFromPem(ca.certPem).getExtension('subjectKeyIdentifier') as {subjectKeyIdentifier: string}).subjectKeyIdentifier
    expect(forge.util.bytesToHex(aki.value)).toContain(ski)
    // 128-bit random serials, different every time.
    expect(leaf.cert.serialNumber).not.toBe(issueLeaf(ca, ['blue.example.com'], {key}).cert.serialNumber)
    expect(leaf.cert.serialNumber.length).toBe(32)
  })

  it('a wildcard covers exactly one label', () => {
    const leaf = issueLeaf(ca, ['*.example.com'], {key})
    expect(leaf.cert.subjectAltName).toBe('DNS:*.example.com')
    expect(leaf.cert.checkHost('a.example.com')).toBe('*.example.com') // the SAN that matched
    expect(leaf.cert.checkHost('a.b.example.com')).toBeUndefined()
    expect(leaf.cert.checkHost('example.com')).toBeUndefined()
  })

  it(`are valid at most 825 days (${LEAF_VALIDITY_DAYS})`, () => {
    const leaf = issueLeaf(ca, ['a.test'], {key})
    const days = (new Date(leaf.cert.validTo).getTime() - new Date(leaf.cert.validFrom).getTime()) / DAY
    expect(days).toBeLessThanOrEqual(825)
    expect(days).toBeGreaterThan(390)
  })

  it('pass openssl verify with the purpose sslserver', async () => {
    const {execFileSync} = await import('node:child_process')
    const t = tempDir()
    cleanups.push(t.cleanup)
    const leafFile = path.join(t.dir, 'leaf.pem')
    const {writeFileSync} = await import('node:fs')
    writeFileSync(leafFile, issueLeaf(ca, ['green.example.com'], {key}).certPem)
    const out = execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-x509_strict', '-CAfile', ca.paths.cert, leafFile], {encoding: 'utf8'})
    expect(out.trim()).toBe(`${leafFile}: OK`)
  })
})

describe('CertificateStore cache and renewal', () => {
  it('writes each leaf to certs/<host>.pem with a 0600 key, and reuses it', async () => {
    const dir = home()
    const store = new CertificateStore({home: dir})
    const first = await store.certificatesFor([{host: 'a.example.com', tls: true}, {host: '*.example.com', tls: true}])
    expect(first.minted).toBe(3) // two hosts and the default certificate
    const certFile = path.join(dir, 'certs', 'a.example.com.pem')
    expect(first.entries.get('a.example.com')?.certFile).toBe(certFile)
    expect(statSync(path.join(dir, 'certs', 'a.example.com-key.pem')).mode & 0o777).toBe(0o600)
    expect(statSync(path.join(dir, 'certs', '_wildcard.example.com.pem')).isFile()).toBe(true)

    // A new store (a new `kingress up`) reads them back instead of minting.
    const again = await new CertificateStore({home: dir}).certificatesFor([{host: 'a.example.com', tls: true}, {host: '*.example.com', tls: true}])
    expect(again.minted).toBe(0)
    expect(again.entries.get('a.example.com')?.certPem).toBe(readFileSync(certFile, 'utf8'))
    expect(again.entries.get('a.example.com')?.cert.fingerprint256).toBe(first.entries.get('a.example.com')?.cert.fingerprint256)
  })

  // Found when Ingresses came to be ordered as ingress-nginx orders them: a rule wildcard listed
  // first used to swallow the exact host, which then had no certificate of its own.
  it('gives a rule host its own certificate whether or not a rule wildcard comes first', async () => {
    for (const requests of [
      [{host: '*.example.com', tls: false}, {host: 'blue.example.com', tls: false}],
      [{host: 'blue.example.com', tls: false}, {host: '*.example.com', tls: false}],
    ]) {
      const set = await new CertificateStore({home: home()}).certificatesFor(requests)
      expect([...set.entries.keys()].sort()).toEqual(['*.example.com', 'blue.example.com'])
    }
  })

  it('replaces a cached leaf that expires within 30 days', async () => {
    const dir = home()
    const short = await new CertificateStore({home: dir, leafValidityMs: 10 * DAY}).certificatesFor([{host: 'old.example.com', tls: true}])
    const oldCert = short.entries.get('old.example.com')?.cert
    expect(oldCert).toBeDefined()
    const renewed = await new CertificateStore({home: dir}).certificatesFor([{host: 'old.example.com', tls: true}])
    const newCert = renewed.entries.get('old.example.com')?.cert
    expect(newCert?.serialNumber).not.toBe(oldCert?.serialNumber)
    expect(new Date(newCert?.validTo ?? 0).getTime() - Date.now()).toBeGreaterThan(300 * DAY)
    expect(new X509Certificate(readFileSync(path.join(dir, 'certs', 'old.example.com.pem'))).serialNumber).toBe(newCert?.serialNumber)
  })

  it('re-issues leaves when the CA changed', async () => {
    const dir = home()
    await new CertificateStore({home: dir}).certificatesFor([{host: 'a.example.com', tls: true}])
    const {rmSync} = await import('node:fs')
    rmSync(path.join(dir, 'ca.pem'))
    rmSync(path.join(dir, 'ca-key.pem'))
    const fresh = await new CertificateStore({home: dir}).certificatesFor([{host: 'a.example.com', tls: true}])
    expect(fresh.ca.created).toBe(true)
    expect(fresh.minted).toBe(2)
    const newCa = new X509Certificate(readFileSync(path.join(dir, 'ca.pem')))
    expect(fresh.entries.get('a.example.com')?.cert.verify(newCa.publicKey)).toBe(true)
  })

  it('re-issues a leaf whose SANs do not cover the name, and one whose key file was swapped', async () => {
    const dir = home()
    const {writeFileSync, copyFileSync} = await import('node:fs')
    await new CertificateStore({home: dir}).certificatesFor([{host: 'a.example.com', tls: true}, {host: 'b.example.com', tls: true}])
    // Someone copies a's certificate over b's.
    copyFileSync(path.join(dir, 'certs', 'a.example.com.pem'), path.join(dir, 'certs', 'b.example.com.pem'))
    const fixed = await new CertificateStore({home: dir}).certificatesFor([{host: 'b.example.com', tls: true}])
    expect(fixed.minted).toBe(1)
    expect(fixed.entries.get('b.example.com')?.cert.checkHost('b.example.com')).toBe('b.example.com')
    // A damaged key file.
    writeFileSync(path.join(dir, 'certs', 'b.example.com-key.pem'), 'not a key')
    const again = await new CertificateStore({home: dir}).certificatesFor([{host: 'b.example.com', tls: true}])
    expect(again.minted).toBe(1)
  })

  it('a long-lived store renews in memory too', async () => {
    let now = Date.now()
    const store = new CertificateStore({home: home(), now: () => new Date(now)})
    const first = await store.certificatesFor([{host: 'a.example.com', tls: true}])
    const same = await store.certificatesFor([{host: 'a.example.com', tls: true}])
    expect(same.minted).toBe(0)
    now += (LEAF_VALIDITY_DAYS - 20) * DAY
    const later = await store.certificatesFor([{host: 'a.example.com', tls: true}])
    expect(later.minted).toBe(2) // the host and the default
    expect(later.entries.get('a.example.com')?.cert.serialNumber).not.toBe(first.entries.get('a.example.com')?.cert.serialNumber)
  })
})
