import {createHash} from 'node:crypto'
import type {SecureContext} from 'node:tls'

import {KingressError, UserError} from '../errors.js'
import type {Secret} from '../manifests/model.js'
import type {HttpsCredentials} from '../proxy/https-listener.js'
import {gatewayTlsRequests} from '../gateway/route-table.js'
import {type CertificateEntry, type CertificateSet, CertificateStore, type TlsHostRequest, tlsHostsFromIngresses} from '../tls/index.js'
import type {EventBus} from './events.js'
import type {RuntimeState} from './state.js'

export interface SessionTlsOptions {
  /** Where KINGRESS_HOME (and HOME) are read; default process.env. */
  readonly env?: NodeJS.ProcessEnv
  /** --strict-tls: hosts without a spec.tls entry get the untrusted fake certificate, as ingress-nginx serves them. */
  readonly strict?: boolean
  /** How often a long session re-checks expiry (default 12 h; leaves are renewed 30 days ahead). */
  readonly recheckMs?: number
  /** The store to use (tests); default a new CertificateStore for env/strict. */
  readonly store?: CertificateStore
}

const RECHECK_MS = 12 * 60 * 60 * 1000

/**
 * The HTTPS listener's certificates for one `up` session. `SNICallback` is one function for the
 * whole session that reads the current CertificateSet; a refresh builds a new set off to the side
 * and swaps the reference (and the default certificate) only when it is complete, so a handshake
 * never sees half a set. A failed refresh keeps the old set and emits an `error` event.
 */
export class SessionCertificates {
  private set: CertificateSet
  private signature: string
  private running: Promise<void> | null = null
  /** The newest state a refresh was asked for while one was running (only the latest matters). */
  private queued: {state: RuntimeState; force: boolean} | null = null
  private applyDefault: ((entry: CertificateEntry) => void) | null = null
  private off: (() => void) | null = null
  private timer: NodeJS.Timeout | null = null
  private closed = false

  private constructor(
    private readonly store: CertificateStore,
    private readonly options: SessionTlsOptions,
    set: CertificateSet,
    signature: string,
  ) {
    this.set = set
    this.signature = signature
  }

  /**
   * The store for a session, with the CA already loading (or being created: an RSA keygen) so that
   * work overlaps loading the manifests. Pass it to create().
   */
  static prepare(options: SessionTlsOptions = {}): CertificateStore {
    const store = options.store ?? new CertificateStore({env: options.env ?? process.env, strict: options.strict ?? false})
    store.ca().catch(() => {}) // the same error surfaces again from certificatesFor
    return store
  }

  /** Loads or mints every certificate the state's Ingresses need; an unusable KINGRESS_HOME is a UserError. */
  static async create(state: RuntimeState, options: SessionTlsOptions = {}, store = SessionCertificates.prepare(options)): Promise<SessionCertificates> {
    const requests = tlsRequests(state)
    let set: CertificateSet
    try {
      set = await store.certificatesFor(requests)
    } catch (error) {
      if (error instanceof KingressError) throw error
      const code = (error as {code?: unknown}).code
      const reason = error instanceof Error ? error.message : String(error)
      throw new UserError(
        'TLS_HOME_UNUSABLE',
        `cannot set up HTTPS: kingress keeps its local CA and certificates in ${store.home}, and ${reason}${typeof code === 'string' && !reason.includes(code) ? ` (${code})` : ''}. Make that a writable folder, or point KINGRESS_HOME at one.`,
      )
    }
    return new SessionCertificates(store, options, set, signatureOf(requests))
  }

  get current(): CertificateSet {
    return this.set
  }

  /** Per handshake: the certificate for the SNI name (exact, one-label wildcard, else the default). */
  readonly SNICallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
    cb(null, this.set.lookup(servername).context)
  }

  credentials(): HttpsCredentials {
    return {cert: this.set.defaultEntry.certPem, key: this.set.defaultEntry.keyPem, SNICallback: this.SNICallback}
  }

  /**
   * Follows the session: a reload that changes TLS hosts or Secrets refreshes the set; a timer
   * re-checks expiry. `applyDefault` installs a new default certificate on the server.
   */
  follow(bus: EventBus, current: () => RuntimeState, applyDefault: (entry: CertificateEntry) => void): void {
    this.applyDefault = applyDefault
    this.off = bus.on('reload', (event) => {
      if (event.ok && event.reason !== 'endpoints') void this.refresh(current(), bus)
    })
    this.timer = setInterval(() => void this.refresh(current(), bus, true), this.options.recheckMs ?? RECHECK_MS)
    this.timer.unref()
  }

  /**
   * Builds the set for `state` when its TLS hosts or Secrets differ from the served ones (or
   * `force`). One refresh at a time; asks made meanwhile collapse into one more run.
   */
  refresh(state: RuntimeState, bus: EventBus, force = false): Promise<void> {
    if (this.closed) return Promise.resolve()
    if (this.running !== null) {
      this.queued = {state, force: force || (this.queued?.force ?? false)}
      return this.running
    }
    this.running = this.run(state, bus, force).finally(() => {
      this.running = null
      const next = this.queued
      this.queued = null
      if (next !== null && !this.closed) void this.refresh(next.state, bus, next.force)
    })
    return this.running
  }

  private async run(state: RuntimeState, bus: EventBus, force: boolean): Promise<void> {
    const requests = tlsRequests(state)
    const signature = signatureOf(requests)
    if (!force && signature === this.signature) return
    let next: CertificateSet
    try {
      next = await this.store.certificatesFor(requests)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      bus.emit('error', {where: 'tls certificates', message: `${message} (still serving the previous certificates)`, error})
      return
    }
    if (this.closed) return
    const before = this.set
    if (next.defaultEntry.certPem !== before.defaultEntry.certPem) {
      try {
        this.applyDefault?.(next.defaultEntry)
      } catch (error) {
        bus.emit('error', {where: 'tls certificates', message: `cannot install the new default certificate: ${(error as Error).message} (still serving the previous certificates)`, error})
        return
      }
    }
    this.set = next
    this.signature = signature
    const known = new Set(before.warnings)
    for (const warning of next.warnings) if (!known.has(warning)) bus.emit('error', {where: 'tls', message: warning})
  }

  close(): void {
    this.closed = true
    this.off?.()
    if (this.timer !== null) clearInterval(this.timer)
  }
}

/** The TLS view of the Ingresses the session serves (after --class) and of its HTTPS Gateway listeners, with the loaded Secrets. */
export function tlsRequests(state: RuntimeState): TlsHostRequest[] {
  const ingress = tlsHostsFromIngresses(state.ingresses, state.snapshot.secrets)
  return state.gateways.listeners.length === 0 ? ingress : [...ingress, ...gatewayTlsRequests(state.gateways, state.snapshot.secrets)]
}

/** What decides the certificates: hosts, spec.tls flags, Secret names and contents, in order. */
function signatureOf(requests: readonly TlsHostRequest[]): string {
  return JSON.stringify(requests.map((r) => [r.host, r.tls, r.secretName ?? null, r.secret ? secretDigest(r.secret) : null]))
}

function secretDigest(secret: Secret): string {
  const hash = createHash('sha256')
  hash.update(secret.type)
  for (const key of Object.keys(secret.data).sort()) hash.update(`\0${key}\0${secret.data[key]}`)
  return hash.digest('base64')
}
