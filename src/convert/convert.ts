import type {AnnotationReport} from '../annotations/policy.js'
import {objectKey, type Ingress, type Snapshot} from '../manifests/model.js'
import type {Position} from '../manifests/position.js'
import type {CompileResult} from '../routing/compile.js'
import type {VirtualHost} from '../routing/table.js'
import {annotationOutcomes, type AnnotationOutcome} from './annotations.js'
import {faithfulRules, serverRedirectRules, type CommentedRule} from './host-rules.js'
import {literalRules} from './literal-rules.js'
import {GATEWAY_API, type Commented, type GatewayObject, type HTTPRouteObject, type Listener, type ReferenceGrantObject} from './objects.js'
import {backendRefOf, type RuleContext} from './rule-steps.js'

export interface ConvertOptions {
  /** The naive one-to-one translation instead of the one that keeps ingress-nginx's behaviour. */
  readonly literal?: boolean
}

export interface IngressReport {
  readonly ingress: string
  readonly at: Position
  readonly annotations: readonly AnnotationOutcome[]
}

export interface Conversion {
  readonly objects: readonly Commented[]
  /** Per Ingress, every ingress-nginx annotation and what became of it. */
  readonly report: readonly IngressReport[]
}

const GATEWAY_NAME = 'ingress-nginx'
const HTTP_LISTENER = 'http'

/**
 * Ingresses (as compile() merged them, ingress-nginx's way) → one Gateway with an HTTP listener and
 * an HTTPS listener per spec.tls host, one HTTPRoute per host (nginx's server block, so host-wide
 * behaviour such as regex mode stays together), and the ReferenceGrants cross-namespace references need.
 */
export function convertIngresses(compiled: CompileResult, snapshot: Snapshot, options: ConvertOptions = {}): Conversion {
  const served = compiled.ingresses
  const namespace = gatewayNamespace(served)
  const namespaces = new Set(served.map((i) => i.meta.namespace))
  const listeners = listenersOf(served, namespace, namespaces.size > 1)
  const objects: Commented[] = []
  const grants = new Map<string, Set<'Service' | 'Secret'>>()
  const grantFrom = new Map<string, Set<string>>()
  const needGrant = (targetNs: string, kind: 'Service' | 'Secret', fromKind: string) => {
    if (!grants.has(targetNs)) grants.set(targetNs, new Set())
    grants.get(targetNs)!.add(kind)
    if (!grantFrom.has(targetNs)) grantFrom.set(targetNs, new Set())
    grantFrom.get(targetNs)!.add(fromKind)
  }
  for (const listener of listeners.list) for (const ref of listener.tls?.certificateRefs ?? []) if (ref.namespace) needGrant(ref.namespace, 'Secret', `Gateway ${namespace}`)

  for (const vhost of compiled.table.virtualHosts) {
    const route = hostRoute(vhost, snapshot, namespace, listeners, options)
    if (route === null) continue
    objects.push(route.commented)
    for (const ns of route.crossNamespace) needGrant(ns, 'Service', `HTTPRoute ${route.commented.object.metadata.namespace}`)
    if (route.redirect) objects.push(route.redirect)
  }
  if (!options.literal) for (const [other, target] of compiled.table.wwwAlternates) objects.push(wwwRoute(other, target, namespace))

  const gateway: GatewayObject = {apiVersion: GATEWAY_API, kind: 'Gateway', metadata: {name: GATEWAY_NAME, namespace}, spec: {gatewayClassName: listeners.className, listeners: listeners.list}}
  const header = [
    `Converted by kingress from ${served.length} Ingress${served.length === 1 ? '' : 'es'}${options.literal ? ' (--literal: a one-to-one translation, which changes behaviour where ingress-nginx was surprising)' : ', keeping what ingress-nginx did'}.`,
    `gatewayClassName: set it to your Gateway implementation's class.`,
  ]
  return {objects: [{object: gateway, comment: header, ruleComments: []}, ...objects, ...referenceGrants(grants, grantFrom)], report: served.map((ingress) => reportOf(ingress, compiled.annotationReports.get(objectKey(ingress.meta)) ?? []))}
}

function reportOf(ingress: Ingress, reports: readonly AnnotationReport[]): IngressReport {
  return {ingress: `${ingress.meta.namespace}/${ingress.meta.name}`, at: ingress.meta.at, annotations: annotationOutcomes(ingress, reports)}
}

/** The namespace of the first Ingress loaded (the Gateway's and the redirect routes'). */
function gatewayNamespace(ingresses: readonly Ingress[]): string {
  const first = [...ingresses].sort((a, b) => a.meta.loadIndex - b.meta.loadIndex)[0]
  return first?.meta.namespace ?? 'default'
}

interface Listeners {
  readonly list: Listener[]
  readonly className: string
  /** The HTTPS listener that serves a host (its own, or a wildcard one label above). */
  forHost(host: string | null): Listener | null
}

function listenersOf(ingresses: readonly Ingress[], namespace: string, manyNamespaces: boolean): Listeners {
  const allowedRoutes = {namespaces: {from: manyNamespaces ? ('All' as const) : ('Same' as const)}}
  const list: Listener[] = [{name: HTTP_LISTENER, protocol: 'HTTP', port: 80, allowedRoutes}]
  const byHost = new Map<string, Listener>()
  for (const ingress of ingresses) {
    for (const tls of ingress.tls) {
      for (const raw of tls.hosts) {
        const host = raw.toLowerCase()
        if (byHost.has(host)) continue
        const certificateRefs = tls.secretName === null ? [] : [{kind: 'Secret' as const, name: tls.secretName, ...(ingress.meta.namespace !== namespace ? {namespace: ingress.meta.namespace} : {})}]
        const listener: Listener = {name: `https-${slug(host)}`, protocol: 'HTTPS', port: 443, hostname: host, tls: {mode: 'Terminate', certificateRefs}, allowedRoutes}
        byHost.set(host, listener)
        list.push(listener)
      }
    }
  }
  const classes = ingresses.map((i) => i.className).filter((c): c is string => c !== null)
  return {
    list,
    className: classes[0] ?? 'nginx',
    forHost(host) {
      if (host === null) return null
      const exact = byHost.get(host)
      if (exact) return exact
      const dot = host.indexOf('.')
      return dot > 0 && !host.startsWith('*.') ? (byHost.get('*' + host.slice(dot)) ?? null) : null
    },
  }
}

interface HostRoute {
  readonly commented: Commented<HTTPRouteObject>
  readonly redirect: Commented<HTTPRouteObject> | null
  readonly crossNamespace: ReadonlySet<string>
}

function hostRoute(vhost: VirtualHost, snapshot: Snapshot, gatewayNs: string, listeners: Listeners, options: ConvertOptions): HostRoute | null {
  const owner = vhost.locations.find((l) => l.route === null)?.root?.origin ?? vhost.routes[0]?.origin
  const namespace = owner?.namespace ?? gatewayNs
  const ctx: RuleContext = {namespace, services: snapshot.services, crossNamespace: new Set(), lost: []}
  const rules: CommentedRule[] = options.literal ? [...literalRules(vhost.routes, ctx), ...literalDefault(vhost, ctx)] : faithfulRules(vhost, ctx)
  if (rules.length === 0) return null
  const name = vhost.pattern === null ? 'catch-all' : slug(vhost.pattern)
  const https = listeners.forHost(vhost.pattern)
  const redirectsHttp = !options.literal && https !== null && wantsHttps(vhost)
  const sections = [...(redirectsHttp ? [] : [HTTP_LISTENER]), ...(https ? [https.name] : [])]
  const parentRefs = sections.map((sectionName) => ({name: GATEWAY_NAME, ...(namespace !== gatewayNs ? {namespace: gatewayNs} : {}), sectionName}))
  const object: HTTPRouteObject = {
    apiVersion: GATEWAY_API,
    kind: 'HTTPRoute',
    metadata: {name, namespace},
    spec: {parentRefs, ...(vhost.pattern !== null ? {hostnames: [vhost.pattern]} : {}), rules: rules.map((r) => r.rule)},
  }
  const comment = [
    vhost.pattern === null ? 'The rules without host: ingress-nginx\'s catch-all server, for every Host no other route names.' : `Host ${vhost.pattern}: the paths of every Ingress for it, as ingress-nginx merged them into one server.`,
    ...(vhost.regexMode && !options.literal
      ? [
          `Regex mode: Ingress ${vhost.regexMode.ingress} sets ${vhost.regexMode.annotation}, so nginx matched every path of this host as a case-insensitive prefix regex, first match in the order below.`,
          'The Gateway API leaves the precedence between RegularExpression matches to the implementation: check that yours tries them in this order.',
        ]
      : []),
  ]
  const redirect = redirectsHttp ? httpsRedirectRoute(vhost, name, namespace, gatewayNs) : null
  return {commented: {object, comment, ruleComments: rules.map((r) => r.comment)}, redirect, crossNamespace: ctx.crossNamespace}
}

/** ssl-redirect (on by default for spec.tls hosts) or force-ssl-redirect on every path of the host. */
function wantsHttps(vhost: VirtualHost): boolean {
  const policies = [...vhost.routes.map((r) => r.policy), ...vhost.locations.flatMap((l) => (l.route === null && l.root ? [l.root.policy] : []))]
  return policies.every((p) => p.forceSslRedirect || (vhost.tls && p.sslRedirect !== false))
}

function literalDefault(vhost: VirtualHost, ctx: RuleContext): CommentedRule[] {
  const fallback = vhost.defaultRoute
  if (fallback === null) return []
  const ref = backendRefOf(fallback.backend, fallback.origin.namespace, ctx)
  return [{rule: {matches: [{path: {type: 'PathPrefix', value: '/'}}], backendRefs: ref ? [ref] : []}, comment: [`spec.defaultBackend of Ingress ${fallback.origin.namespace}/${fallback.origin.name}`]}]
}

function httpsRedirectRoute(vhost: VirtualHost, name: string, namespace: string, gatewayNs: string): Commented<HTTPRouteObject> {
  const host = vhost.pattern!
  const first = serverRedirectRules(vhost)
  const object: HTTPRouteObject = {
    apiVersion: GATEWAY_API,
    kind: 'HTTPRoute',
    metadata: {name: `${name}-https-redirect`, namespace},
    spec: {
      parentRefs: [{name: GATEWAY_NAME, ...(namespace !== gatewayNs ? {namespace: gatewayNs} : {}), sectionName: HTTP_LISTENER}],
      hostnames: [host],
      rules: [...first.map((r) => r.rule), {matches: [{path: {type: 'PathPrefix', value: '/'}}], filters: [{type: 'RequestRedirect', requestRedirect: {scheme: 'https', statusCode: 308}}]}],
    },
  }
  const comment = [
    `ssl-redirect: ingress-nginx answers plain HTTP for ${host} with 308 to https (lua_ingress.lua); the host's rules attach to its HTTPS listener only.`,
    'Before it, on HTTP too, come the redirects nginx makes before any location runs (app-root, trailing-slash 301s).',
    'not kept: ingress-nginx drops one trailing slash from the URI it sends to https (/a/ → https://host/a); a RequestRedirect keeps the path as it is.',
  ]
  return {object, comment, ruleComments: [...first.map((r) => r.comment), []]}
}

function wwwRoute(other: string, target: string, namespace: string): Commented<HTTPRouteObject> {
  const object: HTTPRouteObject = {
    apiVersion: GATEWAY_API,
    kind: 'HTTPRoute',
    metadata: {name: `${slug(other)}-www-redirect`, namespace},
    spec: {
      parentRefs: [{name: GATEWAY_NAME, sectionName: HTTP_LISTENER}],
      hostnames: [other],
      rules: [{matches: [{path: {type: 'PathPrefix', value: '/'}}], filters: [{type: 'RequestRedirect', requestRedirect: {hostname: target, statusCode: 308}}]}],
    },
  }
  return {object, comment: [`from-to-www-redirect: ${other} answers 308 to ${target}, keeping the path and query.`], ruleComments: [[]]}
}

function referenceGrants(grants: ReadonlyMap<string, ReadonlySet<'Service' | 'Secret'>>, from: ReadonlyMap<string, ReadonlySet<string>>): Commented[] {
  return [...grants].map(([namespace, kinds]): Commented<ReferenceGrantObject> => ({
    object: {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: {name: 'ingress-nginx-converted', namespace},
      spec: {
        from: [...from.get(namespace)!].map((text) => {
          const [kind, ns] = text.split(' ') as ['HTTPRoute' | 'Gateway', string]
          return {group: 'gateway.networking.k8s.io' as const, kind, namespace: ns}
        }),
        to: [...kinds].map((kind) => ({group: '' as const, kind})),
      },
    },
    comment: [`Lets the converted routes and Gateway refer to ${[...kinds].join(' and ')}s in ${namespace}, as the Ingresses did.`],
    ruleComments: [],
  }))
}

/** A host as a DNS label: `*.example.com` → `wildcard-example-com`. */
function slug(host: string): string {
  return host
    .replace(/^\*\./, 'wildcard.')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
}
