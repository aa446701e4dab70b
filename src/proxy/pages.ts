import type {ResolvedBackend} from '../backends/resolver.js'
import {explain, matchVerdict} from '../routing/explain.js'
import type {MatchResult, RouteTable} from '../routing/table.js'
import type {ErrorPage} from './error-page.js'

/** The error pages kingress answers with, worded like `kingress explain`. */

export interface PageRequest {
  readonly host: string
  readonly path: string
  readonly requestId: string
}

export function describeRule(match: MatchResult): string | null {
  const route = match.route
  if (route) {
    const o = route.origin
    return `Ingress ${o.namespace}/${o.name} (${route.at.file}:${route.at.line}), rule ${route.host ?? '(any host)'} ${route.path} (${route.pathType})`
  }
  const fallback = match.defaultRoute
  if (fallback) return `spec.defaultBackend of Ingress ${fallback.origin.namespace}/${fallback.origin.name} (${fallback.at.file}:${fallback.at.line})`
  return null
}

export function describeBackend(backend: ResolvedBackend): string {
  return `Service ${backend.label} (${backend.source})`
}

export function notFoundPage(table: RouteTable, match: MatchResult, request: PageRequest): ErrorPage {
  let message = match.vhost ? `No path of host ${match.vhost.pattern ?? '(any host)'} matches ${match.path}, and no spec.defaultBackend applies.` : `No Ingress rule is for host "${match.host}".`
  const details: string[] = []
  try {
    // A short list: the page is on the request path, and a host can have thousands of locations.
    const explanation = explain(table, `http://${request.host || 'localhost'}${request.path}`, {candidateLimit: 10})
    message = `${capitalise(explanation.hostMatch)}; ${matchVerdict(match)}.`
    for (const c of explanation.candidates) details.push(c.reason)
    const more = (match.vhost?.locations.length ?? 0) - explanation.candidates.length
    if (more > 0) details.push(`… and ${more} more locations (\`kingress explain\` lists them all)`)
  } catch {
    // A Host header that is no URL host: the short message above says enough.
  }
  const hosts = table.virtualHosts.map((v) => v.pattern ?? '(any host)')
  const hint = match.vhost
    ? `Add a path for ${match.path} to an Ingress for this host, or a spec.defaultBackend. \`kingress explain http://${match.host}${match.path} FILES\` shows the reasoning.`
    : `Request one of the hosts served (${hosts.join(', ') || 'none'}), e.g. curl -H 'Host: ${hosts.find((h) => !h.startsWith('*') && !h.startsWith('(')) ?? 'example.com'}' ..., or add a rule for "${match.host}".`
  return {status: 404, code: 'no-route', title: 'No route', message, ...request, rule: null, backend: null, endpoints: [], details, hint}
}

/** `match`: the Ingress match, or the description of the HTTPRoute rule that chose the backend. */
export function noEndpointsPage(match: MatchResult | string, backend: ResolvedBackend, request: PageRequest): ErrorPage {
  return {
    status: 503,
    code: 'no-endpoints',
    title: 'No endpoints',
    message: `The rule chose Service ${backend.label}, but it has no ready endpoint.`,
    ...request,
    rule: typeof match === 'string' ? match : describeRule(match),
    backend: describeBackend(backend),
    endpoints: backend.endpoints.map((e) => `${e.name}${e.ready ? '' : ' (not ready)'}`),
    details: [],
    hint: noEndpointsHint(backend),
  }
}

function noEndpointsHint(backend: ResolvedBackend): string {
  const flag = `--backend ${backend.ref?.service ?? 'SERVICE'}=127.0.0.1:3000`
  if (backend.problem === null) return `Start the server behind ${backend.label}, or pass ${flag}.`
  if (backend.problem.includes('--backend') || backend.ref === null) return backend.problem
  return `${backend.problem} Or serve it from a local process: ${flag}.`
}

export type UpstreamFailure = 'refused' | 'reset' | 'timeout' | 'connect-timeout' | 'bad-response' | 'unsendable-header'

const FAILURES: Record<UpstreamFailure, {status: number; code: string; title: string; what: string}> = {
  refused: {status: 502, code: 'connection-refused', title: 'Bad gateway', what: 'refused the connection'},
  reset: {status: 502, code: 'connection-reset', title: 'Bad gateway', what: 'closed the connection before answering'},
  'bad-response': {status: 502, code: 'bad-response', title: 'Bad gateway', what: 'sent a response that is not valid HTTP/1.1'},
  timeout: {status: 504, code: 'timeout', title: 'Gateway timeout', what: 'did not answer in time'},
  'connect-timeout': {status: 504, code: 'connect-timeout', title: 'Gateway timeout', what: 'did not accept the connection in time'},
  'unsendable-header': {status: 502, code: 'unsendable-header', title: 'Bad gateway', what: ''},
}

export function upstreamFailurePage(failure: UpstreamFailure, detail: string, match: MatchResult | string, backend: ResolvedBackend, tried: readonly string[], request: PageRequest): ErrorPage {
  const f = FAILURES[failure]
  const who = tried.length > 1 ? `Every endpoint of Service ${backend.label} that was tried` : `The endpoint ${tried[0] ?? '?'} of Service ${backend.label}`
  const hint =
    failure === 'timeout'
      ? `Check that the server at ${tried.join(', ')} answers quickly (it is still up but slow or stuck).`
      : failure === 'bad-response'
        ? `Check that ${tried.join(', ')} is an HTTP server (not HTTPS or another protocol).`
        : failure === 'unsendable-header'
          ? 'Remove the control character from the header values the rule sets: an HTTPRoute header filter (`kingress validate` names the field) or an Ingress annotation such as upstream-vhost or x-forwarded-prefix.'
          : `Start the server at ${tried.join(', ')}, or point the Service elsewhere: --backend ${backend.ref?.service ?? 'SERVICE'}=HOST:PORT.`
  return {
    status: f.status,
    code: f.code,
    title: f.title,
    message: failure === 'unsendable-header' ? `A header value this rule sets has a character no HTTP field may carry, so the exchange with ${tried.join(', ')} of Service ${backend.label} stopped (${detail}).` : `${who} ${f.what} (${detail}).`,
    ...request,
    rule: typeof match === 'string' ? match : describeRule(match),
    backend: describeBackend(backend),
    endpoints: tried,
    details: [],
    hint,
  }
}

export function badRequestPage(status: number, title: string, message: string, request: PageRequest): ErrorPage {
  return {status, code: title.toLowerCase().replaceAll(' ', '-'), title, message, ...request, rule: null, backend: null, endpoints: [], details: [], hint: 'Send a smaller or well-formed request.'}
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** nginx refuses a URI whose `..` climbs above the root (ngx_http_parse_complex_uri) with 400 before choosing a server's location. */
export function invalidPathPage(match: MatchResult, request: PageRequest): ErrorPage {
  return {
    status: 400,
    code: 'invalid-path',
    title: 'Bad request',
    message: `The path ${request.path.slice(0, 200)} climbs above the root with "..": nginx, and so kingress, refuses it before routing.`,
    ...request,
    host: match.host,
    rule: null,
    backend: null,
    endpoints: [],
    details: [],
    hint: 'Remove the ".." segments (or their %2e%2e spelling) that go above /.',
  }
}
