import crypto, {X509Certificate} from 'node:crypto'
import {existsSync} from 'node:fs'
import path from 'node:path'
import tls, {type SecureContext} from 'node:tls'

import {type Ingress, objectKey, type Secret} from '../manifests/model.js'
import {caPaths, type LocalCA, loadOrCreateCA} from './ca.js'
import {ensurePrivateDir, readIfExists, writeFileAtomic} from './files.js'
import {kingressHome} from './home.js'
import {type CertificatePair, FAKE_CERTIFICATE_CN, fakeCertificate, issueLeaf, leafNeedsRenewal} from './leaf.js'
import {certificateFromSecret} from './secret.js'
import {certificateServes, generateRsaKey, type KeyPair, normalizeCertName} from './x509.js'

/** One host pattern the HTTPS listener serves, and what spec.tls says about it. */
export interface TlsHostRequest {
  /**
   * `app.example.com` or `*.example.com`; `*` for a catch-all (a Gateway HTTPS listener without a
   * hostname): its Secret serves the server names no other certificate is for.
   */
  readonly host: string
  /** The host is listed under spec.tls of some Ingress (only these get a trusted certificate under --strict-tls). */
  readonly tls: boolean
  /** `namespace/name` of the Secret spec.tls names for it, when it names one. */
  readonly secretName?: string | null
  /** That Secret, when it is among the loaded files (usually it lives only in the cluster). */
  readonly secret?: Secret | null
}

export type CertificateSource = 'secret' | 'local-ca' | 'fake'

export interface CertificateEntry {
  /** The host pattern (`a.example.com`, `*.example.com`), or `*` for the default certificate. */
  readonly pattern: string
  readonly source: CertificateSource
  /** `namespace/name` when source is 'secret'. */
  readonly secret: string | null
  readonly certPem: string
  readonly keyPem: string
  readonly cert: X509Certificate
  readonly notAfter: Date
  /** Where a minted certificate is cached (null for Secret-provided ones). */
  readonly certFile: string | null
  readonly context: SecureContext
}

export interface CertificateSet {
  /** host pattern → certificate, for every host that has its own. */
  readonly entries: ReadonlyMap<string, CertificateEntry>
  /** host pattern → SecureContext (the same as entries, for callers that only need contexts). */
  readonly contexts: ReadonlyMap<string, SecureContext>
  /**
   * For unknown SNI names and clients that send none (https://127.0.0.1/): a local-CA certificate for
   * localhost, 127.0.0.1 and ::1, or under --strict-tls the untrusted fake certificate. Pass its
   * certPem/keyPem as the server's `cert`/`key`, since Node calls SNICallback only when SNI is sent.
   */
  readonly defaultEntry: CertificateEntry
  readonly defaultContext: SecureContext
  /** Exact pattern, then the one-label wildcard, then the default. */
  lookup(servername: string): CertificateEntry
  /** For `https.createServer` / `http2.createSecureServer` / `tls.createServer`: `{SNICallback}`. */
  readonly SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void
  /** Bad or unusable Secrets, hosts no certificate can hold — one line each, ready to print. */
  readonly warnings: readonly string[]
  readonly ca: {readonly certPath: string; readonly fingerprint: string; readonly created: boolean}
  /** Certificates this call had to issue (0 when every one came from the cache). */
  readonly minted: number
}

export interface CertificateStoreOptions {
  /** Default kingressHome(env). */
  readonly home?: string
  readonly env?: NodeJS.ProcessEnv
  /** --strict-tls: only hosts in spec.tls get a trusted certificate; the rest get the fake one. */
  readonly strict?: boolean
  readonly now?: () => Date
  /** Validity of newly minted leaves, in ms (tests use a short one to exercise renewal). */
  readonly leafValidityMs?: number
}

const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1']

/**
 * Certificates for the HTTPS listener. Keep one store for a whole `up` session and call
 * certificatesFor() again on every reload: certificates are cached in memory and on disk
 * (`$KINGRESS_HOME/certs/<host>.pem` + `<host>-key.pem`), re-issued when they come within 30 days of
 * expiry, were issued by another CA, or don't cover the name.
 *
 * All leaves minted by one store share one RSA key (generated once, on first need): RSA-2048 keygen
 * costs 100-300 ms here, so a key per host would make the first start with five hosts take ~1 s more.
 */
export class CertificateStore {
  readonly home: string
  private readonly options: CertificateStoreOptions
  private caPromise: Promise<LocalCA> | null = null
  private sessionKey: Promise<KeyPair> | null = null
  private readonly memory = new Map<string, CertificateEntry>()

  constructor(options: CertificateStoreOptions = {}) {
    this.options = options
    this.home = options.home ?? kingressHome(options.env)
  }

  /** The local CA, created on first use. */
  ca(): Promise<LocalCA> {
    this.caPromise ??= loadOrCreateCA({home: this.home, env: this.options.env})
    this.caPromise.catch(() => {
      this.caPromise = null
    })
    return this.caPromise
  }

  async certificatesFor(requests: readonly TlsHostRequest[], options: {readonly strict?: boolean} = {}): Promise<CertificateSet> {
    const strict = options.strict ?? this.options.strict ?? false
    // First start: create the CA and the leaf key at the same time.
    if (!existsSync(caPaths(this.home).cert)) this.leafKey().catch(() => {})
    const ca = await this.ca()
    const warnings: string[] = []
    const plan = planCertificates(requests, strict, warnings)
    const counter = {minted: 0}

    const entries = new Map<string, CertificateEntry>()
    const jobs: Promise<void>[] = []
    for (const item of plan.values()) {
      jobs.push(
        (async () => {
          const fromSecret = this.secretEntry(item, warnings)
          entries.set(item.host, fromSecret ?? (await this.localEntry(ca, item.host, [item.host], counter)))
        })(),
      )
    }
    const defaultJob = strict ? this.fakeEntry(counter) : this.localEntry(ca, '*', DEFAULT_NAMES, counter, '_default')
    await Promise.all(jobs)
    const defaultEntry = await defaultJob
    const catchAll = this.catchAllEntry(requests, warnings)

    const sorted = new Map([...entries].sort(([a], [b]) => a.localeCompare(b)))
    const contexts = new Map([...sorted].map(([host, entry]) => [host, entry.context]))
    // A name no entry is for: the catch-all listener's Secret, as a cluster's Gateway serves it; no SNI: the default.
    const lookup = (servername: string): CertificateEntry => sniLookup(sorted, servername.trim() === '' ? defaultEntry : (catchAll ?? defaultEntry), servername)
    return {
      entries: sorted,
      contexts,
      defaultEntry,
      defaultContext: defaultEntry.context,
      lookup,
      SNICallback: (servername, cb) => cb(null, lookup(servername).context),
      warnings,
      ca: {certPath: ca.paths.cert, fingerprint: ca.fingerprint, created: ca.created},
      minted: counter.minted,
    }
  }

  /** The first `*` request's Secret, when it is usable. */
  private catchAllEntry(requests: readonly TlsHostRequest[], warnings: string[]): CertificateEntry | null {
    const request = requests.find((r) => r.host === '*' && r.secret != null)
    if (request === undefined) return null
    const secret = request.secret!
    const result = certificateFromSecret(secret, this.now())
    const fallback = 'kingress serves its own certificates for the names no other certificate is for'
    if (!result.ok) {
      warnings.push(`${result.error} — ${fallback}`)
      return null
    }
    warnings.push(...result.warnings)
    try {
      return toEntry('*', 'secret', objectKey(secret.meta), result.pair, null)
    } catch (error) {
      warnings.push(`Secret ${objectKey(secret.meta)}: TLS cannot use it (${(error as Error).message}) — ${fallback}`)
      return null
    }
  }

  private leafKey(): Promise<KeyPair> {
    this.sessionKey ??= generateRsaKey()
    return this.sessionKey
  }

  private secretEntry(item: PlannedHost, warnings: string[]): CertificateEntry | null {
    if (item.secret === null) return null
    const result = certificateFromSecret(item.secret, this.now())
    const fallback = 'kingress serves a certificate from its local CA instead'
    if (!result.ok) {
      warnings.push(`${result.error} — ${fallback} for ${item.host}`)
      return null
    }
    warnings.push(...result.warnings)
    if (!certificateServes(result.pair.cert, item.host)) {
      const san = result.pair.cert.subjectAltName ?? 'no subjectAltName'
      warnings.push(`Secret ${objectKey(item.secret.meta)}: its certificate (${san}) does not cover ${item.host} — ${fallback}`)
      return null
    }
    try {
      return toEntry(item.host, 'secret', objectKey(item.secret.meta), result.pair, null)
    } catch (error) {
      warnings.push(`Secret ${objectKey(item.secret.meta)}: TLS cannot use it (${(error as Error).message}) — ${fallback} for ${item.host}`)
      return null
    }
  }

  private async localEntry(ca: LocalCA, pattern: string, names: readonly string[], counter: {minted: number}, stem = fileStem(pattern)): Promise<CertificateEntry> {
    const now = this.now()
    const cached = this.memory.get(pattern)
    if (cached !== undefined && cached.certFile !== null && isStillGood(cached, ca, names, now)) return cached

    const certsDir = caPaths(this.home).certsDir
    const certFile = path.join(certsDir, `${stem}.pem`)
    const keyFile = path.join(certsDir, `${stem}-key.pem`)
    const onDisk = await readPair(certFile, keyFile)
    if (onDisk !== null && leafNeedsRenewal(onDisk.pair, onDisk.key, ca, names, now) === null) {
      const entry = toEntry(pattern, 'local-ca', null, onDisk.pair, certFile)
      this.memory.set(pattern, entry)
      return entry
    }
    const pair = issueLeaf(ca, names, {key: await this.leafKey(), now, validityMs: this.options.leafValidityMs})
    await ensurePrivateDir(certsDir)
    await writeFileAtomic(keyFile, pair.keyPem, 0o600)
    await writeFileAtomic(certFile, pair.certPem, 0o644)
    counter.minted++
    const entry = toEntry(pattern, 'local-ca', null, pair, certFile)
    this.memory.set(pattern, entry)
    return entry
  }

  private async fakeEntry(counter: {minted: number}): Promise<CertificateEntry> {
    const now = this.now()
    const cached = this.memory.get('\0fake')
    if (cached !== undefined && cached.notAfter.getTime() - now.getTime() > 24 * 60 * 60 * 1000) return cached
    const certsDir = caPaths(this.home).certsDir
    const certFile = path.join(certsDir, '_fake.pem')
    const keyFile = path.join(certsDir, '_fake-key.pem')
    const onDisk = await readPair(certFile, keyFile)
    let pair: CertificatePair
    if (
      onDisk !== null &&
      onDisk.pair.cert.subject.includes(`CN=${FAKE_CERTIFICATE_CN}`) &&
      onDisk.pair.cert.checkPrivateKey(onDisk.key) &&
      new Date(onDisk.pair.cert.validTo).getTime() - now.getTime() > 24 * 60 * 60 * 1000
    ) {
      pair = onDisk.pair
    } else {
      pair = fakeCertificate(await this.leafKey(), now)
      await ensurePrivateDir(certsDir)
      await writeFileAtomic(keyFile, pair.keyPem, 0o600)
      await writeFileAtomic(certFile, pair.certPem, 0o644)
      counter.minted++
    }
    const entry = toEntry('*', 'fake', null, pair, certFile)
    this.memory.set('\0fake', entry)
    return entry
  }

  private now(): Date {
    return this.options.now?.() ?? new Date()
  }
}

/** One-shot form of `new CertificateStore(options).certificatesFor(requests)`. */
export async function certificatesFor(requests: readonly TlsHostRequest[], options: CertificateStoreOptions = {}): Promise<CertificateSet> {
  return new CertificateStore(options).certificatesFor(requests)
}

/**
 * SNI selection as ingress-nginx does it: the exact host, then the wildcard one label up
 * (`*.example.com` for `a.example.com`, never for `a.b.example.com`), then the fallback.
 */
export function sniLookup<T>(byPattern: ReadonlyMap<string, T>, fallback: T, servername: string): T {
  let name = servername.trim().toLowerCase()
  if (name.endsWith('.')) name = name.slice(0, -1)
  if (name === '') return fallback
  const exact = byPattern.get(name)
  if (exact !== undefined) return exact
  const dot = name.indexOf('.')
  if (dot > 0) {
    const wildcard = byPattern.get('*' + name.slice(dot))
    if (wildcard !== undefined) return wildcard
  }
  return fallback
}

/**
 * The TLS view of loaded Ingresses: every rule host, flagged when spec.tls lists it, with the Secret
 * spec.tls names (looked up in the Ingress's namespace among `secrets`). Pass the Ingresses compile()
 * kept (after --class filtering).
 */
export function tlsHostsFromIngresses(ingresses: readonly Ingress[], secrets: readonly Secret[]): TlsHostRequest[] {
  const byKey = new Map(secrets.map((s) => [objectKey(s.meta), s]))
  const out: TlsHostRequest[] = []
  for (const ingress of ingresses) {
    for (const entry of ingress.tls) {
      const secretName = entry.secretName === null ? null : `${ingress.meta.namespace}/${entry.secretName}`
      for (const host of entry.hosts) out.push({host, tls: true, secretName, secret: secretName === null ? null : (byKey.get(secretName) ?? null)})
    }
    for (const rule of ingress.rules) if (rule.host !== null) out.push({host: rule.host, tls: false})
  }
  return out
}

interface PlannedHost {
  readonly host: string
  readonly secret: Secret | null
}

/** Which host patterns get their own certificate, and from which Secret. */
function planCertificates(all: readonly TlsHostRequest[], strict: boolean, warnings: string[]): Map<string, PlannedHost> {
  const plan = new Map<string, PlannedHost>()
  // The catch-all (`*`) is no host pattern: certificatesFor serves it as the fallback for SNI names.
  const requests = all.filter((r) => r.host !== '*')
  const secretOf = new Map<string, string | null>()
  const accept = (raw: string): string | null => {
    try {
      return normalizeCertName(raw)
    } catch (error) {
      warnings.push(`${(error as Error).message}; it gets no certificate of its own`)
      return null
    }
  }
  // spec.tls hosts first: they decide which Secret serves a host.
  for (const request of requests) {
    if (!request.tls) continue
    const host = accept(request.host)
    if (host === null) continue
    const named = request.secretName ?? null
    if (plan.has(host)) {
      const first = secretOf.get(host) ?? null
      if (named !== null && first !== null && named !== first) warnings.push(`${host} is listed in spec.tls with Secret ${first} and with Secret ${named}; kingress uses ${first}, the first loaded`)
      if (first === null && named !== null && request.secret != null) {
        plan.set(host, {host, secret: request.secret})
        secretOf.set(host, named)
      }
      continue
    }
    plan.set(host, {host, secret: request.secret ?? null})
    secretOf.set(host, named)
  }
  if (strict) return plan
  // Without --strict-tls every host gets a trusted certificate, unless a spec.tls wildcard covers it.
  // Exact names before rule wildcards, so the result does not depend on the order of the Ingresses.
  const ruleHosts = requests.filter((r) => !r.tls)
  for (const request of [...ruleHosts.filter((r) => !r.host.startsWith('*.')), ...ruleHosts.filter((r) => r.host.startsWith('*.'))]) {
    const host = accept(request.host)
    if (host === null || sniLookup(plan, null, host) !== null) continue
    plan.set(host, {host, secret: null})
  }
  return plan
}

function isStillGood(entry: CertificateEntry, ca: LocalCA, names: readonly string[], now: Date): boolean {
  return leafNeedsRenewal(entry, crypto.createPrivateKey(entry.keyPem), ca, names, now) === null
}

function toEntry(pattern: string, source: CertificateSource, secret: string | null, pair: CertificatePair, certFile: string | null): CertificateEntry {
  return {
    pattern,
    source,
    secret,
    certPem: pair.certPem,
    keyPem: pair.keyPem,
    cert: pair.cert,
    notAfter: new Date(pair.cert.validTo),
    certFile,
    context: tls.createSecureContext({cert: pair.certPem, key: pair.keyPem}),
  }
}

async function readPair(certFile: string, keyFile: string): Promise<{pair: CertificatePair; key: crypto.KeyObject} | null> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)])
  if (certPem === null || keyPem === null) return null
  try {
    return {pair: {certPem, keyPem, cert: new X509Certificate(certPem)}, key: crypto.createPrivateKey(keyPem)}
  } catch {
    return null // damaged: issue a new one
  }
}

/** `*.example.com` → `_wildcard.example.com`; anything unsafe in a file name → `_`. */
export function fileStem(pattern: string): string {
  return pattern.replace(/^\*\./, '_wildcard.').replace(/[^a-z0-9._-]/gi, '_')
}

