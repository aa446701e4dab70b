import {createRequire} from 'node:module'

import type Forge from 'node-forge'

let loaded: typeof Forge | null = null

/**
 * node-forge, loaded on first use: it holds about 12 MB of memory, and an `up` whose CA and
 * certificates are all cached on disk never needs it (node:crypto reads and serves them).
 */
export function forge(): typeof Forge {
  loaded ??= createRequire(import.meta.url)('node-forge') as typeof Forge
  return loaded
}

export type ForgeCertificate = Forge.pki.Certificate
export type ForgeCertificateField = Forge.pki.CertificateField
export type ForgeAsn1 = Forge.asn1.Asn1
