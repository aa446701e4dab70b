import crypto, {X509Certificate} from 'node:crypto'

import {objectKey, type Secret} from '../manifests/model.js'
import type {CertificatePair} from './leaf.js'
import {splitPemCertificates} from './x509.js'

export type SecretCertificate =
  | {readonly ok: true; readonly pair: CertificatePair; readonly warnings: readonly string[]}
  | {readonly ok: false; readonly error: string}

/**
 * The certificate and key of a `kubernetes.io/tls` Secret (`tls.crt`, `tls.key`, already base64-decoded
 * by the manifest loader), checked: both parse, the key belongs to the first certificate. Errors name
 * the Secret and say what is wrong; the caller then mints a local certificate instead and warns.
 * An expired certificate is returned with a warning (ingress-nginx serves it too).
 */
export function certificateFromSecret(secret: Secret, now: Date = new Date()): SecretCertificate {
  const name = `Secret ${objectKey(secret.meta)}`
  const fail = (what: string): SecretCertificate => ({ok: false, error: `${name}: ${what}`})
  if (secret.type !== 'kubernetes.io/tls' && secret.type !== 'Opaque' && secret.type !== '') {
    return fail(`has type "${secret.type}"; a TLS certificate needs type kubernetes.io/tls`)
  }
  const crt = secret.data['tls.crt']
  const key = secret.data['tls.key']
  if (crt === undefined || crt.trim() === '') return fail('has no tls.crt (the PEM certificate)')
  if (key === undefined || key.trim() === '') return fail('has no tls.key (the PEM private key)')

  const blocks = splitPemCertificates(crt)
  if (blocks.length === 0) {
    return fail(`tls.crt is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block${looksBase64(crt) ? '; it looks base64-encoded twice: data values are base64 of the PEM text, stringData values the PEM text itself' : ''})`)
  }
  const certs: X509Certificate[] = []
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block))
    } catch (error) {
      return fail(`tls.crt certificate #${i + 1} cannot be parsed (${reason(error)})`)
    }
  }
  const leaf = certs[0]
  if (leaf === undefined) return fail('tls.crt holds no certificate')

  let privateKey: crypto.KeyObject
  try {
    privateKey = crypto.createPrivateKey(key)
  } catch (error) {
    return fail(`tls.key is not a PEM private key (${reason(error)})`)
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    return fail(`tls.key does not match the certificate in tls.crt (subject ${oneLine(leaf.subject)}): the key belongs to another certificate`)
  }

  const warnings: string[] = []
  if (new Date(leaf.validTo).getTime() <= now.getTime()) warnings.push(`${name}: the certificate expired on ${new Date(leaf.validTo).toISOString().slice(0, 10)}; clients will reject it`)
  else if (new Date(leaf.validFrom).getTime() > now.getTime()) warnings.push(`${name}: the certificate is not valid before ${new Date(leaf.validFrom).toISOString()}`)
  // Serve the chain as given, leaf first; the key as the Secret holds it.
  return {ok: true, pair: {certPem: blocks.join('\n') + '\n', keyPem: key, cert: leaf}, warnings}
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.replace(/^error:[0-9A-F]+:/, '')
}

function oneLine(dn: string): string {
  return dn.split('\n').filter(Boolean).join(', ')
}

function looksBase64(text: string): boolean {
  const t = text.replace(/\s+/g, '')
  return t.length > 40 && /^[A-Za-z0-9+/]+=*$/.test(t) && Buffer.from(t, 'base64').toString('latin1').includes('-----BEGIN')
}
