import type {EarlyResponse} from '../annotations/request-view.js'
import {hostnameMatches} from '../gateway/evaluate.js'
import type {GatewayTable} from '../gateway/route-table.js'
import {objectKey} from '../manifests/model.js'
import {wellKnownPort} from '../routing/normalize.js'
import type {ProxyContext} from './context.js'

/** scheme, host (a name, or an IPv6 address in brackets; no userinfo), port, the rest. */
const ABSOLUTE = /^(https?):\/\/(\[[0-9a-fA-F:.]+\]|[^/:?#[\]@]+)(?::(\d+))?([/?#].*)?$/s

/**
 * A RequestRedirect as the laptop needs it. The evaluation writes the cluster's Location, which
 * leaves out the scheme's well-known port (httproute_types.go HTTPRequestRedirectFilter.Port). When
 * such a Location points back at a listener of the Gateway that answered (its protocol, port 80 or
 * 443, a hostname it takes) and kingress serves that listener on another local port (8080/8443
 * after --http-port/--https-port fell back), that port is written, as kingress does for the
 * redirects ingress-nginx builds; otherwise following the redirect would leave kingress. A port
 * the Location names (a listener's declared 8080, a filter's port) is left as written.
 */
export function onLaptop(early: EarlyResponse, listener: string | null, table: GatewayTable, ctx: Pick<ProxyContext, 'localPortOf'>): EarlyResponse {
  const location = early.headers['location']
  if (location === undefined || listener === null) return early
  const parsed = ABSOLUTE.exec(location)
  if (parsed === null) return early
  const scheme = parsed[1] as 'http' | 'https'
  const host = parsed[2]!.toLowerCase().replace(/^\[|\]$/g, '')
  if (parsed[3] !== undefined) return early
  const declared = wellKnownPort(scheme)
  const gateway = listener.slice(0, listener.lastIndexOf('/'))
  const protocol = scheme === 'https' ? 'HTTPS' : 'HTTP'
  const ownListener = table.listeners.some((l) => objectKey(l.gateway.meta) === gateway && l.listener.protocol === protocol && l.listener.port === declared && (l.listener.hostname === null || hostnameMatches(l.listener.hostname, host)))
  if (!ownListener) return early
  const local = ctx.localPortOf(gateway, scheme, declared)
  if (local === null || local === declared) return early
  return {...early, headers: {...early.headers, location: `${scheme}://${parsed[2]!}:${local}${parsed[4] ?? ''}`}}
}
