import type {EventBus} from '../runtime/events.js'
import type {RuntimeState} from '../runtime/state.js'
import type {RateLimiter} from '../annotations/rate-limit.js'
import type {PoolRegistry} from './pools.js'
import type {Profile} from './profile.js'

/** Timeouts for one upstream exchange, as ingress-nginx's proxy-connect/read timeouts. */
export interface ProxyTimeouts {
  /** TCP connect to an endpoint (proxy-connect-timeout; ingress-nginx default 5 s). */
  readonly connectMs: number
  /** Wait for the response head (proxy-read-timeout; default 60 s). 0 disables it. */
  readonly headersMs: number
  /** Longest silence between two body chunks of the response; 0 (the default) never cuts SSE or long downloads. */
  readonly bodyMs: number
  /** Longest wait between two chunks of the request body relayed upstream (proxy-send-timeout); 0 disables it. */
  readonly sendMs: number
  /** Longest wait between two reads of the client's request body (nginx client_body_timeout, 60 s in ingress-nginx); 0 disables it. */
  readonly clientBodyMs: number
}

export const DEFAULT_TIMEOUTS: ProxyTimeouts = {connectMs: 5000, headersMs: 60_000, bodyMs: 0, sendMs: 0, clientBodyMs: 60_000}

/** What the data plane needs from the runtime: the current tables (one reference, read once per request), pools, events. */
export interface ProxyContext {
  readonly current: RuntimeState
  readonly bus: EventBus
  readonly pools: PoolRegistry
  readonly timeouts: ProxyTimeouts
  /** Where HTTPS is served once bound (443, or 8443 after a fallback): ssl-redirect Locations use it. Null without HTTPS. */
  readonly httpsPort: number | null
  /**
   * The local port a Gateway's (`ns/name`) listener of this scheme and declared port is served on,
   * once bound; null when none is. A RequestRedirect to one of the Gateway's own listeners carries it.
   */
  localPortOf(gateway: string, scheme: 'http' | 'https', port: number): number | null
  /** limit-rps / limit-connections state, per client address and Ingress. */
  readonly limiter: RateLimiter
  /** Defaults where an Ingress sets nothing (--profile). */
  readonly profile: Profile
  /** Attach headers, the matched rule and timing to request events (the dashboard's detail view); off for the plain log. */
  readonly captureDetail: boolean
}

import type {GatewayScope} from './gateway-scope.js'

/** The listener a request came in on: sets X-Forwarded-Proto/-Port. `port` is filled in once bound. */
export interface ListenerInfo {
  readonly scheme: 'http' | 'https'
  port: number
  /** The Gateways this socket serves; absent: every Gateway's listeners of port 80/443, then the Ingresses. */
  readonly gateway?: GatewayScope
}
