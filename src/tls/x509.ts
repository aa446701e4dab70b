import crypto, {type KeyObject, X509Certificate} from 'node:crypto'
import net from 'node:net'
import {promisify} from 'node:util'

import {forge, type ForgeAsn1, type ForgeCertificate, type ForgeCertificateField} from './forge.js'

const generateKeyPair = promisify(crypto.generateKeyPair)

export interface KeyPair {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
}

/** A 2048-bit RSA key from node:crypto (native, off the main thread). node-forge has no ECDSA, so RSA it is. */
export async function generateRsaKey(): Promise<KeyPair> {
  return generateKeyPair('rsa', {modulusLength: 2048})
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({type: 'pkcs8', format: 'pem'}).toString()
}

export type NameAttribute = {readonly name: string; readonly value: string}

export interface CertificateSpec {
  readonly subject: readonly NameAttribute[]
  /** The issuer's subject; the same as `subject` for a self-signed certificate. */
  readonly issuer: readonly NameAttribute[]
  readonly publicKey: KeyObject
  readonly notBefore: Date
  readonly notAfter: Date
  readonly extensions: readonly object[]
  /** The issuer's private key (the certificate's own for a self-signed one). */
  readonly signingKey: KeyObject
}

/**
 * Builds an X.509 certificate with node-forge and signs it with SHA-256/RSA. The signature itself is
 * computed by node:crypto over forge's TBSCertificate: forge's pure-JS RSA signing costs 50-70 ms a
 * certificate here, the native one ~1 ms, and the bytes are the same PKCS#1 v1.5 signature.
 */
export function buildCertificate(spec: CertificateSpec): string {
  const f = forge()
  const cert = f.pki.createCertificate()
  cert.publicKey = f.pki.publicKeyFromPem(spec.publicKey.export({type: 'spki', format: 'pem'}).toString())
  cert.serialNumber = randomSerialHex()
  cert.validity.notBefore = spec.notBefore
  cert.validity.notAfter = spec.notAfter
  cert.setSubject(spec.subject.map(utf8Attribute))
  cert.setIssuer(spec.issuer.map(utf8Attribute))
  cert.setExtensions(spec.extensions.map((e) => ({...e})))
  const sha256WithRSA = f.pki.oids.sha256WithRSAEncryption
  if (sha256WithRSA === undefined) throw new Error('node-forge lacks the sha256WithRSAEncryption OID')
  // What forge's cert.sign() does, with the signing step done natively.
  cert.signatureOid = sha256WithRSA
  cert.siginfo.algorithmOid = sha256WithRSA
  const tbs = (f.pki as unknown as {getTBSCertificate(c: ForgeCertificate): ForgeAsn1}).getTBSCertificate(cert)
  ;(cert as unknown as {tbsCertificate: ForgeAsn1}).tbsCertificate = tbs
  const tbsDer = Buffer.from(f.asn1.toDer(tbs).getBytes(), 'binary')
  const signature = crypto.sign('sha256', tbsDer, spec.signingKey)
  cert.signature = signature.toString('binary')
  return f.pki.certificateToPem(cert).replaceAll('\r\n', '\n')
}

/** forge writes PrintableString by default, which cannot hold `@` or `_`; use UTF8String (forge encodes the UTF-8). */
function utf8Attribute(a: NameAttribute): ForgeCertificateField {
  return {name: a.name, value: a.value, valueTagClass: forge().asn1.Type.UTF8} as unknown as ForgeCertificateField
}

/** A forge certificate's subject as NameAttributes (forge leaves parsed UTF8String values as raw UTF-8 bytes). */
export function nameAttributes(fields: readonly ForgeCertificateField[]): NameAttribute[] {
  return fields.map((f) => {
    const raw = String(f.value)
    const utf8 = (f as {valueTagClass?: number}).valueTagClass === forge().asn1.Type.UTF8
    return {name: f.name ?? f.type ?? '', value: utf8 ? forge().util.decodeUtf8(raw) : raw}
  })
}

/** 128 random bits, positive and without a leading zero byte (strict DER parsers reject that). */
export function randomSerialHex(): string {
  const bytes = crypto.randomBytes(16)
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40
  return bytes.toString('hex')
}

/** The subjectKeyIdentifier of a forge certificate as a binary string, for a child's authorityKeyIdentifier. */
export function subjectKeyIdentifierBytes(cert: ForgeCertificate): string {
  const ext = cert.getExtension('subjectKeyIdentifier') as {subjectKeyIdentifier?: string} | undefined
  if (ext?.subjectKeyIdentifier !== undefined) return forge().util.hexToBytes(ext.subjectKeyIdentifier)
  return cert.generateSubjectKeyIdentifier().getBytes()
}

/** forge altNames entries: DNS names (type 2) and IP addresses (type 7). */
export function altNames(names: readonly string[]): object[] {
  return names.map((name) => (net.isIP(name) !== 0 ? {type: 7, ip: name} : {type: 2, value: name}))
}

/**
 * Lower-cases a host name, drops a trailing dot and IPv6 brackets. Throws on names no certificate can
 * hold (empty, spaces, `*` anywhere but as the whole first label).
 */
export function normalizeCertName(raw: string): string {
  let name = raw.trim().toLowerCase()
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1)
  if (net.isIP(name) !== 0) return name
  if (name.endsWith('.')) name = name.slice(0, -1)
  const labels = name.split('.')
  const ok =
    name.length > 0 &&
    name.length <= 253 &&
    labels.every((label, i) => (label === '*' && i === 0 && labels.length > 1) || /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label))
  if (!ok) throw new Error(`"${raw}" is not a host name a certificate can hold`)
  return name
}

export interface SubjectAltNames {
  readonly dns: readonly string[]
  readonly ips: readonly string[]
}

/** The DNS and IP subjectAltNames of a certificate, DNS names lower-cased. */
export function subjectAltNames(cert: X509Certificate): SubjectAltNames {
  const dns: string[] = []
  const ips: string[] = []
  for (const part of splitSan(cert.subjectAltName ?? '')) {
    if (part.startsWith('DNS:')) dns.push(unquote(part.slice(4)).toLowerCase())
    else if (part.startsWith('IP Address:')) ips.push(unquote(part.slice(11)))
  }
  return {dns, ips}
}

function splitSan(value: string): string[] {
  // Node quotes entries that contain separators (JSON string syntax); split outside quotes.
  const parts: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? ''
    if (c === '"' && value[i - 1] !== '\\') quoted = !quoted
    if (c === ',' && !quoted) {
      parts.push(current.trim())
      current = ''
    } else current += c
  }
  if (current.trim() !== '') parts.push(current.trim())
  return parts
}

function unquote(s: string): string {
  if (s.startsWith('"') && s.endsWith('"')) {
    try {
      return JSON.parse(s) as string
    } catch {
      return s.slice(1, -1)
    }
  }
  return s
}

/** True when the certificate's SANs name `name` itself (literally, so `*.a.com` needs SAN `*.a.com`), or an IP it lists. */
export function sanCovers(cert: X509Certificate, name: string): boolean {
  if (net.isIP(name) !== 0) return cert.checkIP(name) !== undefined
  return subjectAltNames(cert).dns.includes(name)
}

/**
 * True when a server certificate is valid for host pattern `name` the way a client sees it: exact
 * names through checkHost (SAN wildcards included), a wildcard pattern only through the same wildcard.
 */
export function certificateServes(cert: X509Certificate, name: string): boolean {
  if (net.isIP(name) !== 0) return cert.checkIP(name) !== undefined
  if (name.startsWith('*.')) return subjectAltNames(cert).dns.includes(name)
  return cert.checkHost(name, {subject: 'never'}) !== undefined
}

/** All PEM certificates in a bundle, in order. */
export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

export function sha256Fingerprint(cert: X509Certificate): string {
  return cert.fingerprint256.replaceAll(':', '').toLowerCase()
}
