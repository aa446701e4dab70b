import type {OutgoingHttpHeaders} from 'node:http'

import {formatPosition} from '../manifests/position.js'
import type {MatchResult} from '../routing/table.js'
import type {RequestDetail} from '../runtime/events.js'

/** `[name, value, name, value, ...]` (rawHeaders, or the list written to the client) as pairs. */
function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = []
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!])
  return out
}

/** The why first (screens cut long lines): `Prefix /api (prefix match), host blue.example.com (exact), Ingress default/web web.yaml:12:9` */
export function describeMatch(match: MatchResult | null): string {
  if (match === null) return 'not routed (the request was refused before routing)'
  const route = match.route
  if (route !== null) {
    const host = match.vhost?.pattern ?? '(any host)'
    return `${route.pathType} ${route.path} (${match.location?.directive ?? match.pathMatch}), host ${host} (${match.vhost?.kind ?? 'any'}), Ingress ${route.origin.namespace}/${route.origin.name} ${formatPosition(route.at)}`
  }
  if (match.defaultRoute !== null) {
    const origin = match.defaultRoute.origin
    return `spec.defaultBackend: no path of host ${match.host} matched ${match.path}, Ingress ${origin.namespace}/${origin.name} ${formatPosition(origin.at)}`
  }
  return `no rule for host ${match.host} and path ${match.path}: kingress answered 404`
}

type ResponseHeaders = readonly string[] | OutgoingHttpHeaders | null

/**
 * A request's details, kept as references (the arrays Node and the exchange already hold, the
 * match) and turned into text only when a view reads them: capturing costs one small object per
 * request, not header copies or string building on the proxy's hot path.
 */
class CapturedDetail implements RequestDetail {
  constructor(
    private readonly rawRequestHeaders: readonly string[],
    private readonly sent: ResponseHeaders,
    private readonly match: MatchResult | null,
    private readonly sentAt: number,
    private readonly firstByteAt: number,
  ) {}

  get requestHeaders(): [string, string][] {
    return pairs(this.rawRequestHeaders)
  }

  get responseHeaders(): RequestDetail['responseHeaders'] {
    const sent = this.sent
    if (sent === null) return undefined
    return Array.isArray(sent) ? pairs(sent as readonly string[]) : (sent as Readonly<Record<string, string | readonly string[] | number | undefined>>)
  }

  get matched(): string {
    return describeMatch(this.match)
  }

  get upstreamConnectMs(): null {
    return null
  }

  get upstreamFirstByteMs(): number | null {
    return this.sentAt > 0 && this.firstByteAt > 0 ? this.firstByteAt - this.sentAt : null
  }
}

/** Called only when ProxyContext.captureDetail is on, once per request, at the end of the exchange. */
export function requestDetail(
  rawRequestHeaders: readonly string[],
  /** The list given to writeHead, or the response's headers when kingress answered itself. */
  responseHeaders: ResponseHeaders,
  match: MatchResult | null,
  sentAt: number,
  firstByteAt: number,
): RequestDetail {
  return new CapturedDetail(rawRequestHeaders, responseHeaders, match, sentAt, firstByteAt)
}
