import {UserError} from '../errors.js'
import {describePort, planGatewaySockets, socketSignature, type GatewayAddressing, type GatewayPlan, type PlannedSocket} from '../gateway/addresses.js'
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
}

/**
 * The Gateway side of a session: the plan of the first load, the scopes of the two Ingress
 * listeners (which serve the Gateways on --bind's HTTP and HTTPS ports), and a socket of its own
 * for every other address and port a Gateway listener needs. Sockets are bound once, at start; a
 * reload that would need other sockets says so (an `error` event) and keeps serving these.
 */
export class SessionGateways {
  readonly sockets: GatewaySocket[] = []
  /** Every listener created, bound or not (closed with the session). */
  readonly listeners: ProxyListener[] = []
  private readonly signature: string
  private warned = ''
  private off: (() => void) | null = null

  constructor(
    readonly plan: GatewayPlan,
    private readonly bind: string,
    private readonly addressing: GatewayAddressing,
  ) {
    this.signature = socketSignature(plan)
  }

  static planFor(table: GatewayTable, bind: string, addressing: GatewayAddressing): SessionGateways {
    return new SessionGateways(planGatewaySockets(table, bind, addressing), bind, addressing)
  }

  /** The scope of the Ingress listener of `scheme`: the Gateways planned on it (none: the Ingresses alone). */
  ingressScope(scheme: 'http' | 'https'): GatewayScope {
    const planned = this.plan.sockets.find((s) => s.ingress && s.scheme === scheme)
    return new GatewayScope(planned?.gateways ?? [], scheme === 'https' ? 443 : 80, true)
  }

  /**
   * Binds every planned socket that is not an Ingress listener: `http`/`https` ports on the port the
   * Ingress listener got, others on their (mapped) number. HTTPS sockets need `credentials`; without
   * HTTPS they are skipped, and said so in the returned notices.
   */
  async listen(ctx: ProxyContext, ports: {readonly http: number; readonly https: number | null}, credentials: HttpsCredentials | null, idleMs: number | undefined): Promise<string[]> {
    const notices: string[] = []
    for (const planned of this.plan.sockets) {
      if (planned.ingress) continue
      if (planned.scheme === 'https' && (credentials === null || (planned.port === 'https' && ports.https === null))) {
        notices.push(`Gateway listeners ${planned.listeners.join(', ')} are HTTPS and this session serves no HTTPS: not served.`)
        continue
      }
      const port = planned.port === 'http' ? ports.http : planned.port === 'https' ? ports.https! : planned.port
      const scope = new GatewayScope(planned.gateways, planned.gatewayPort, false)
      const listener = planned.scheme === 'https' ? createHttpsListener(ctx, credentials!, {idleMs, gateway: scope}) : createHttpListener(ctx, scope)
      this.listeners.push(listener)
      let result: ListenResult
      try {
        result = await listener.listen({port, bind: planned.address, explicit: true, fallbackPort: port, flag: flagOf(planned)})
      } catch (error) {
        if (error instanceof PortUnavailableError) throw bindError(planned, port, error)
        throw error
      }
      this.sockets.push({planned, listener, result})
    }
    return notices
  }

  /** The address each Gateway is served on. */
  addressOf(gateway: string): string | undefined {
    return this.plan.addresses.get(gateway)
  }

  /** `gateway ns/name URL URL` for each Gateway, its URLs in socket order (the Ingress listeners' for Gateways on --bind). */
  describe(ingress: {readonly http: ListenResult; readonly https: ListenResult | null}): string[] {
    const urls = new Map<string, string[]>()
    for (const planned of this.plan.sockets) {
      const result = planned.ingress ? (planned.scheme === 'http' ? ingress.http : ingress.https) : (this.sockets.find((s) => s.planned === planned)?.result ?? null)
      if (result === null) continue
      for (const key of planned.gateways) urls.set(key, [...(urls.get(key) ?? []), result.url])
    }
    return [...urls.entries()].map(([key, list]) => `gateway ${key} ${[...new Set(list)].join(' ')}`)
  }

  /** After each reload: warn (once per change) when the Gateways now want sockets this session did not bind. */
  follow(bus: EventBus, current: () => RuntimeState): void {
    this.off = bus.on('reload', (event) => {
      if (!event.ok || event.reason === 'endpoints') return
      const next = planGatewaySockets(current().gateways, this.bind, this.addressing)
      const signature = socketSignature(next)
      if (signature === this.signature || signature === this.warned) return
      this.warned = signature
      const now = new Set(this.plan.sockets.map(describeSocket))
      const wanted = next.sockets.map(describeSocket).filter((s) => !now.has(s))
      bus.emit('error', {
        where: 'gateway listeners',
        message: `the Gateways' listeners or addresses changed${wanted.length === 0 ? '' : ` (now wanted: ${wanted.join('; ')})`}: kingress binds its sockets at start and keeps serving those (routes changes apply at once); restart \`kingress up\` to serve the new listeners.`,
      })
    })
  }

  close(): void {
    this.off?.()
  }
}

function describeSocket(s: PlannedSocket): string {
  return `${s.gateways.join(', ')} ${s.scheme.toUpperCase()} port ${s.gatewayPort} on ${s.address}`
}

function flagOf(planned: PlannedSocket): string {
  return planned.port === 'http' ? '--http-port' : planned.port === 'https' ? '--https-port' : `--listener-port ${planned.gatewayPort}=LOCAL`
}

function bindError(planned: PlannedSocket, port: number, error: PortUnavailableError): UserError {
  const why = error.failure === 'EACCES' ? 'permission denied' : error.failure === 'EADDRINUSE' ? `address already in use${error.owner ? ` (by ${error.owner})` : ''}` : 'address not available'
  const fixes = [
    planned.port === 'http' ? 'choose the HTTP port with --http-port' : planned.port === 'https' ? 'choose the HTTPS port with --https-port' : `serve it elsewhere with --listener-port ${planned.gatewayPort}=LOCAL (0: any free port)`,
    `give the Gateway another address with --gateway-address ${planned.gateways[0]}=IP`,
  ]
  if (error.failure === 'EADDRNOTAVAIL' && planned.address.startsWith('127.')) fixes.unshift(`add the address to the loopback interface (macOS: \`sudo ifconfig lo0 alias ${planned.address} up\`)`)
  return new UserError(
    `PORT_${error.failure}`,
    `cannot listen on ${planned.address}:${port} for Gateway listener${planned.listeners.length === 1 ? '' : 's'} ${planned.listeners.join(', ')} (${planned.scheme.toUpperCase()} port ${planned.gatewayPort}, ${describePort(planned.port)}): ${why}. To fix it, ${fixes.join(', or ')}.`,
  )
}
