import type {Snapshot} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'
import {normalizeHost, normalizePath} from '../routing/normalize.js'
import {corsOutcome} from './cors.js'
import {headerFields} from '../annotations/request-view.js'
import {bestListener, evaluateGateway, hostnameMatches, listenersFor, matches, precedes, RequestFields, type GatewayAnswer, type GatewayRequest} from './evaluate.js'
import type {Candidate, GatewayTable} from './route-table.js'

export interface ConsideredMatch {
  readonly route: string
  readonly rule: number
  readonly match: number
  /** `PathPrefix /v2`, `Exact /one, method GET, 1 header`. */
  readonly description: string
  readonly hostname: string
  readonly matches: boolean
  readonly chosen: boolean
  readonly reason: string
}

export interface GatewayExplanation {
  readonly answer: GatewayAnswer
  readonly considered: readonly ConsideredMatch[]
}

/**
 * The slow, talkative twin of evaluateGateway: the same answer, and for every match of the routes
 * on the chosen listener that is for the host, whether it matches and which precedence step made
 * it win or lose (httproute_types.go HTTPRouteRule precedence).
 */
export function explainGateway(table: GatewayTable, snapshot: Snapshot, req: GatewayRequest): GatewayExplanation | null {
  const answer = evaluateGateway(table, snapshot, req)
  if (answer === null) return null
  const host = normalizeHost(req.host)
  const listener = bestListener(listenersFor(table, req), host)
  const path = normalizePath(req.path)
  if (listener === null || path === null) return {answer, considered: []}
  const fields = new RequestFields(req)
  const forHost = listener.candidates.filter((c) => hostnameMatches(c.hostname, host))
  const winner = forHost.find((c) => objectKey(c.route.meta) === answer.route && c.ruleIndex === answer.rule && c.matchIndex === answer.match) ?? null
  const considered = forHost.map((c): ConsideredMatch => {
    const ok = matches(c, path, req.method, fields)
    const chosen = c === winner
    const reason = chosen ? 'matches, and comes first in the Gateway API precedence' : !ok ? 'does not match the request' : winner !== null && precedes(winner, c) ? `matches, but loses: ${why(winner, c)}` : 'matches'
    return {route: objectKey(c.route.meta), rule: c.ruleIndex, match: c.matchIndex, description: describeMatch(c), hostname: c.hostname, matches: ok, chosen, reason}
  })
  return {answer, considered}
}

function describeMatch(c: Candidate): string {
  const m = c.match
  const parts = [`${m.path.type} ${m.path.value}`]
  if (m.method !== null) parts.push(`method ${m.method}`)
  if (m.headers.length > 0) parts.push(m.headers.map((h) => `header ${h.name}${h.type === 'Exact' ? '=' : '~'}${h.value}`).join(', '))
  if (m.queryParams.length > 0) parts.push(m.queryParams.map((q) => `query ${q.name}${q.type === 'Exact' ? '=' : '~'}${q.value}`).join(', '))
  return parts.join(', ')
}

/** The first precedence step on which the winner beats `other`. */
function why(winner: Candidate, other: Candidate): string {
  const w = winner.match
  const o = other.match
  if (winner.hostname !== other.hostname) return `the winner's hostname ${winner.hostname} is more specific than ${other.hostname}`
  if (w.path.type !== o.path.type) return `${w.path.type} beats ${o.path.type}`
  if (w.path.value.length !== o.path.value.length) return `the longer ${w.path.type} ${w.path.value} wins`
  if ((w.method !== null) !== (o.method !== null)) return 'a method match wins'
  if (w.headers.length !== o.headers.length) return `${w.headers.length} header matches beat ${o.headers.length}`
  if (w.queryParams.length !== o.queryParams.length) return `${w.queryParams.length} query matches beat ${o.queryParams.length}`
  if (winner.route !== other.route) return `HTTPRoute ${objectKey(winner.route.meta)} is older or first by namespace/name`
  return 'an earlier rule or match of the same route'
}

/**
 * The status `kingress up` gives a forwarded answer, knowing which backendRefs have ready
 * endpoints (`ready[i]` for `answer.backends[i]`): 204 for a CORS preflight the Gateway answers
 * itself, 500 when no backendRef's Service is loaded or served, 503 when none has an endpoint.
 */
export function servedStatus(answer: GatewayAnswer, req: Pick<GatewayRequest, 'method' | 'headers'>, ready: readonly boolean[]): {readonly status: number; readonly why: string | null} {
  if (answer.status !== 200) return {status: answer.status, why: null}
  if (answer.cors !== null && corsOutcome(answer.cors, req.method, headerFields(req.headers))?.kind === 'preflight') return {status: 204, why: 'a CORS preflight: the Gateway answers it itself (CORS filter)'}
  if (ready.some((r) => r)) return {status: 200, why: null}
  if (answer.backends.every((b) => b.notFound !== null)) return {status: 500, why: `the Service is not loaded and no endpoint provider serves it (ResolvedRefs: BackendNotFound): kingress answers 500`}
  return {status: 503, why: 'the chosen Service has no ready endpoint: kingress answers 503'}
}
