import type {Semantics} from '../routing/compile.js'
import {servedGatewayHostnames} from '../gateway/route-table.js'
import type {BackoffPolicy} from '../backends/health.js'
import type {EndpointProvider} from '../backends/types.js'
import type {Diagnostic} from '../manifests/diagnostic.js'
import type {ProxyTimeouts} from '../proxy/context.js'
import type {Profile} from '../proxy/profile.js'
import {createHttpListener, type ListenResult, type PortFallback, type ProxyListener} from '../proxy/listener.js'
import {createHttpsListener, setDefaultCertificate} from '../proxy/https-listener.js'
import {AccessLog, type LogFormat} from './access-log.js'
import {EventBus} from './events.js'
import {Runtime} from './runtime.js'
import {servedHosts} from './state.js'
import type {SessionCertificates, SessionTlsOptions} from './session-tls.js'
import {ManifestWatcher} from './watch.js'
import type {GatewayAddressing} from '../gateway/addresses.js'
import {SessionGateways} from './session-gateways.js'

export interface PortChoice {
  readonly port: number
  /** Given on the command line: not bindable is an error. Otherwise `fallbackPort` is tried. */
  readonly explicit: boolean
  readonly fallbackPort: number
}

export interface SessionOptions {
  readonly inputs: readonly string[]
  readonly className?: string
  readonly semantics?: Semantics
  readonly providers: readonly EndpointProvider[]
  readonly bind: string
  readonly http: PortChoice
  /** HTTPS (HTTP/2 and HTTP/1.1) with certificates from the local CA; omitted: HTTP only. */
  readonly https?: PortChoice
  /** --strict-tls: hosts without a spec.tls entry get the untrusted fake certificate, as ingress-nginx serves them. */
  readonly strictTls?: boolean
  /** Where KINGRESS_HOME (the local CA and certificates) is read; default process.env. */
  readonly env?: NodeJS.ProcessEnv
  /** Watch the manifests and reload on edits (default true). */
  readonly watch?: boolean
  /** The plain log (one line per request); null for none (e.g. when a dashboard subscribes instead). */
  readonly log?: {readonly out: NodeJS.WritableStream; readonly format: LogFormat} | null
  readonly timeouts?: Partial<ProxyTimeouts>
  /** --profile: defaults where an Ingress sets nothing (ingress-nginx: 1m body limit, 60 s proxy timeouts). */
  readonly profile?: Profile
  readonly backoff?: BackoffPolicy
  /** Bound on the drain at close (default 10 s). */
  readonly drainMs?: number
  /** Close an idle HTTP/2 session after this long (default nginx's 75 s keep-alive). */
  readonly h2IdleMs?: number
  readonly bus?: EventBus
  /**
   * `up`'s Gateway addressing: each Gateway on an address of its own, every listener port served.
   * Omitted: every Gateway shares the Ingress listeners (--bind, ports 80 and 443 only).
   */
  readonly gateways?: GatewayAddressing
}

/** A running `kingress up`: runtime, listeners, watcher and log, closed together. */
export class Session {
  private closing: Promise<void> | null = null

  constructor(
    readonly runtime: Runtime,
    readonly listeners: readonly ProxyListener[],
    readonly results: readonly ListenResult[],
    /** Warnings and notes of the first load. */
    readonly diagnostics: readonly Diagnostic[],
    private readonly watcher: ManifestWatcher | null,
    readonly log: AccessLog | null,
    private readonly drainMs: number,
    /** The HTTPS listener's certificates (null without HTTPS). */
    readonly certificates: SessionCertificates | null = null,
    /** Gateway addressing (null: the Gateways share the Ingress listeners). */
    readonly gateways: SessionGateways | null = null,
    /** Lines for stderr about the Gateways' addresses and listeners. */
    readonly notices: readonly string[] = [],
  ) {}

  get bus(): EventBus {
    return this.runtime.bus
  }

  /** The Ingress listeners' URLs (HTTP, then HTTPS). */
  get urls(): string[] {
    return this.results.map((r) => r.url)
  }

  /** The Ingress listeners' URLs, then those of the Gateways' own sockets. */
  get allUrls(): string[] {
    return [...this.urls, ...(this.gateways?.sockets.map((s) => s.result.url) ?? [])]
  }

  get fallbacks(): PortFallback[] {
    return this.results.flatMap((r) => (r.fallback ? [r.fallback] : []))
  }

  /**
   * `ready http://127.0.0.1:8080 (routes: blue.example.com, green.example.com; HTTPRoutes: shop.example.com)`,
   * then with Gateway addressing `gateway default/shop http://127.0.0.2:8080` for each Gateway.
   */
  readyLine(): string {
    const state = this.runtime.current
    // The Ingress hosts: state.hosts also holds the HTTPRoutes' (for --hosts), listed after them.
    const hosts = servedHosts(state.table)
    if (state.table.anyHost) hosts.push('(any host)')
    const served = servedGatewayHostnames(state.gateways, this.gateways !== null)
    const gateway = served.anyHost ? [...served.hostnames, '(any host)'] : served.hostnames
    const line = `ready ${this.urls.join(' ')} (routes: ${hosts.join(', ') || 'none'}${gateway.length === 0 ? '' : `; HTTPRoutes: ${gateway.join(', ')}`})`
    if (this.gateways === null) return line
    const each = this.gateways.describe({http: this.results[0]!, https: this.results[1] ?? null})
    // Words separated by spaces only: a script that takes the words starting with http finds clean URLs.
    return each.length === 0 ? line : `${line} ${each.join(' ')}`
  }

  /** The address a Gateway is served on: its own, or --bind (also for Gateways this session does not know). */
  gatewayAddress(gateway: string): string {
    return this.gateways?.addressOf(gateway) ?? this.bind
  }

  get bind(): string {
    return this.results[0]?.address ?? '127.0.0.1'
  }

  /** Stop accepting, drain in-flight requests (bounded), close pools, providers and the watcher. */
  close(reason = 'shutdown'): Promise<void> {
    this.closing ??= (async () => {
      this.runtime.bus.emit('closing', {reason})
      await this.watcher?.close()
      this.certificates?.close()
      await Promise.all([...this.listeners.map((l) => l.close(this.drainMs)), this.gateways?.close(this.drainMs)])
      await this.runtime.close()
      this.log?.close()
    })()
    return this.closing
  }
}

export async function startSession(options: SessionOptions): Promise<Session> {
  const bus = options.bus ?? new EventBus()
  const log = options.log ? new AccessLog(bus, options.log.out, options.log.format) : null
  let diagnostics: readonly Diagnostic[] = []
  const off = bus.on('reload', (e) => {
    if (e.initial) diagnostics = e.diagnostics
  })
  // The CA loads (or, on a first start, is created) while the manifests load.
  const tlsOptions: SessionTlsOptions = {env: options.env, strict: options.strictTls ?? false}
  const tls = options.https ? import('./session-tls.js').then((m) => ({SessionCertificates: m.SessionCertificates, store: m.SessionCertificates.prepare(tlsOptions)})) : null
  tls?.catch(() => {})
  let runtime: Runtime
  try {
    runtime = await Runtime.create({
      inputs: options.inputs,
      className: options.className,
      semantics: options.semantics,
      providers: options.providers,
      timeouts: options.timeouts,
      profile: options.profile,
      backoff: options.backoff,
      bus,
    })
  } catch (error) {
    log?.close()
    await Promise.all(options.providers.map((p) => p.close().catch(() => {})))
    throw error
  } finally {
    off()
  }
  const listeners: ProxyListener[] = []
  const results: ListenResult[] = []
  let certificates: SessionCertificates | null = null
  const gateways = options.gateways ? SessionGateways.planFor(runtime.current.gateways, options.bind, options.gateways) : null
  const notices = gateways === null ? [] : [...gateways.current.warnings]
  try {
    // HTTPS first: ssl-redirect Locations need its port from the first plain-HTTP request on.
    let secure: ListenResult | null = null
    if (tls !== null && options.https) {
      const {SessionCertificates, store} = await tls
      certificates = await SessionCertificates.create(runtime.current, tlsOptions, store)
      const https = createHttpsListener(runtime, certificates.credentials(), {idleMs: options.h2IdleMs, gateway: gateways?.ingressHttps})
      listeners.push(https)
      secure = await https.listen({port: options.https.port, bind: options.bind, explicit: options.https.explicit, fallbackPort: options.https.fallbackPort, flag: '--https-port'})
      runtime.httpsPort = secure.port
      certificates.follow(bus, () => runtime.current, (entry) => {
        for (const l of [https, ...(gateways?.secureListeners ?? [])]) setDefaultCertificate(l, entry.certPem, entry.keyPem)
      })
    }
    const http = createHttpListener(runtime, gateways?.ingressHttp)
    listeners.push(http)
    results.push(await http.listen({port: options.http.port, bind: options.bind, explicit: options.http.explicit, fallbackPort: options.http.fallbackPort, flag: '--http-port'}))
    runtime.httpPort = results[0]!.port
    if (gateways !== null) runtime.gatewayPorts = (gateway, scheme, port) => gateways.localPortOf(gateway, scheme, port)
    if (secure !== null) results.push(secure)
    if (gateways !== null) {
      const tlsSet = certificates
      notices.push(...(await gateways.listen({ctx: runtime, ports: {http: results[0]!.port, https: secure?.port ?? null}, credentials: () => tlsSet?.credentials() ?? null, idleMs: options.h2IdleMs})))
      gateways.follow(bus, () => runtime.current, options.drainMs ?? 10_000)
    }
  } catch (error) {
    certificates?.close()
    await Promise.all([...listeners.map((l) => l.close(0)), gateways?.close(0)])
    await runtime.close()
    log?.close()
    throw error
  }
  for (const r of [...results, ...(gateways?.sockets.map((s) => s.result) ?? [])]) bus.emit('listening', {scheme: r.url.startsWith('https') ? 'https' : 'http', address: r.address, port: r.port, url: r.url})
  let watcher: ManifestWatcher | null = null
  if (options.watch !== false) {
    watcher = new ManifestWatcher(options.inputs, () => runtime.reload('manifests'))
    await watcher.ready
  }
  return new Session(runtime, listeners, results, diagnostics, watcher, log, options.drainMs ?? 10_000, certificates, gateways, notices)
}
