import {randomUUID} from 'node:crypto'
import type {IncomingMessage} from 'node:http'
import {connect, type Socket} from 'node:net'
import {connect as connectTls} from 'node:tls'
import type {Duplex} from 'node:stream'

import {checkExternalAuth, type ExternalAuthResult} from '../annotations/auth.js'
import {gate} from '../annotations/gate.js'
import {rewrittenTarget} from '../annotations/rewrite.js'
import {hasServerAnswer, serverAnswer} from '../annotations/server-answer.js'
import type {EarlyResponse} from '../annotations/request-view.js'
import type {ResolvedBackend, ResolvedEndpoint} from '../backends/resolver.js'
import type {RuntimeState} from '../runtime/state.js'
import {servingRule, type MatchResult} from '../routing/table.js'
import type {ErrorPage} from './error-page.js'
import {classify, MAX_TRIES} from './failure.js'
import type {HandlerCore} from './handler-core.js'
import {acceptableRequestId, clientAddress, upstreamRequestHeaders} from './headers.js'
import {badRequestPage, invalidPathPage, noEndpointsPage, notFoundPage, upstreamFailurePage} from './pages.js'
import {sendPageOnSocket} from './respond.js'
import {requestTarget} from './target.js'
import {sendEarlyOnSocket} from './annotated/early.js'
import {adjustUpstreamHeaders, chooseUpstream, gateContextFor, RequestPlan} from './annotated/plan.js'
import {requestViewOf} from './annotated/request-view.js'

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/

/**
 * A WebSocket (or any Upgrade) exchange: the request head is written to the endpoint over a fresh
 * TCP connection, and once the endpoint answers both sockets are piped raw, with no idle timeout.
 */
export class Tunnel {
  private readonly start = performance.now()
  private readonly time = Date.now()
  private requestId = ''
  private match: MatchResult | null = null
  private backend: ResolvedBackend | null = null
  private member: ResolvedEndpoint | null = null
  private tried: ResolvedEndpoint[] = []
  private upstream: Socket | null = null
  private head = ''
  private established = false
  private headers: string[] = []
  /** Non-null when the route has annotation work (access lists, auth, rewrite, upstream-vhost, canary...). */
  private plan: RequestPlan | null = null

  constructor(
    private readonly core: HandlerCore,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly early: Buffer,
    private readonly state: RuntimeState,
  ) {}

  run(): void {
    const {req, socket} = this
    socket.on('error', () => socket.destroy())
    this.requestId = acceptableRequestId(req.headers['x-request-id']) ?? randomUUID()
    const host = req.headers.host
    const target = requestTarget(req.url ?? '/', host)
    if (target === null) return this.fail(badRequestPage(400, 'Bad request', 'Unroutable request target.', {host: host ?? '', path: req.url ?? '', requestId: this.requestId}))
    const pageRequest = {host: target.host ?? '', path: target.path, requestId: this.requestId}
    const match = this.state.table.match(target.host, target.path)
    this.match = match
    if (match.pathMatch === 'invalid-path') return this.fail(invalidPathPage(match, pageRequest))
    if (hasServerAnswer(match)) return this.refuse(serverAnswer(match, this.viewOf(target.path), {tls: false, httpsPort: this.core.ctx.httpsPort, httpPort: this.core.listener.port})!)
    const rule = servingRule(match)
    if (match.backend === null || rule === null) return this.fail(notFoundPage(this.state.table, match, pageRequest))
    const backend = this.state.backends.forMatch(match)
    if (backend === undefined) return this.fail(badRequestPage(503, 'No endpoints', 'The backend is not resolved.', pageRequest))
    this.backend = backend
    this.headers = upstreamRequestHeaders(req.rawHeaders, target.host, undefined, {
      clientIp: clientAddress(req.socket.remoteAddress),
      scheme: this.core.listener.scheme,
      port: this.core.listener.port,
      requestId: this.requestId,
    }).list
    if (!rule.active) {
      const member = backend.balancer.pick(null)
      if (member === null) return this.fail(noEndpointsPage(match, backend, pageRequest))
      this.member = member
      return this.open(null)
    }
    const policy = rule.policy
    const plan = new RequestPlan(policy, this.viewOf(target.path), this.core.ctx)
    this.plan = plan
    const verdict = gate(policy, plan.view, gateContextFor(this.core.ctx, this.state, match, this.core.listener.port))
    if (verdict.early !== null) return this.refuse(verdict.early)
    if (verdict.release !== null) socket.once('close', verdict.release)
    if (policy.externalAuth === null) return this.forwardAnnotated(null)
    checkExternalAuth(policy.externalAuth, plan.view).then(
      (result) => this.authorized(result),
      () => this.refuse({status: 500, headers: {'content-length': '0'}, body: '', reason: 'auth-url failed'}),
    )
  }

  private authorized(result: ExternalAuthResult): void {
    if (this.socket.destroyed) return
    if (result.denied !== null) return this.refuse(result.denied)
    this.forwardAnnotated(result.upstreamHeaders)
  }

  private forwardAnnotated(authHeaders: Readonly<Record<string, string>> | null): void {
    const plan = this.plan!
    const match = this.match!
    const {backend, member} = chooseUpstream(this.state, match, plan, this.backend!)
    this.backend = backend
    if (member === null) return this.fail(noEndpointsPage(match, backend, {host: match.host, path: match.path, requestId: this.requestId}))
    this.member = member
    adjustUpstreamHeaders(this.headers, plan.policy, authHeaders)
    this.open(rewrittenTarget(match, plan.policy, plan.view.query))
  }

  private viewOf(path: string) {
    const req = this.req
    return requestViewOf(req, this.match!.host, path, req.url ?? '/', this.core.listener.scheme, clientAddress(req.socket.remoteAddress))
  }

  /** Writes the upstream request head (with the rewritten target, if any) and dials. */
  private open(target: string | null): void {
    const {req, socket} = this
    const headers = this.headers
    headers.push('connection', 'upgrade', 'upgrade', String(req.headers.upgrade ?? 'websocket'))
    let head = `${req.method ?? 'GET'} ${target ?? req.url ?? '/'} HTTP/1.1\r\n`
    for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
    this.head = head + '\r\n'
    this.core.tunnels.add(socket)
    socket.once('close', () => {
      this.core.tunnels.delete(socket)
      this.upstream?.destroy()
    })
    this.dial()
  }

  private refuse(early: EarlyResponse): void {
    sendEarlyOnSocket(this.socket, early, this.requestId)
    this.log(early.status, early.reason)
  }

  private dial(): void {
    const member = this.member!
    const plan = this.plan
    // backend-protocol HTTPS: TLS to the endpoint, its certificate not verified (ingress-nginx's proxy-ssl-verify: off).
    const tls = plan !== null && (plan.protocol === 'HTTPS' || plan.protocol === 'GRPCS')
    const options = {host: member.endpoint.host, port: member.endpoint.port, timeout: plan?.connectMs ?? this.core.ctx.timeouts.connectMs}
    const upstream: Socket = tls ? connectTls({...options, rejectUnauthorized: false}) : connect(options)
    this.upstream = upstream
    upstream.setNoDelay(true)
    upstream.once('timeout', () => upstream.destroy(Object.assign(new Error('connect timeout'), {code: 'UND_ERR_CONNECT_TIMEOUT'})))
    upstream.once(tls ? 'secureConnect' : 'connect', () => {
      upstream.setTimeout(0)
      upstream.setKeepAlive(true, 30_000)
      upstream.write(this.head, 'latin1')
      if (this.early.length > 0) upstream.write(this.early)
      this.socket.pipe(upstream)
      upstream.once('data', (chunk: Buffer) => this.answered(upstream, chunk))
    })
    upstream.on('error', (error) => this.upstreamError(upstream, error))
    upstream.once('close', () => {
      if (this.established) this.socket.destroy()
      else if (this.upstream === upstream && this.socket.writable) this.upstreamError(upstream, Object.assign(new Error('the endpoint closed the connection before answering'), {code: 'ECONNRESET'}))
    })
  }

  private answered(upstream: Socket, chunk: Buffer): void {
    this.established = true
    const status = Number(STATUS_LINE.exec(chunk.toString('latin1', 0, Math.min(chunk.length, 64)))?.[1] ?? 0)
    const health = this.member!.health
    if (health.failures !== 0 && health.recordSuccess()) this.core.endpointEvent('recovered', this.backend!, this.member!, null)
    const socket = this.socket
    if ('setNoDelay' in socket) (socket as Socket).setNoDelay(true)
    if ('setTimeout' in socket) (socket as Socket).setTimeout(0)
    socket.write(chunk)
    upstream.pipe(socket)
    this.log(status, null)
  }

  private upstreamError(upstream: Socket, error: Error): void {
    if (this.upstream !== upstream) return
    if (this.established) {
      this.socket.destroy()
      return
    }
    this.socket.unpipe(upstream)
    upstream.destroy()
    this.upstream = null
    const c = classify(error)
    const member = this.member!
    if (c.beforeConnect && member.health.recordFailure(Date.now(), c.detail)) this.core.endpointEvent('ejected', this.backend!, member, c.detail)
    this.tried.push(member)
    if (c.beforeConnect && this.tried.length < MAX_TRIES) {
      const next = this.backend!.balancer.pick(this.tried)
      if (next !== null) {
        this.member = next
        this.dial()
        return
      }
    }
    const match = this.match!
    this.fail(upstreamFailurePage(c.failure, c.detail, match, this.backend!, this.tried.map((m) => m.address), {host: match.host, path: match.path, requestId: this.requestId}))
  }

  private fail(page: ErrorPage): void {
    sendPageOnSocket(this.socket, this.req.headers.accept, page)
    this.log(page.status, page.code)
  }

  private log(status: number, error: string | null): void {
    const bus = this.core.ctx.bus
    if (!bus.has('request')) return
    bus.emit('request', {
      time: this.time,
      requestId: this.requestId,
      method: this.req.method ?? 'GET',
      host: this.req.headers.host ?? '',
      path: this.req.url ?? '',
      scheme: this.core.listener.scheme,
      status,
      bytes: 0,
      durationMs: performance.now() - this.start,
      upstream: this.member?.address ?? null,
      routeId: this.match?.route?.id ?? null,
      service: this.backend?.label ?? null,
      error,
      upgrade: true,
    })
  }
}
