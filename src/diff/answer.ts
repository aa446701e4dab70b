import {useCanary} from '../annotations/canary.js'
import {headerFields, type RequestView} from '../annotations/request-view.js'
import type {BackendRef as IngressBackend, Snapshot} from '../manifests/model.js'
import type {Route} from '../routing/table.js'
import {formatPosition} from '../manifests/position.js'
import {explain} from '../routing/explain.js'
import {portOfUrl} from '../routing/normalize.js'
import {corsOutcome} from '../gateway/cors.js'
import {hostnameMatches, type GatewayAnswer} from '../gateway/evaluate.js'
import {frontEndFor, ingressAt} from '../model/front-end.js'
import type {RouteModel} from '../model/route-model.js'

/** One request, as `diff` sends it through both sides. */
export interface Probe {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Why it was generated, e.g. `Prefix /blue + one element`; `--requests` for the user's own. */
  readonly why: string
}

/** What a side answers, in the terms diff compares. */
export interface Answer {
  /** 0: nothing is served on the request's port (a connection would be refused). */
  readonly status: number
  /** `namespace/service:port`, several joined by `, ` with their weights; null when no backend is asked. */
  readonly backend: string | null
  /** The request target the backend receives. */
  readonly upstream: string | null
  /** A redirect's Location, with default ports dropped. */
  readonly location: string | null
  /** Who answered: the Ingress rule or HTTPRoute, for the report. */
  readonly by: string
  /** file:line:col of the manifest entry that decided (the Ingress path, the HTTPRoute rule), or null when none did. */
  readonly at: string | null
  /** When no rule decided: the object that holds the host's rules (`HTTPRoute ns/name (file:line)`), where a fix goes; else null. */
  readonly hostOwner: string | null
  /** The host is in ingress-nginx's regex mode (and because of which Ingress). */
  readonly regexMode: string | null
  readonly reason: string
}

export interface Side {
  readonly label: string
  answer(probe: Probe): Answer
}

/**
 * A set of manifests as one side of a diff: HTTPRoutes where a Gateway listener has a route for the
 * host, else the Ingresses (ingress-nginx's semantics). Both in process, no sockets.
 */
export function sideOf(label: string, snapshot: Snapshot, model: RouteModel): Side {
  const {table, gateways} = model
  return {
    label,
    answer(probe) {
      const url = new URL(probe.url)
      const scheme = url.protocol === 'https:' ? 'https' : 'http'
      const port = portOfUrl(url)
      const raw = rawPathAndQuery(probe.url)
      // The proxy's decision: the Gateway answers for the hosts its routes claim; the Ingresses are served on 80 and 443 only.
      const front = frontEndFor(gateways, ingressAt(table, scheme, port), snapshot, {scheme, port, host: url.host, method: probe.method, path: raw.path, query: raw.query, headers: probe.headers})
      if (front.kind === 'none') return {status: 0, backend: null, upstream: null, location: null, by: `no listener of port ${port}`, at: null, hostOwner: null, regexMode: null, reason: `nothing is served on port ${port}: the Ingresses are served on ports 80 and 443, and no Gateway listener has port ${port}`}
      if (front.kind === 'gateway') {
        const g = front.answer
        const rule = g.route === null ? undefined : snapshot.httpRoutes.find((r) => `${r.meta.namespace}/${r.meta.name}` === g.route)?.rules[g.rule ?? 0]
        const at = rule === undefined ? null : formatPosition(rule.at)
        const owner = at === null ? gateways.listeners.flatMap((l) => l.candidates).find((c) => hostnameMatches(c.hostname, url.hostname))?.route : undefined
        const hostOwner = owner === undefined ? null : `HTTPRoute ${owner.meta.namespace}/${owner.meta.name} (${formatPosition(owner.meta.at)})`
        const by = g.route ? `HTTPRoute ${g.route} rule ${g.rule}${at === null ? '' : ` (${at})`}` : `Gateway listener ${g.listener ?? '-'}`
        const early = g.status === 200 ? gatewayEarlyAnswer(g, probe) : null
        if (early !== null) return {...early, backend: null, upstream: null, by, at, hostOwner, regexMode: null}
        // One backendRef: its own filters (URLRewrite) decide what it receives; with several, the rule's.
        const only = g.backends.length === 1 ? g.backends[0]! : null
        const backend = g.status === 200 ? g.backends.map((b) => `${b.namespace}/${b.name}:${b.port ?? '?'}${g.backends.length > 1 ? ` (weight ${b.weight})` : ''}`).join(', ') : null
        return {status: g.status, backend, upstream: g.status === 200 ? (only?.upstreamTarget ?? g.upstreamTarget) : null, location: normalizeLocation(g.location), by, at, hostOwner, regexMode: null, reason: g.reason}
      }
      const e = explain(table, probe.url, {method: probe.method, headers: probe.headers})
      const route = e.result.route
      const fallback = e.result.defaultRoute
      const ns = route?.origin.namespace ?? fallback?.origin.namespace ?? 'default'
      const backend = e.status !== 200 || e.result.backend === null ? null : ingressBackends(e.result.backend, ns, route, probe)
      const location = e.result.location
      const owner = location?.route ?? null
      const by = route
        ? `Ingress ${route.origin.namespace}/${route.origin.name} ${route.pathType} ${route.path} (${formatPosition(route.at)})`
        : fallback
          ? `spec.defaultBackend of Ingress ${fallback.origin.namespace}/${fallback.origin.name}`
          : owner !== null
            ? `${location!.directive} of Ingress ${owner.origin.namespace}/${owner.origin.name} ${owner.pathType} ${owner.path} (${formatPosition(owner.at)})`
            : location?.root
              ? `${location.directive}, the root of the server Ingress ${location.root.origin.namespace}/${location.root.origin.name} created`
              : 'no Ingress rule'
      const cause = e.result.vhost?.regexMode
      const decided = route?.at ?? fallback?.at ?? owner?.at ?? null
      const sibling = decided === null ? (e.result.vhost?.routes[0] ?? null) : null
      const hostOwner = sibling === null ? null : `Ingress ${sibling.origin.namespace}/${sibling.origin.name} (${formatPosition(sibling.at)})`
      return {status: e.status, backend, upstream: e.status === 200 ? e.upstreamTarget : null, location: normalizeLocation(e.location), by, at: decided === null ? null : formatPosition(decided), hostOwner, regexMode: cause ? `Ingress ${cause.ingress} sets ${cause.annotation} (${formatPosition(cause.at)})` : null, reason: e.verdict}
    },
  }
}

/**
 * The Service(s) an Ingress answer goes to for this request, in the Gateway side's format: a canary
 * forced by header or cookie (useCanary's order) is the only one; else the weights.
 */
function ingressBackends(main: IngressBackend, namespace: string, route: Route | null, probe: Probe): string {
  const name = (b: IngressBackend, ns: string) => (b.kind === 'service' ? `${ns}/${b.service}:${'number' in b.port ? b.port.number : b.port.name}` : `${b.resourceKind}/${b.name}`)
  const canary = route?.canary ?? null
  if (canary === null) return name(main, namespace)
  const view: RequestView = {method: probe.method, scheme: 'http', host: '', path: '', query: '', headers: headerFields(probe.headers), remoteAddress: '127.0.0.1'}
  const whenHigh = useCanary(canary.rule, view, () => 0.999999)
  const whenLow = useCanary(canary.rule, view, () => 0)
  if (whenHigh === whenLow) return whenHigh ? name(canary.backend, canary.origin.namespace) : name(main, namespace)
  const total = canary.rule.weightTotal
  return `${name(main, namespace)} (weight ${total - canary.rule.weight}), ${name(canary.backend, canary.origin.namespace)} (weight ${canary.rule.weight})`
}

/** The path and query exactly as written in the URL (URL() would resolve dot segments). */
function rawPathAndQuery(url: string): {path: string; query: string} {
  const after = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('#')[0]!
  const q = after.indexOf('?')
  const path = (q === -1 ? after : after.slice(0, q)) || '/'
  return {path, query: q === -1 ? '' : after.slice(q)}
}

/** `http://a.test:80/x` and `http://a.test/x` are the same redirect. */
function normalizeLocation(location: string | null): string | null {
  if (location === null) return null
  try {
    const url = new URL(location)
    return `${url.protocol}//${url.hostname}${url.port === '' ? '' : ':' + url.port}${location.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/'}`
  } catch {
    return location
  }
}

/** What the proxy answers itself for a forwarded rule: the only backendRef's RequestRedirect, or a CORS preflight (204). */
function gatewayEarlyAnswer(g: GatewayAnswer, probe: Probe): {status: number; location: string | null; reason: string} | null {
  const only = g.backends.length === 1 ? g.backends[0]! : null
  if (only?.redirect) return {status: only.redirect.status, location: normalizeLocation(only.redirect.location), reason: 'RequestRedirect of the backendRef'}
  const cors = only?.cors ?? g.cors
  if (cors !== null && corsOutcome(cors, probe.method, headerFields(probe.headers))?.kind === 'preflight') return {status: 204, location: null, reason: 'CORS preflight answered by the Gateway'}
  return null
}
