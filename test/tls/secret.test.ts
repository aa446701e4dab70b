import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {loadOrCreateCA} from '../../src/tls/ca.js'
import {type CertificatePair, issueLeaf} from '../../src/tls/leaf.js'
import {certificateFromSecret} from '../../src/tls/secret.js'
import {CertificateStore, tlsHostsFromIngresses} from '../../src/tls/store.js'
import {generateRsaKey} from '../../src/tls/x509.js'
import {snapshotOf} from '../support/manifests.js'
import {tempDir, tlsSecret} from './helpers.js'

let pair: CertificatePair
let otherPair: CertificatePair
let expired: CertificatePair
let root: {dir: string; cleanup: () => void}
beforeAll(async () => {
  root = tempDir()
  // "Someone else's" CA, as a cluster's cert-manager would be.
  const ca = await loadOrCreateCA({home: path.join(root.dir, 'cluster-ca')})
  const [k1, k2] = await Promise.all([generateRsaKey(), generateRsaKey()])
  pair = issueLeaf(ca, ['shop.example.com', '*.shop.example.com'], {key: k1})
  otherPair = issueLeaf(ca, ['shop.example.com'], {key: k2})
  expired = issueLeaf(ca, ['shop.example.com'], {key: k1, now: new Date(Date.now() - 400 * 86_400_000), validityDays: 30})
})
afterAll(() => root.cleanup())

describe('certificateFromSecret', () => {
  it('returns the pair of a good kubernetes.io/tls Secret', () => {
    const result = certificateFromSecret(tlsSecret('shop-tls', {'tls.crt': pair.certPem, 'tls.key': pair.keyPem}))
    expect(result.ok).toBe(true)
    if (result.ok) {
      expect(result.pair.cert.fingerprint256).toBe(pair.cert.fingerprint256)
      expect(result.warnings).toEqual([])
    }
  })

  it('names the Secret when the key belongs to another certificate', () => {
    const result = certificateFromSecret(tlsSecret('shop-tls', {'tls.crt': pair.certPem, 'tls.key': otherPair.keyPem}, undefined, 'shop'))
    expect(result).toEqual({ok: false, error: expect.stringMatching(/^Secret shop\/shop-tls: tls\.key does not match the certificate in tls\.crt/)})
  })

  it('explains a bad PEM, a base64-encoded-twice PEM, a missing key and a wrong type', () => {
    const bad = certificateFromSecret(tlsSecret('s', {'tls.crt': '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n', 'tls.key': pair.keyPem}))
    expect(bad).toEqual({ok: false, error: expect.stringMatching(/^Secret default\/s: tls\.crt certificate #1 cannot be parsed/)})
    const twice = certificateFromSecret(tlsSecret('s', {'tls.crt': Buffer.from(pair.certPem).toString('base64'), 'tls.key': pair.keyPem}))
    expect(twice).toEqual({ok: false, error: expect.stringContaining('looks base64-encoded twice')})
    const noKey = certificateFromSecret(tlsSecret('s', {'tls.crt': pair.certPem}, 'Opaque')) // the loader already rejects a kubernetes.io/tls Secret without it
    expect(noKey).toEqual({ok: false, error: 'Secret default/s: has no tls.key (the PEM private key)'})
    const badKey = certificateFromSecret(tlsSecret('s', {'tls.crt': pair.certPem, 'tls.key': 'hello'}))
    expect(badKey).toEqual({ok: false, error: expect.stringMatching(/^Secret default\/s: tls\.key is not a PEM private key/)})
    const wrongType = certificateFromSecret(tlsSecret('s', {'tls.crt': pair.certPem, 'tls.key': pair.keyPem}, 'kubernetes.io/dockerconfigjson'))
    expect(wrongType).toEqual({ok: false, error: expect.stringContaining('needs type kubernetes.io/tls')})
  })

  it('accepts an expired certificate with a warning', () => {
    const result = certificateFromSecret(tlsSecret('old', {'tls.crt': expired.certPem, 'tls.key': pair.keyPem}))
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.warnings).toEqual([expect.stringMatching(/^Secret default\/old: the certificate expired on \d{4}-\d\d-\d\d/)])
  })
})

describe('CertificateStore with Secrets', () => {
  it('serves the Secret certificate for its hosts, and mints one with a warning when the Secret is bad', async () => {
    const t = tempDir()
    try {
      const good = tlsSecret('shop-tls', {'tls.crt': pair.certPem, 'tls.key': pair.keyPem})
      const bad = tlsSecret('admin-tls', {'tls.crt': pair.certPem, 'tls.key': otherPair.keyPem})
      const set = await new CertificateStore({home: path.join(t.dir, 'k')}).certificatesFor([
        {host: 'shop.example.com', tls: true, secretName: 'default/shop-tls', secret: good},
        {host: 'admin.example.com', tls: true, secretName: 'default/admin-tls', secret: bad},
        {host: 'notcovered.example.com', tls: true, secretName: 'default/shop-tls', secret: good},
        {host: 'api.example.com', tls: true, secretName: 'default/in-cluster-only', secret: null},
      ])
      expect(set.entries.get('shop.example.com')).toMatchObject({source: 'secret', secret: 'default/shop-tls', certFile: null})
      expect(set.entries.get('shop.example.com')?.cert.fingerprint256).toBe(pair.cert.fingerprint256)
      expect(set.entries.get('admin.example.com')?.source).toBe('local-ca')
      expect(set.entries.get('notcovered.example.com')?.source).toBe('local-ca')
      expect(set.entries.get('api.example.com')?.source).toBe('local-ca')
      expect(set.warnings).toEqual([
        expect.stringMatching(/^Secret default\/admin-tls: tls\.key does not match .* kingress serves a certificate from its local CA instead for admin\.example\.com$/),
        expect.stringMatching(/^Secret default\/shop-tls: its certificate \(DNS:shop\.example\.com, DNS:\*\.shop\.example\.com\) does not cover notcovered\.example\.com/),
      ])
    } finally {
      t.cleanup()
    }
  })

  it('tlsHostsFromIngresses resolves secretName in the Ingress namespace', () => {
    const {snapshot} = snapshotOf(
      [
        'apiVersion: networking.k8s.io/v1',
        'kind: Ingress',
        'metadata: {name: shop, namespace: shop}',
        'spec:',
        '  tls:',
        '  - hosts: [shop.example.com, "*.shop.example.com"]',
        '    secretName: shop-tls',
        '  rules:',
        '  - host: shop.example.com',
        '    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}',
        '  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}',
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: shop-tls, namespace: shop}',
        'type: kubernetes.io/tls',
        `data: {tls.crt: ${Buffer.from(pair.certPem).toString('base64')}, tls.key: ${Buffer.from(pair.keyPem).toString('base64')}}`,
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: shop-tls, namespace: other}',
        'type: kubernetes.io/tls',
        `data: {tls.crt: ${Buffer.from(pair.certPem).toString('base64')}, tls.key: ${Buffer.from(pair.keyPem).toString('base64')}}`,
      ].join('\n'),
    )
    const secret = snapshot.secrets.find((s) => s.meta.namespace === 'shop')
    expect(secret).toBeDefined()
    const hosts = tlsHostsFromIngresses(snapshot.ingresses, snapshot.secrets)
    expect(hosts).toEqual([
      {host: 'shop.example.com', tls: true, secretName: 'shop/shop-tls', secret},
      {host: '*.shop.example.com', tls: true, secretName: 'shop/shop-tls', secret},
      {host: 'shop.example.com', tls: false},
    ])
  })
})
