import {UserError} from '../errors.js'
import {planGatewaySockets, socketSignature, type GatewayAddressing, type GatewayPlan, type PlannedSocket} from '../gateway/addresses.js'
import {gatewayBindMessage} from '../gateway/bind-errors.js'
import type {GatewayTable} from '../gateway/route-table.js'
import {GatewayScope} from '../proxy/gateway-scope.js'
import {createHttpsListener, type HttpsCredentials} from '../proxy/https-listener.js'
import {createHttpListener, type ListenResult, type ProxyListener} from '../proxy/listener.js'
import {PortUnavailableError} from '../proxy/port-help.js'
import type {ProxyContext} from '../proxy/context.js'
import type {EventBus} from './events.js'
import type {RuntimeState} from './state.js'

export interface GatewaySocket {
  readonly planned: PlannedSocket
  readonly listener: ProxyListener
  readonly result: ListenResult
  readonly scope: GatewayScope
}

/** What binding a socket needs, known once the Ingress listeners are up. */
interface BindContext {
  readonly ctx: ProxyContext
  readonly ports: {readonly http: number; readonly https: number | null}
  /** The HTTPS certificates as they are now (null: the session serves no HTTPS). */
  readonly credentials: () => HttpsCredentials | null
  readonly idleMs: number | undefined
}

/**
 * The Gateway side of a session: the plan (an address per Gateway, a socket per address and
 * listener port), the scopes of the two Ingress listeners (which serve the Gateways on --bind's
 * HTTP and HTTPS ports), and a socket of its own for every other address and port. A reload that
 * adds, moves or removes listeners opens and closes sockets to match; Gateways that stay keep their
 * address.
 */
export class SessionGateways {
  private plan: GatewayPlan
  private readonly open = new Map<string, GatewaySocket>()
  /** Created but not (yet) in `open`: closed with the session all the same. */
  private readonly created = new Set<ProxyListener>()
  readonly ingressHttp: GatewayScope
  readonly ingressHttps: GatewayScope
  private bindContext: BindContext | null = null
  private pending: Promise<void> = Promise.resolve()
  private off: (() => void) | null = null
  private closed = false

  constructor(
    plan: GatewayPlan,
    private readonly bind: string,
    private readonly addressing: GatewayAddressing,
  ) {
    this.plan = plan
    this.ingressHttp = new GatewayScope(ingressGateways(plan, 'http'), 80, true)
    this.ingressHttps = new GatewayScope(ingressGateways(plan, 'https'), 443, true)
  }

  static planFor(table: GatewayTable, bind: string, addressing: GatewayAddressing): SessionGateways {
    return new SessionGateways(planGatewaySockets(table, bind, addressing), bind, addressing)
  }

  get current(): GatewayPlan {
    return this.plan
  }

  /** The sockets of their own (not the Ingress listeners), in plan order. */
  get sockets(): GatewaySocket[] {
    return this.plan.sockets.flatMap((p) => this.open.get(socketId(p)) ?? [])
  }

  /** The HTTPS sockets, for a new default certificate. */
  get secureListeners(): ProxyListener[] {
    return this.sockets.filter((s) => s.planned.scheme === 'https').map((s) => s.listener)
  }

  /**
   * Binds every planned socket that is not an Ingress listener: `http`/`https` ports on the port the
   * Ingress listener got, others on their (mapped) number. A port that cannot be bound is a
   * UserError naming the Gateway listener and the flag. Returns notices (HTTPS listeners without HTTPS).
   */
  async listen(context: BindContext): Promise<string[]> {
    this.bindContext = context
    const notices: string[] = []
    for (const planned of this.plan.sockets) {
      if (planned.ingress) continue
      const opened = await this.openSocket(planned, context)
      if (typeof opened === 'string') notices.push(opened)
    }
    return notices
  }

  /** The local port a Gateway's listener (scheme, declared port) is served on now; null when none is bound. */
  localPortOf(gateway: string, scheme: 'http' | 'https', port: number): number | null {
    const planned = this.plan.sockets.find((s) => s.scheme === scheme && s.gatewayPort === port && s.gateways.includes(gateway))
    if (planned === undefined) return null
    if (planned.ingress) return (scheme === 'http' ? this.bindContext?.ports.http : this.bindContext?.ports.https) ?? null
    return this.open.get(socketId(planned))?.result.port ?? null
  }

  /** The address each Gateway is served on. */
  addressOf(gateway: string): string | undefined {
    return this.plan.addresses.get(gateway)
  }

  /** `gateway ns/name URL URL` for each Gateway, its URLs in socket order (the Ingress listeners' for Gateways on --bind). */
  describe(ingress: {readonly http: ListenResult; readonly https: ListenResult | null}): string[] {
    const urls = new Map<string, string[]>()
    for (const planned of this.plan.sockets) {
      const result = planned.ingress ? (planned.scheme === 'http' ? ingress.http : ingress.https) : (this.open.get(socketId(planned))?.result ?? null)
      if (result === null) continue
      for (const key of planned.gateways) urls.set(key, [...(urls.get(key) ?? []), result.url])
    }
    return [...urls.entries()].map(([key, list]) => `gateway ${key} ${[...new Set(list)].join(' ')}`)
  }

  /**
   * After each reload: the new plan takes effect at once for addresses (--hosts reads them in the
   * same reload) and scopes; sockets are opened and closed in the background, one reload at a time.
   * A socket that cannot be bound is an `error` event; the rest is served.
   */
  follow(bus: EventBus, current: () => RuntimeState, drainMs: number): void {
    this.off = bus.on('reload', (event) => {
      if (!event.ok || event.reason === 'endpoints' || this.closed) return
      const next = planGatewaySockets(current().gateways, this.bind, this.addressing, this.plan.addresses)
      if (socketSignature(next) === socketSignature(this.plan)) return
      const before = this.plan
      this.plan = next
      this.ingressHttp.serve(ingressGateways(next, 'http'))
      this.ingressHttps.serve(ingressGateways(next, 'https'))
      const known = new Set(before.warnings)
      for (const warning of next.warnings) if (!known.has(warning)) bus.emit('error', {where: 'gateway listeners', message: warning})
      this.pending = this.pending.then(() => this.reconcile(next, bus, drainMs))
    })
  }

  /** Resolves once the sockets match the latest reload (tests; close). */
  settled(): Promise<void> {
    return this.pending
  }

  async close(drainMs: number): Promise<void> {
    this.closed = true
    this.off?.()
    await this.pending
    await Promise.all([...this.created].map((l) => l.close(drainMs)))
    this.created.clear()
    this.open.clear()
  }

  private async reconcile(plan: GatewayPlan, bus: EventBus, drainMs: number): Promise<void> {
    const context = this.bindContext
    if (context === null || this.closed || plan !== this.plan) return
    const wanted = new Map(plan.sockets.filter((p) => !p.ingress).map((p) => [socketId(p), p]))
    const leaving: ProxyListener[] = []
    for (const [id, socket] of this.open) {
      const next = wanted.get(id)
      if (next === undefined) {
        this.open.delete(id)
        leaving.push(socket.listener)
      } else {
        socket.scope.serve(next.gateways)
        this.open.set(id, {...socket, planned: next})
      }
    }
    // close() stops accepting at once (the port is free again) and then drains: the new sockets open
    // meanwhile, so a Gateway moved by this reload answers on its new address while the old one drains.
    const drained = Promise.all(
      leaving.map(async (l) => {
        await l.close(drainMs)
        this.created.delete(l)
      }),
    )
    for (const [id, planned] of wanted) {
      if (this.open.has(id) || this.closed) continue
      try {
        const opened = await this.openSocket(planned, context)
        if (typeof opened === 'string') bus.emit('error', {where: 'gateway listeners', message: opened})
        else bus.emit('listening', {scheme: planned.scheme, address: opened.result.address, port: opened.result.port, url: opened.result.url})
      } catch (error) {
        bus.emit('error', {where: 'gateway listeners', message: `${error instanceof Error ? error.message : String(error)} (the other listeners are served)`, error})
      }
    }
    await drained
  }

  /** Binds one socket; a string when it cannot be served in this session (HTTPS without HTTPS). */
  private async openSocket(planned: PlannedSocket, context: BindContext): Promise<GatewaySocket | string> {
    const credentials = planned.scheme === 'https' ? context.credentials() : null
    if (planned.scheme === 'https' && (credentials === null || (planned.port === 'https' && context.ports.https === null))) {
      return `Gateway listeners ${planned.listeners.join(', ')} are HTTPS and this session serves no HTTPS: not served.`
    }
    const port = planned.port === 'http' ? context.ports.http : planned.port === 'https' ? context.ports.https! : planned.port
    const scope = new GatewayScope(planned.gateways, planned.gatewayPort, false)
    const listener = credentials !== null ? createHttpsListener(context.ctx, credentials, {idleMs: context.idleMs, gateway: scope}) : createHttpListener(context.ctx, scope)
    this.created.add(listener)
    let result: ListenResult
    try {
      result = await listener.listen({port, bind: planned.address, explicit: true, fallbackPort: port, flag: flagOf(planned)})
    } catch (error) {
      await listener.close(0)
      this.created.delete(listener)
      if (error instanceof PortUnavailableError) throw new UserError(`PORT_${error.failure}`, gatewayBindMessage(this.plan, planned, port, error.failure, error.owner, this.addressing.platform))
      throw error
    }
    const socket = {planned, listener, result, scope}
    this.open.set(socketId(planned), socket)
    return socket
  }
}

function ingressGateways(plan: GatewayPlan, scheme: 'http' | 'https'): readonly string[] {
  return plan.sockets.find((s) => s.ingress && s.scheme === scheme)?.gateways ?? []
}

function socketId(s: PlannedSocket): string {
  return `${s.address} ${s.port} ${s.scheme} ${s.gatewayPort}`
}

function flagOf(planned: PlannedSocket): string {
  return planned.port === 'http' ? '--http-port' : planned.port === 'https' ? '--https-port' : `--listener-port ${planned.gatewayPort}=LOCAL`
}
