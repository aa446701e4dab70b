import {resolveBackends} from '../backends/resolver.js'
import {HealthRegistry, type BackoffPolicy} from '../backends/health.js'
import type {EndpointProvider} from '../backends/types.js'
import {UserError} from '../errors.js'
import type {Diagnostic} from '../manifests/diagnostic.js'
import {compileManifests} from '../cli/manifest-session.js'
import {renderDiagnostics} from '../cli/render-diagnostics.js'
import {DEFAULT_TIMEOUTS, type ProxyContext, type ProxyTimeouts} from '../proxy/context.js'
import {DEFAULT_POOL_OPTIONS, PoolRegistry} from '../proxy/pools.js'
import type {Semantics} from '../routing/compile.js'
import {KINGRESS_PROFILE, type Profile} from '../proxy/profile.js'
import {RateLimiter} from '../annotations/rate-limit.js'
import {EventBus, type ReloadEvent} from './events.js'
import {servedHosts, type RuntimeState} from './state.js'
import {servedGatewayHostnames} from '../gateway/route-table.js'

export interface RuntimeOptions {
  /** Manifest files and folders, as given on the command line. */
  readonly inputs: readonly string[]
  readonly className?: string
  readonly semantics?: Semantics
  /** Asked in order for every backend: static flags, EndpointSlices, Docker. */
  readonly providers: readonly EndpointProvider[]
  readonly timeouts?: Partial<ProxyTimeouts>
  /** --profile: defaults where an Ingress sets nothing (body limit, proxy timeouts). */
  readonly profile?: Profile
  readonly backoff?: BackoffPolicy
  readonly bus?: EventBus
}

export class ManifestError extends UserError {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super('INVALID_MANIFESTS', `the manifests have errors:\n${renderDiagnostics(diagnostics)}\nFix them (\`kingress validate\` lists them all) and run again.`)
  }
}

/**
 * One `up` session's data: the current RuntimeState (route table + backend table, swapped as one
 * reference), the providers, connection pools and endpoint health. The proxy reads `current` once
 * per request; reload() builds a new state off to the side and swaps it only when it is valid.
 */
export class Runtime implements ProxyContext {
  readonly bus: EventBus
  readonly pools: PoolRegistry
  readonly health: HealthRegistry
  readonly timeouts: ProxyTimeouts
  /** Set by the session once the HTTPS listener is bound. */
  httpsPort: number | null = null
  /** Set by the session once the HTTP listener is bound. */
  httpPort: number | null = null
  /** Set by a session with Gateway addressing: where each Gateway's listeners are served. */
  gatewayPorts: ((gateway: string, scheme: 'http' | 'https', port: number) => number | null) | null = null
  readonly limiter = new RateLimiter()
  readonly profile: Profile
  /** Set while the dashboard is shown: request events then carry their details. */
  captureDetail = false
  private state: RuntimeState
  private readonly unsubscribe: (() => void)[] = []
  private closed = false

  private constructor(
    readonly options: RuntimeOptions,
    bus: EventBus,
    health: HealthRegistry,
    state: RuntimeState,
  ) {
    this.bus = bus
    this.health = health
    this.state = state
    this.profile = options.profile ?? KINGRESS_PROFILE
    this.timeouts = {...DEFAULT_TIMEOUTS, ...this.profile.timeouts, ...options.timeouts}
    this.pools = new PoolRegistry({...DEFAULT_POOL_OPTIONS, connectTimeoutMs: this.timeouts.connectMs})
    for (const provider of options.providers) this.unsubscribe.push(provider.onChange(() => this.refreshEndpoints()))
  }

  localPortOf(gateway: string, scheme: 'http' | 'https', port: number): number | null {
    if (this.gatewayPorts !== null) return this.gatewayPorts(gateway, scheme, port)
    // Without Gateway addressing every Gateway's port-80 and 443 listeners are on the HTTP and HTTPS listeners.
    if (scheme === 'http' && port === 80) return this.httpPort
    if (scheme === 'https' && port === 443) return this.httpsPort
    return null
  }

  /** Loads and compiles the manifests; invalid ones are a ManifestError (exit 1 with file:line:col lines). */
  static async create(options: RuntimeOptions): Promise<Runtime> {
    const bus = options.bus ?? new EventBus()
    const health = new HealthRegistry(options.backoff)
    const built = await build(options, health, 1)
    if (!built.ok) throw new ManifestError(built.diagnostics.filter((d) => d.severity === 'error'))
    const runtime = new Runtime(options, bus, health, built.state)
    runtime.bus.emit('reload', reloadEvent(built.state, true, 'initial', built.diagnostics))
    return runtime
  }

  get current(): RuntimeState {
    return this.state
  }

  /** Re-reads the manifests. A valid result is swapped in; an invalid one keeps the current state. */
  async reload(reason: 'manifests' | 'manual' = 'manifests'): Promise<ReloadEvent> {
    let event: ReloadEvent
    try {
      const built = await build(this.options, this.health, this.state.generation + 1)
      if (built.ok) {
        this.swap(built.state)
        event = reloadEvent(built.state, false, reason, built.diagnostics)
      } else {
        const errors = built.diagnostics.filter((d) => d.severity === 'error')
        event = {...reloadEvent(this.state, false, reason, errors), ok: false, message: `${errors.length} error${errors.length === 1 ? '' : 's'} in the manifests: still serving generation ${this.state.generation}`}
      }
    } catch (error) {
      // A file missing for a moment (an editor's save-by-rename), or unreadable.
      const message = error instanceof Error ? error.message : String(error)
      event = {...reloadEvent(this.state, false, reason, []), ok: false, message: `${message} (still serving generation ${this.state.generation})`}
    }
    if (!this.closed) this.bus.emit('reload', event)
    return event
  }

  /** A provider said its answers changed (a container started): re-resolve backends, same routes. */
  refreshEndpoints(): void {
    if (this.closed) return
    const s = this.state
    let backends
    try {
      backends = resolveBackends(s.table, s.snapshot, this.options.providers, this.health, s.gateways)
    } catch (error) {
      this.bus.emit('error', {where: 'endpoint refresh', message: error instanceof Error ? error.message : String(error), error})
      return
    }
    this.swap({...s, generation: s.generation + 1, backends})
    this.bus.emit('reload', reloadEvent(this.state, false, 'endpoints', []))
  }

  private swap(next: RuntimeState): void {
    const before = this.state
    this.state = next
    const ids = next.backends.endpointIds()
    this.health.retain(new Set([...ids, ...before.backends.endpointIds()]))
    const addresses = new Set<string>()
    for (const backend of next.backends.all) for (const member of backend.balancer.members) addresses.add(member.address)
    this.pools.retain(addresses)
    this.emitEndpointChanges(before, next)
  }

  private emitEndpointChanges(before: RuntimeState, after: RuntimeState): void {
    if (!this.bus.has('endpoint')) return
    const index = (state: RuntimeState): Map<string, string> => {
      const map = new Map<string, string>()
      for (const backend of state.backends.all) for (const member of backend.balancer.members) map.set(`${backend.key}\u0000${member.address}`, backend.key)
      return map
    }
    const was = index(before)
    const now = index(after)
    for (const [key, service] of now) if (!was.has(key)) this.bus.emit('endpoint', {kind: 'added', service, endpoint: key.split('\u0000')[1]!, reason: null})
    for (const [key, service] of was) if (!now.has(key)) this.bus.emit('endpoint', {kind: 'removed', service, endpoint: key.split('\u0000')[1]!, reason: null})
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const off of this.unsubscribe) off()
    await Promise.all([this.pools.close(), ...this.options.providers.map((p) => p.close().catch(() => {}))])
  }
}

async function build(options: RuntimeOptions, health: HealthRegistry, generation: number): Promise<{ok: true; state: RuntimeState; diagnostics: readonly Diagnostic[]} | {ok: false; diagnostics: readonly Diagnostic[]}> {
  const {snapshot, compiled, model, diagnostics, ok} = await compileManifests(options.inputs, {className: options.className, semantics: options.semantics})
  if (!ok) return {ok: false, diagnostics}
  const {ingresses} = compiled
  const {table, gateways} = model
  const state: RuntimeState = {generation, table, gateways, snapshot, ingresses, backends: resolveBackends(table, snapshot, options.providers, health, gateways), hosts: [...new Set([...servedHosts(table), ...servedGatewayHostnames(gateways).hostnames])].sort()}
  return {ok: true, state, diagnostics}
}

function reloadEvent(state: RuntimeState, initial: boolean, reason: ReloadEvent['reason'], diagnostics: readonly Diagnostic[]): ReloadEvent {
  const unresolved = state.backends.all.filter((b) => b.problem !== null).length
  return {
    ok: true,
    initial,
    reason,
    generation: state.generation,
    hosts: state.hosts,
    routes: state.table.routes.length,
    diagnostics,
    message: `generation ${state.generation}: ${state.table.routes.length} route${state.table.routes.length === 1 ? '' : 's'}, ${state.hosts.length} host${state.hosts.length === 1 ? '' : 's'}` + (unresolved > 0 ? `, ${unresolved} backend${unresolved === 1 ? '' : 's'} without endpoints` : ''),
  }
}
