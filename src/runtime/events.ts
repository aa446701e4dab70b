import type {Diagnostic} from '../manifests/diagnostic.js'

/**
 * The one seam between the data plane and every view (access log, JSON log, the dashboard).
 * Emitters never know who listens; the proxy never imports UI.
 */

export interface RequestEvent {
  /** Epoch milliseconds when the request arrived. */
  readonly time: number
  readonly requestId: string
  readonly method: string
  /** The Host header as the client sent it (may carry a port); empty when absent. */
  readonly host: string
  /** The path and query as the client sent them. */
  readonly path: string
  readonly scheme: 'http' | 'https'
  /**
   * The port the request was routed as, whatever local port it came in on: 80 or 443 on the Ingress
   * listeners, a Gateway listener's declared port on that Gateway's own socket. Absent on events of older emitters.
   */
  readonly port?: number
  readonly status: number
  /** Response body bytes sent to the client. */
  readonly bytes: number
  readonly durationMs: number
  /** `host:port` of the endpoint that answered, or null when kingress answered itself. */
  readonly upstream: string | null
  /** RouteTable route id (>= 0), an HTTPRoute match's Candidate id (< 0), or null (default backend, no route). */
  readonly routeId: number | null
  /** The Service the route chose, e.g. `webserver-blue-svc:80`, or null. */
  readonly service: string | null
  /** Set when an HTTPRoute answered: `HTTPRoute ns/name rule 0 on Gateway listener ns/gw/http` (routeId is then the match's negative Candidate id). */
  readonly httpRoute?: string
  /**
   * Which side answered: `ingress`, or `gateway ns/name` (an HTTPRoute of that Gateway, or the
   * Gateway's own 404/421 on its address). Absent on events of older emitters.
   */
  readonly side?: string
  /** Set when kingress answered with an error page or the exchange broke. */
  readonly error: string | null
  /** True for a WebSocket (or other) upgrade; status is the upstream's (101 normally). */
  readonly upgrade: boolean
  /** Headers, the matched rule and upstream timing: only while a view asks for them (ProxyContext.captureDetail). */
  readonly detail?: RequestDetail | null
}

/** Headers as Node's `rawHeaders`-style pairs, or as an `IncomingMessage.headers`-style record. */
export type HeaderList = readonly (readonly [string, string])[] | Readonly<Record<string, string | readonly string[] | number | undefined>>

/** What the proxy attaches to a RequestEvent when asked to (it costs header copies, so only then). */
export interface RequestDetail {
  readonly requestHeaders?: HeaderList
  /** As sent to the client. */
  readonly responseHeaders?: HeaderList
  /** Which rule matched, and why: e.g. `demo/web (web.yaml:12) host blue.example.com exact, Prefix /api: prefix`. */
  readonly matched?: string
  /** Milliseconds from dispatch until the upstream socket was connected; null when not measured. */
  readonly upstreamConnectMs?: number | null
  /** Milliseconds from dispatch until the upstream's response headers arrived. */
  readonly upstreamFirstByteMs?: number | null
}

export interface ReloadEvent {
  readonly ok: boolean
  /** The first load has `initial: true`; later ones are file edits or provider changes. */
  readonly initial: boolean
  readonly reason: 'initial' | 'manifests' | 'endpoints' | 'manual'
  readonly generation: number
  /** Every host the served table has a rule for (`*.example.com` as written, no `(any)`). */
  readonly hosts: readonly string[]
  readonly routes: number
  /** Findings of this load: errors when `ok` is false (the old table stays), else warnings. */
  readonly diagnostics: readonly Diagnostic[]
  readonly message: string
}

export interface EndpointEvent {
  readonly kind: 'ejected' | 'recovered' | 'added' | 'removed'
  /** `namespace/service:port` */
  readonly service: string
  /** `host:port` */
  readonly endpoint: string
  readonly reason: string | null
}

export interface ListeningEvent {
  readonly scheme: 'http' | 'https'
  readonly address: string
  readonly port: number
  readonly url: string
}

export interface ErrorEvent {
  readonly where: string
  readonly message: string
  readonly error?: unknown
}

export interface RuntimeEvents {
  request: RequestEvent
  reload: ReloadEvent
  endpoint: EndpointEvent
  listening: ListeningEvent
  error: ErrorEvent
  closing: {readonly reason: string}
}

export type EventName = keyof RuntimeEvents
type Listener<K extends EventName> = (event: RuntimeEvents[K]) => void

/**
 * A small typed event bus. Listeners run synchronously: keep them cheap (buffer, then write later).
 * `has()` lets emitters skip building an event nobody listens to.
 */
export class EventBus {
  private readonly listeners: {[K in EventName]: Listener<K>[]} = {request: [], reload: [], endpoint: [], listening: [], error: [], closing: []}

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    this.listeners[name].push(listener)
    return () => {
      const list = this.listeners[name]
      const index = list.indexOf(listener)
      if (index !== -1) list.splice(index, 1)
    }
  }

  has(name: EventName): boolean {
    return this.listeners[name].length > 0
  }

  emit<K extends EventName>(name: K, event: RuntimeEvents[K]): void {
    const list = this.listeners[name]
    for (let i = 0; i < list.length; i++) {
      try {
        list[i]!(event)
      } catch (error) {
        // A view must never take the data plane down.
        if (name !== 'error') this.emit('error', {where: `${name} listener`, message: String(error), error})
      }
    }
  }
}
