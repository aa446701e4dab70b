import type {KeyObject} from 'node:crypto'
import {X509Certificate} from 'node:crypto'

import type {LocalCA} from './ca.js'
import {altNames, buildCertificate, type KeyPair, type NameAttribute, nameAttributes, privateKeyPem, sanCovers, subjectKeyIdentifierBytes} from './x509.js'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Leaf validity. Browsers refuse certificates from user-installed roots valid for more than 825 days
 * (Apple), and publicly trusted ones for more than 398; 397 days stays under both, and kingress
 * renews a certificate itself 30 days before it expires.
 */
export const LEAF_VALIDITY_DAYS = 397
export const RENEW_BEFORE_DAYS = 30

/** A certificate and its key, PEM. `certPem` may hold a chain (leaf first). */
export interface CertificatePair {
  readonly certPem: string
  readonly keyPem: string
  readonly cert: X509Certificate
}

export interface LeafOptions {
  /** The key to certify; leaves minted in one session may share one key (see CertificateStore). */
  readonly key: KeyPair
  readonly now?: Date
  /** Validity in days (tests mint short-lived certificates to exercise renewal). */
  readonly validityDays?: number
  /** Validity in milliseconds; wins over validityDays. */
  readonly validityMs?: number
}

/** Issues a server certificate for `names` (normalised host names, `*.example.com`, or IP literals) signed by the CA. */
export function issueLeaf(ca: LocalCA, names: readonly string[], options: LeafOptions): CertificatePair {
  if (names.length === 0) throw new Error('a certificate needs at least one name')
  const now = options.now ?? new Date()
  const validityMs = options.validityMs ?? (options.validityDays ?? LEAF_VALIDITY_DAYS) * DAY_MS
  const first = names[0] ?? ''
  const subject: NameAttribute[] = [
    // Clients ignore the CN when SANs exist; it is there for people reading the certificate.
    ...(first.length <= 64 ? [{name: 'commonName', value: first}] : []),
    {name: 'organizationName', value: 'kingress development certificate'},
  ]
  const certPem = buildCertificate({
    subject,
    issuer: nameAttributes(ca.forgeCert.subject.attributes),
    publicKey: options.key.publicKey,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + validityMs),
    extensions: [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
      {name: 'extKeyUsage', serverAuth: true},
      {name: 'subjectAltName', altNames: altNames(names)},
      {name: 'subjectKeyIdentifier'},
      {name: 'authorityKeyIdentifier', keyIdentifier: subjectKeyIdentifierBytes(ca.forgeCert)},
    ],
    signingKey: ca.privateKey,
  })
  return {certPem, keyPem: privateKeyPem(options.key.privateKey), cert: new X509Certificate(certPem)}
}

/** ingress-nginx's name for the certificate it serves when it has none for a host; kingress serves the same under --strict-tls. */
export const FAKE_CERTIFICATE_CN = 'Kubernetes Ingress Controller Fake Certificate'

/**
 * A self-signed certificate like ingress-nginx's default one (CN "Kubernetes Ingress Controller Fake
 * Certificate", O "Acme Co", SAN ingress.local): no client trusts it, which is the point of --strict-tls.
 */
export function fakeCertificate(key: KeyPair, now: Date = new Date()): CertificatePair {
  const name: NameAttribute[] = [
    {name: 'organizationName', value: 'Acme Co'},
    {name: 'commonName', value: FAKE_CERTIFICATE_CN},
  ]
  const certPem = buildCertificate({
    subject: name,
    issuer: name,
    publicKey: key.publicKey,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + 365 * DAY_MS),
    extensions: [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true},
      {name: 'extKeyUsage', serverAuth: true},
      {name: 'subjectAltName', altNames: altNames(['ingress.local'])},
    ],
    signingKey: key.privateKey,
  })
  return {certPem, keyPem: privateKeyPem(key.privateKey), cert: new X509Certificate(certPem)}
}

/** Why a cached leaf must be re-issued, or null when it is still good for `names`. */
export function leafNeedsRenewal(pair: CertificatePair, privateKey: KeyObject, ca: LocalCA, names: readonly string[], now: Date = new Date()): string | null {
  const {cert} = pair
  if (cert.issuer !== ca.cert.subject || !cert.verify(ca.cert.publicKey)) return 'it was issued by another CA'
  if (!cert.checkPrivateKey(privateKey)) return 'its key file does not match it'
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return `it expires on ${new Date(cert.validTo).toISOString().slice(0, 10)}`
  if (new Date(cert.validFrom).getTime() > now.getTime()) return 'it is not valid yet'
  const missing = names.filter((n) => !sanCovers(cert, n))
  if (missing.length > 0) return `it does not cover ${missing.join(', ')}`
  return null
}
