import crypto, {type KeyObject, X509Certificate} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'


import {UserError} from '../errors.js'
import {forge, type ForgeCertificate} from './forge.js'
import {ensurePrivateDir, readIfExists, withLock, writeFileAtomic} from './files.js'
import {kingressHome, userAtHost} from './home.js'
import {buildCertificate, generateRsaKey, type NameAttribute, nameAttributes, privateKeyPem, sha256Fingerprint} from './x509.js'

const DAY_MS = 24 * 60 * 60 * 1000
/** The CA lives ~10 years; it is trusted once and should not need re-installing. */
export const CA_VALIDITY_DAYS = 3650

export const CA_ORGANIZATION = 'kingress development CA'

export interface CaPaths {
  readonly home: string
  readonly cert: string
  readonly key: string
  readonly certsDir: string
  readonly trustFile: string
}

export function caPaths(home: string): CaPaths {
  return {
    home,
    cert: path.join(home, 'ca.pem'),
    key: path.join(home, 'ca-key.pem'),
    certsDir: path.join(home, 'certs'),
    trustFile: path.join(home, 'trust.json'),
  }
}

/** The local CA, loaded and checked: what leaf issuing and the trust-store code need. */
export interface LocalCA {
  readonly paths: CaPaths
  readonly certPem: string
  readonly cert: X509Certificate
  /** Parsed by node-forge on first read (issuing a leaf needs it; serving cached ones does not). */
  readonly forgeCert: ForgeCertificate
  readonly privateKey: KeyObject
  /** SHA-256 of the certificate, lower-case hex without colons. */
  readonly fingerprint: string
  /** First 8 hex digits of the fingerprint: names the CA in trust stores (`kingress-<id>.crt`). */
  readonly id: string
  /** The certificate's CN, e.g. `kingress local CA (ana@laptop)`. */
  readonly commonName: string
  /** True when this call created the CA. */
  readonly created: boolean
}

export interface CaOptions {
  /** Folder for the CA; default kingressHome(env). */
  readonly home?: string
  readonly env?: NodeJS.ProcessEnv
  readonly now?: Date
}

/** Loads the CA from `$KINGRESS_HOME`, creating it on first use. */
export async function loadOrCreateCA(options: CaOptions = {}): Promise<LocalCA> {
  const paths = caPaths(options.home ?? kingressHome(options.env))
  const existing = await loadCA(paths)
  if (existing !== null) return existing
  await ensurePrivateDir(paths.home)
  return withLock(path.join(paths.home, '.ca.lock'), async () => {
    // Another kingress may have created it while we waited for the lock.
    const raced = await loadCA(paths)
    if (raced !== null) return raced
    return createCA(paths, options)
  })
}

/** Loads an existing CA; null when there is none yet. Throws a UserError naming the file when it is damaged. */
export async function loadCA(paths: CaPaths): Promise<LocalCA | null> {
  const [certPem, keyPem] = await Promise.all([readIfExists(paths.cert), readIfExists(paths.key)])
  if (certPem === null && keyPem === null) return null
  const repair = `Move ${paths.home} away to start over with a new CA (then run \`kingress ca install\` again).`
  if (certPem === null || keyPem === null) {
    throw new UserError('ca-incomplete', `the local CA is incomplete: ${certPem === null ? paths.cert : paths.key} is missing. ${repair}`)
  }
  let cert: X509Certificate
  let privateKey: KeyObject
  try {
    cert = new X509Certificate(certPem)
  } catch (error) {
    throw new UserError('ca-damaged', `the local CA certificate ${paths.cert} cannot be read (${(error as Error).message}). ${repair}`)
  }
  try {
    privateKey = crypto.createPrivateKey(keyPem)
  } catch (error) {
    throw new UserError('ca-damaged', `the local CA key ${paths.key} cannot be read (${(error as Error).message}). ${repair}`)
  }
  if (!cert.checkPrivateKey(privateKey)) {
    throw new UserError('ca-damaged', `the local CA key ${paths.key} does not belong to the certificate ${paths.cert}. ${repair}`)
  }
  if (new Date(cert.validTo).getTime() <= Date.now()) {
    throw new UserError('ca-expired', `the local CA ${paths.cert} expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}. Run \`kingress ca uninstall\`, then ${repair}`)
  }
  return describe(paths, certPem, cert, privateKey, false)
}

async function createCA(paths: CaPaths, options: CaOptions): Promise<LocalCA> {
  const now = options.now ?? new Date()
  const owner = userAtHost(options.env)
  const {privateKey, publicKey} = await generateRsaKey()
  // CN is at most 64 characters.
  const cn = `kingress local CA (${owner})`.slice(0, 64)
  const name: NameAttribute[] = [
    {name: 'commonName', value: cn},
    {name: 'organizationName', value: CA_ORGANIZATION},
    // A random tag keeps two CAs of one user@host apart (NSS files certificates with equal subjects under one nickname).
    {name: 'organizationalUnitName', value: `${owner.slice(0, 40)} ${now.toISOString().slice(0, 10)} ${crypto.randomBytes(3).toString('hex')}`},
  ]
  const certPem = buildCertificate({
    subject: name,
    issuer: name,
    publicKey,
    // An hour back for clocks that disagree a little (VMs, containers).
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * DAY_MS),
    extensions: [
      {name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true},
      {name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true},
      {name: 'subjectKeyIdentifier'},
    ],
    signingKey: privateKey,
  })
  await ensurePrivateDir(paths.home)
  await fs.chmod(paths.home, 0o700)
  // Key first: a reader that finds the certificate also finds its key.
  await writeFileAtomic(paths.key, privateKeyPem(privateKey), 0o600)
  await writeFileAtomic(paths.cert, certPem, 0o644)
  return describe(paths, certPem, new X509Certificate(certPem), privateKey, true)
}

function describe(paths: CaPaths, certPem: string, cert: X509Certificate, privateKey: KeyObject, created: boolean): LocalCA {
  const fingerprint = sha256Fingerprint(cert)
  let forgeCert: ForgeCertificate | null = null
  const parsed = (): ForgeCertificate => (forgeCert ??= forge().pki.certificateFromPem(certPem))
  return {
    paths,
    certPem,
    cert,
    get forgeCert() {
      return parsed()
    },
    privateKey,
    fingerprint,
    id: fingerprint.slice(0, 8),
    get commonName() {
      return nameAttributes(parsed().subject.attributes).find((a) => a.name === 'commonName')?.value ?? 'kingress local CA'
    },
    created,
  }
}
