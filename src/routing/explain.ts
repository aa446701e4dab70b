import {checkSourceRanges} from '../annotations/access.js'
import {rewritePhase} from '../annotations/gate.js'
import type {RedirectContext} from '../annotations/redirects.js'
import {headerFields, type RequestView} from '../annotations/request-view.js'
import {rewrittenTarget} from '../annotations/rewrite.js'
import {serverAnswer} from '../annotations/server-answer.js'
import type {BackendRef} from '../manifests/model.js'
import {formatPosition} from '../manifests/position.js'
import {describeBackend} from './compile.js'
import {normalizeHost, wellKnownPort} from './normalize.js'
import {matchHasTls, servingRule, type Location, type MatchResult, type RouteTable, type VirtualHost} from './table.js'

/** Why one location did or did not match the request path. */
export interface Candidate {
  readonly location: Location
  readonly matches: boolean
  readonly chosen: boolean
  readonly reason: string
}

export interface ExplainOptions {
  readonly method?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Explain at most this many locations (the 404 page's short list); all when absent. */
  readonly candidateLimit?: number
}

export interface Explanation {
  readonly url: string
  readonly method: string
  readonly host: string
  /** The path as nginx matches it (normalised), or as sent when nginx refuses it. */
  readonly path: string
  readonly hostMatch: string
  readonly result: MatchResult
  /** The host's locations in the order nginx tries them. */
  readonly candidates: readonly Candidate[]
  /** One sentence: who serves the request, or why nobody does. */
  readonly verdict: string
  /** What kingress (and ingress-nginx) answers: 200, a redirect, 400 or 404 (the command adds 503 when no endpoint is ready). */
  readonly status: number
  /** The redirect's Location, when status is 30x. */
  readonly location: string | null
  /** The request target the backend receives (rewritten by rewrite-target, else as sent); null when no backend is asked. */
  readonly upstreamTarget: string | null
  /** Everything a reader of the Ingress API would not expect about this answer. */
  readonly notes: readonly string[]
}

/** The slow, talkative twin of RouteTable.match plus the redirects the proxy performs: same answer, and the reasons. */
export function explain(table: RouteTable, url: string, options: ExplainOptions = {}): Explanation {
  const parsed = parseUrl(url)
  const method = (options.method ?? 'GET').toUpperCase()
  const result = table.match(parsed.host, parsed.path)
  const host = normalizeHost(parsed.host)
  const view: RequestView = {method, scheme: parsed.scheme, host, path: parsed.path, query: parsed.query, headers: {host: parsed.host, ...headerFields(options.headers ?? {})}, remoteAddress: '127.0.0.1'}
  const ports = {tls: matchHasTls(result), httpsPort: parsed.scheme === 'https' ? parsed.port : 443, httpPort: parsed.port}
  const answer = result.pathMatch === 'invalid-path' ? null : (serverAnswer(result, view, ports) ?? locationAnswer(result, view, ports))
  const vhost = result.vhost
  const locations = vhost && result.pathMatch !== 'invalid-path' ? vhost.locations : []
  const candidates = (options.candidateLimit === undefined ? locations : locations.slice(0, options.candidateLimit)).map((location) => candidate(location, result))
  const status = result.pathMatch === 'invalid-path' ? 400 : answer ? answer.status : result.backend ? 200 : 404
  const rule = servingRule(result)
  const rewritten = status === 200 && rule !== null ? rewrittenTarget(result, rule.policy, parsed.query) : null
  const upstreamTarget = status === 200 ? (rewritten ?? parsed.path + parsed.query) : null
  return {
    url,
    method,
    host,
    path: result.path,
    hostMatch: describeHostMatch(host, vhost, table),
    result,
    candidates,
    verdict: answer ? `${answer.reason} answers ${answer.status}${answer.headers.location ? `, Location ${answer.headers.location}` : ''}` : matchVerdict(result),
    status,
    location: answer?.headers.location ?? null,
    upstreamTarget,
    notes: [...notesFor(result, parsed.path, table), ...(rewritten !== null ? [`rewrite-target: nginx's rewrite "(?i)${result.location!.name}" sends the backend ${rewritten}`] : [])],
  }
}

/** The location's own answers that do not depend on proxy state: rewrite phase, then the allow/deny lists for a client on this machine. */
function locationAnswer(result: MatchResult, view: RequestView, ctx: RedirectContext) {
  const rule = servingRule(result)
  if (rule === null) return null
  return rewritePhase(rule.policy, view, ctx, result.location?.name ?? result.path) ?? checkSourceRanges(rule.policy, view.remoteAddress)
}

function parseUrl(url: string): {scheme: 'http' | 'https'; host: string; port: number; path: string; query: string} {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`
  const parsed = new URL(withScheme)
  const scheme = parsed.protocol === 'https:' ? 'https' : 'http'
  // URL() resolves dot segments itself; take the raw path so kingress's own normalisation is what is explained.
  const afterAuthority = withScheme.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').split('#')[0]!
  const q = afterAuthority.indexOf('?')
  const rawPath = (q === -1 ? afterAuthority : afterAuthority.slice(0, q)) || '/'
  return {scheme, host: parsed.host, port: parsed.port === '' ? wellKnownPort(scheme) : Number(parsed.port), path: rawPath, query: q === -1 ? '' : afterAuthority.slice(q)}
}

function describeHostMatch(host: string, vhost: VirtualHost | null, table: RouteTable): string {
  if (!vhost) {
    const known = table.virtualHosts.map((v) => v.pattern ?? '(any host)').join(', ') || 'none'
    return `no rule is for host "${host}" and no rule leaves host empty (hosts served: ${known})`
  }
  if (vhost.kind === 'exact') return `host "${host}" matches rule host "${vhost.pattern}" exactly`
  if (vhost.kind === 'wildcard') return `host "${host}" matches wildcard "${vhost.pattern}" (one label in place of *), and no rule names it exactly`
  return `no rule names host "${host}"; the rules without a host (ingress-nginx's catch-all server) serve it`
}

function candidate(location: Location, result: MatchResult): Candidate {
  const chosen = result.location === location
  const path = result.path
  const serves = location.route ? `${location.route.pathType} ${location.route.path}` : location.defaultRoute ? 'spec.defaultBackend' : 'the default backend (404)'
  const matches = locationMatches(location, path)
  const origin = location.source === 'exact-twin' ? ` (the = twin ingress-nginx adds for Prefix ${location.route!.path})` : location.source === 'slashed-prefix' ? ` (Prefix ${location.route!.path} made to end in /)` : ''
  let reason: string
  if (chosen && result.pathMatch === 'slash-redirect') reason = `${location.directive}${origin} is named ${path}/: nginx answers ${path} with 301 to it (auto_redirect), before any other location`
  else if (chosen) reason = `${location.directive}${origin} → ${serves}: ${chosenWhy(location)}`
  else if (matches) reason = `${location.directive}${origin} → ${serves}: matches, but ${location.kind === 'regex' ? 'an earlier regex location matched first' : location.kind === 'exact' ? 'another location wins' : 'a longer or exact location wins'}`
  else reason = `${location.directive}${origin} → ${serves}: does not match ${path}`
  return {location, matches, chosen, reason}
}

function chosenWhy(location: Location): string {
  switch (location.kind) {
    case 'exact':
      return 'exact match, chosen at once'
    case 'prefix':
      return 'the longest matching prefix, and no exact location or trailing-slash redirect applies'
    case 'regex':
      return 'the first regex location (in nginx.conf order) that matches'
    case 'element-prefix':
      return 'the longest matching Prefix (whole path elements)'
  }
}

function locationMatches(location: Location, path: string): boolean {
  switch (location.kind) {
    case 'exact':
      return location.name === path
    case 'prefix':
      return path.startsWith(location.name)
    case 'regex':
      return location.regex!.test(path)
    case 'element-prefix': {
      const key = location.name.replace(/\/+$/, '')
      const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
      return key === '' || trimmed === key || trimmed.startsWith(key + '/')
    }
  }
}

/** Who serves a match, or why nobody does, before any redirect or access rule. */
export function matchVerdict(result: MatchResult): string {
  if (result.pathMatch === 'invalid-path') return `the path climbs above the root with "..": nginx refuses it with 400 before routing`
  if (result.route) return `served by ${describe(result.route.backend)} through Ingress ${result.route.origin.namespace}/${result.route.origin.name} (${result.route.at.file}:${result.route.at.line})`
  if (result.defaultRoute) {
    return `no path matches; spec.defaultBackend ${describe(result.defaultRoute.backend)} of Ingress ${result.defaultRoute.origin.namespace}/${result.defaultRoute.origin.name} answers`
  }
  if (result.vhost) return `no path of host ${result.vhost.pattern ?? '(any)'} matches: the host's root location has no spec.defaultBackend, so ingress-nginx's default backend answers 404`
  return 'no rule matches this host: kingress answers 404'
}

function notesFor(result: MatchResult, rawPath: string, table: RouteTable): string[] {
  const notes: string[] = []
  if (table.semantics === 'spec') notes.push('--semantics spec: the Ingress API\'s documented matching, not ingress-nginx\'s locations')
  const route = result.route
  if (route?.pathType === 'ImplementationSpecific') notes.push(`ImplementationSpecific is Prefix in ingress-nginx (internal/k8s/main.go SetDefaultNGINXPathType): ${route.path} serves ${route.path} and ${route.path}/…, not ${route.path}x`)
  const near = route === null ? result.vhost?.routes.find((r) => r.pathType === 'ImplementationSpecific' && r.path !== '/' && result.path.startsWith(r.path)) : undefined
  if (near) notes.push(`ImplementationSpecific ${near.path} (${formatPosition(near.at)}) is Prefix in ingress-nginx (internal/k8s/main.go SetDefaultNGINXPathType), not a string prefix: it does not serve ${result.path}`)
  const cause = result.vhost?.regexMode
  if (cause) {
    notes.push(
      `host ${result.vhost!.pattern ?? '(rules without host)'} is in regex mode because Ingress ${cause.ingress} sets ${cause.annotation} (${formatPosition(cause.at)}): every path of the host, of every Ingress, Exact ones included, is a case-insensitive regex anchored only at the start, tried in order (longest path first)`,
    )
  }
  if (result.pathMatch === 'slash-redirect') notes.push(`the Ingress API would ${result.location?.route?.pathType === 'Exact' ? 'answer 404' : 'serve this path'}; ingress-nginx redirects because ${result.location!.directive} exists and no location = ${result.path} does. kingress keeps its own port in the Location; a cluster's has none`)
  if (result.pathMatch !== 'invalid-path' && result.path !== rawPath) notes.push(`nginx matched the normalised path ${result.path}; without a rewrite the backend still receives the path as sent (${rawPath})`)
  const policy = servingRule(result)?.policy
  if (policy && (policy.allowSourceRanges || policy.denySourceRanges)) notes.push(`allow/deny lists are judged for a client at 127.0.0.1, as a browser on this machine is`)
  if (result.appRoot !== null) notes.push('app-root acts at server level: / is redirected whichever Ingress would serve it, and the query string is dropped')
  return notes
}

function describe(backend: BackendRef): string {
  return `${backend.kind === 'resource' ? 'resource' : 'Service'} ${describeBackend(backend)}`
}
