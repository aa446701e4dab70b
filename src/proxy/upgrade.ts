import type {ClientRequest as UpstreamRequest, IncomingMessage, ServerResponse} from 'node:http'
import {request as httpsRequest} from 'node:https'
import type {Socket} from 'node:net'
import type {Duplex} from 'node:stream'

import {checkExternalAuth, type ExternalAuthResult} from '../annotations/auth.js'
import {gate} from '../annotations/gate.js'
import {hasServerAnswer, serverAnswer} from '../annotations/server-answer.js'
import type {EarlyResponse} from '../annotations/request-view.js'
import type {ResolvedBackend, ResolvedEndpoint} from '../backends/resolver.js'
import type {RuntimeState} from '../runtime/state.js'
import {servingRule, type MatchResult} from '../routing/table.js'
import type {ErrorPage} from './error-page.js'
import {classify, isRefusedFieldValue, MAX_TRIES} from './failure.js'
import type {HandlerCore} from './handler-core.js'
import {acceptableRequestId, assertSendable, clientAddress, clientResponseHeaders, upstreamRequestHeaders} from './headers.js'
import {badRequestPage, invalidPathPage, noEndpointsPage, notFoundPage, upstreamFailurePage} from './pages.js'
import {request as httpRequest, ServerResponseClass, STATUS_CODES} from './node-http.js'
import {sendPageOnSocket} from './respond.js'
import {screenRequest} from './screen.js'
import {requestTarget, type RequestTarget} from './target.js'
import {Exchange} from './forward.js'
import {sendEarlyOnSocket} from './annotated/early.js'
import type {GatewayAnswer, HeaderEdit} from '../gateway/evaluate.js'
import {describeGatewayRule, frontEndOf, gatewayAction, gatewayPage} from './gateway-answer.js'
import {applyHeaderEdits} from './header-edits.js'
import {onLaptop} from './gateway-redirect.js'
import {INGRESS_SIDE, listenerRemovedPage, misdirectedPage, routedPort, sideOfListener} from './gateway-scope.js'
import {chooseUpstream, forwardStepsRun, gateContextFor, RequestPlan} from './annotated/plan.js'
import {requestViewOf} from './annotated/request-view.js'
import {newRequestId} from './request-id.js'

/** The tokens of an Upgrade header, lower-cased (`websocket`, `h2c`, ...). */
export function upgradeTokens(value: string | undefined): string[] {
  return (value ?? '').split(',').map((t) => t.trim().toLowerCase().split('/')[0]!)
}

/** RFC 6455 §4.1: a WebSocket opening handshake is a GET asking for `websocket`. */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  return req.method === 'GET' && upgradeTokens(req.headers.upgrade).includes('websocket')
}

/**
 * An Upgrade request. A WebSocket handshake (GET, `Upgrade: websocket`) goes to the endpoint over a
 * fresh connection, and only when the endpoint answers 101 with `Upgrade: websocket` are both
 * sockets piped raw, with no idle timeout. Until then nothing the client sends after the head is
 * read: any other answer (426, 400, 200...) is relayed as a normal response and the connection
 * closes, so no later request on it can bypass routing (RFC 9110 §7.8). Other upgrades (`h2c`, ...)
 * are never tunnelled: they are served as plain requests without the Upgrade (the h2c smuggling
 * class of bugs), on a connection that closes after the answer.
 */
export class Tunnel {
  private readonly start = performance.now()
  private readonly time = Date.now()
  private requestId = ''
  private match: MatchResult | null = null
  private backend: ResolvedBackend | null = null
  private member: ResolvedEndpoint | null = null
  private tried: ResolvedEndpoint[] = []
  private upstream: UpstreamRequest | null = null
  private upstreamSocket: Socket | null = null
  private forwardPath = '/'
  /** `gateway ns/name` when an HTTPRoute claimed the upgrade (see RequestEvent.side). */
  private side: string | null = null
  private established = false
  /** A non-101 answer is being relayed: a later upstream error can only cut the connection. */
  private answered = false
  private headers: string[] = []
  /** The HTTPRoute rule's timeouts.request, running until the endpoint switches protocols. */
  private requestTimer: NodeJS.Timeout | null = null
  /** Non-null when the route has annotation work (access lists, auth, rewrite, upstream-vhost, canary...). */
  private plan: RequestPlan | null = null
  /** Non-null when an HTTPRoute answers the handshake. */
  private gateway: {readonly rule: string; readonly routeId: number | null; readonly host: string; readonly path: string; responseHeaders: readonly HeaderEdit[] | null; readonly headersMs: number | null} | null = null

  constructor(
    private readonly core: HandlerCore,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly early: Buffer,
    private readonly state: RuntimeState,
  ) {}

  run(): void {
    const {req, socket} = this
    // Nothing the client sends after the head is read until the endpoint has switched protocols.
    socket.pause()
    socket.on('error', () => socket.destroy())
    this.requestId = acceptableRequestId(req.headers['x-request-id']) ?? newRequestId()
    const host = req.headers.host
    const refusal = screenRequest(req)
    if (refusal !== null) return this.fail(badRequestPage(refusal.status, refusal.title, refusal.message, {host: host ?? '', path: (req.url ?? '').slice(0, 200), requestId: this.requestId}))
    if (!isWebSocketRequest(req)) return this.plain()
    const target = requestTarget(req.url ?? '/', host)
    if (target === null) return this.fail(badRequestPage(400, 'Bad request', 'Unroutable request target.', {host: host ?? '', path: req.url ?? '', requestId: this.requestId}))
    this.forwardPath = target.forward
    const pageRequest = {host: target.host ?? '', path: target.path, requestId: this.requestId}
    const scope = this.core.listener.gateway
    if (this.state.gateways.listeners.length !== 0 || scope?.ingress === false) {
      // As for requests: a handshake whose Host is another listener's than the TLS SNI chose gets 421.
      if (this.core.listener.scheme === 'https') {
        const wrong = misdirectedPage(this.state, scope, req, target.host ?? '', pageRequest)
        if (wrong !== null) {
          this.side = wrong.side
          return this.fail(wrong.page)
        }
      }
      const front = frontEndOf(this.state, this.core.listener, req.method ?? 'GET', target, req.headers)
      if (front.kind === 'none') return this.fail(listenerRemovedPage(scope!, pageRequest))
      if (front.kind === 'gateway') {
        this.side = scope?.sideOf(front.answer.listener) ?? sideOfListener(front.answer.listener)
        return this.viaGateway(front.answer, target)
      }
    }
    const match = this.state.table.match(target.host, target.path)
    this.match = match
    if (match.pathMatch === 'invalid-path') return this.fail(invalidPathPage(match, pageRequest))
    if (hasServerAnswer(match)) return this.refuse(serverAnswer(match, this.viewOf(target.path), {tls: false, httpsPort: this.core.ctx.httpsPort, httpPort: this.core.listener.port})!)
    const rule = servingRule(match)
    // As for requests: the root location's annotations (ssl-redirect, allow lists) act before its 404.
    if (rule === null || (match.backend === null && !rule.active)) return this.fail(notFoundPage(this.state.table, match, pageRequest))
    const backend = match.backend === null ? null : this.state.backends.forMatch(match)
    if (backend === undefined) return this.fail(badRequestPage(503, 'No endpoints', 'The backend is not resolved.', pageRequest))
    this.backend = backend
    this.headers = upstreamRequestHeaders(
      req.rawHeaders,
      target.host,
      req.headers.connection,
      {
        clientIp: clientAddress(req.socket.remoteAddress),
        scheme: this.core.listener.scheme,
        port: this.core.listener.port,
        requestId: this.requestId,
      },
      target.absolute,
    ).list
    if (!rule.active) {
      // Not active with no backend returned 404 above.
      const member = backend!.balancer.pick(null)
      if (member === null) return this.fail(noEndpointsPage(match, backend!, pageRequest))
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
    checkExternalAuth(policy.externalAuth, plan.view, this.requestId).then(
      (result) => this.authorized(result),
      () => this.refuse({status: 500, headers: {'content-length': '0'}, body: '', reason: 'auth-url failed'}),
    )
  }

  /**
   * An HTTPRoute answers the host: the handshake goes to the rule's chosen backend with the rule's
   * (and backendRef's) URLRewrite and header filters, as a request would. RequestMirror filters
   * are not applied to handshakes (a tunnel cannot be copied); timeouts.backendRequest bounds each
   * attempt's wait for the 101 and timeouts.request the whole handshake, never the open tunnel.
   */
  private viaGateway(answer: GatewayAnswer, target: RequestTarget): void {
    const req = this.req
    const rule = describeGatewayRule(answer)
    this.gateway = {rule, routeId: answer.routeId, host: target.host ?? '', path: target.path, responseHeaders: null, headersMs: answer.timeoutMs}
    const pageRequest = {host: target.host ?? '', path: target.path, requestId: this.requestId}
    const scope = this.core.listener.gateway
    const action = gatewayAction(answer, this.state.backends, Math.random(), req.method ?? 'GET', req.headers, scope?.ingress === false ? scope.side : null)
    switch (action.kind) {
      case 'redirect':
        return this.refuse(onLaptop(action.early, answer.listener, this.state.gateways, this.core.ctx))
      case 'page':
        return this.fail(gatewayPage(action, rule, pageRequest))
      case 'no-endpoints':
        this.backend = action.backend
        return this.fail(noEndpointsPage(rule, action.backend, pageRequest))
      case 'forward':
        break
    }
    const forward = action.forward
    this.backend = action.backend
    this.gateway.responseHeaders = forward.responseHeaders
    this.headers = upstreamRequestHeaders(
      req.rawHeaders,
      forward.host ?? target.host,
      req.headers.connection,
      {clientIp: clientAddress(req.socket.remoteAddress), scheme: this.core.listener.scheme, port: this.core.listener.port, requestId: this.requestId},
      forward.host !== null || target.absolute,
    ).list
    if (forward.requestHeaders.length !== 0) applyHeaderEdits(this.headers, forward.requestHeaders)
    const member = action.backend.balancer.pick(null)
    if (member === null) return this.fail(noEndpointsPage(rule, action.backend, pageRequest))
    this.member = member
    const requestMs = answer.requestMs
    if (requestMs !== null && requestMs > 0) this.requestTimer = setTimeout(() => this.requestTimedOut(requestMs), requestMs)
    this.open(forward.target)
  }

  /**
   * timeouts.request passed before the endpoint switched protocols: 504, as for a request; a
   * non-101 answer still being relayed is cut. Nobody waits for the endpoint any more, so the
   * attempt under way is dropped (its error is then ignored, see upstreamError).
   */
  private requestTimedOut(ms: number): void {
    this.requestTimer = null
    if (this.established || this.socket.destroyed) return
    const upstream = this.upstream
    this.upstream = null
    upstream?.destroy()
    if (this.answered) {
      this.socket.destroy()
      return
    }
    const {by, request} = this.decider()
    const tried = [...new Set([...this.tried, this.member!].map((m) => m.address))]
    const page = upstreamFailurePage('timeout', `the endpoint did not switch protocols within ${ms} ms, the rule's timeouts.request`, by, this.backend!, tried, request)
    sendPageOnSocket(this.socket, this.req.headers.accept, page)
    this.socket.resume()
    this.log(page.status, `the rule's timeouts.request (${ms} ms) passed before the endpoint switched protocols`)
  }

  private clearRequestTimer(): void {
    if (this.requestTimer !== null) clearTimeout(this.requestTimer)
    this.requestTimer = null
  }

  /** What failure pages name: the Ingress match, or the HTTPRoute rule. */
  private decider(): {readonly by: MatchResult | string; readonly request: {host: string; path: string; requestId: string}} {
    const gw = this.gateway
    if (gw !== null) return {by: gw.rule, request: {host: gw.host, path: gw.path, requestId: this.requestId}}
    const match = this.match!
    return {by: match, request: {host: match.host, path: match.path, requestId: this.requestId}}
  }

  private authorized(result: ExternalAuthResult): void {
    if (this.socket.destroyed) return
    if (result.denied !== null) return this.refuse(result.denied)
    this.forwardAnnotated(result.upstreamHeaders)
  }

  private forwardAnnotated(authHeaders: Readonly<Record<string, string>> | null): void {
    const plan = this.plan!
    const match = this.match!
    if (this.backend === null) return this.fail(notFoundPage(this.state.table, match, {host: match.host, path: match.path, requestId: this.requestId}))
    const {backend, member} = chooseUpstream(this.state, match, plan, this.backend)
    this.backend = backend
    if (member === null) return this.fail(noEndpointsPage(match, backend, {host: match.host, path: match.path, requestId: this.requestId}))
    this.member = member
    const steps = forwardStepsRun(plan, match, authHeaders, null)
    if (steps.requestHeaders.length !== 0) applyHeaderEdits(this.headers, steps.requestHeaders)
    this.open(steps.target)
  }

  private viewOf(path: string) {
    const req = this.req
    return requestViewOf(req, this.match!.host, path, req.url ?? '/', this.core.listener.scheme, clientAddress(req.socket.remoteAddress))
  }

  /**
   * Not a WebSocket handshake: served as an ordinary request (the Upgrade and Connection headers are
   * hop-by-hop and dropped) on this connection, which closes after the answer. A body cannot be
   * relayed here (Node stops parsing at an Upgrade head), so such requests are refused.
   */
  private plain(): void {
    const {req, socket} = this
    const headers = req.headers
    if (headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')) {
      return this.fail(badRequestPage(400, 'Bad request', `kingress does not relay an "Upgrade: ${String(headers.upgrade).slice(0, 40)}" request with a body: only WebSocket upgrades (GET) are tunnelled.`, {host: headers.host ?? '', path: (req.url ?? '').slice(0, 200), requestId: this.requestId}))
    }
    const res = new ServerResponseClass(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => socket.end())
    socket.resume()
    this.core.inflight++
    new Exchange(this.core, req, res, this.state).run()
  }

  /** Builds the upstream handshake (with the rewritten target, if any) and dials. */
  private open(target: string | null): void {
    const {req, socket} = this
    this.headers.push('connection', 'upgrade', 'upgrade', String(req.headers.upgrade ?? 'websocket'))
    if (target !== null) this.forwardPath = target
    this.core.tunnels.add(socket)
    socket.once('close', () => {
      this.clearRequestTimer()
      this.core.tunnels.delete(socket)
      this.upstream?.destroy()
      this.upstreamSocket?.destroy()
    })
    this.dial()
  }

  private refuse(early: EarlyResponse): void {
    this.clearRequestTimer()
    sendEarlyOnSocket(this.socket, early, this.requestId)
    this.socket.resume()
    this.log(early.status, early.reason)
  }

  private dial(): void {
    const member = this.member!
    const plan = this.plan
    // backend-protocol HTTPS: TLS to the endpoint, its certificate not verified (ingress-nginx's proxy-ssl-verify: off).
    const tls = plan !== null && (plan.protocol === 'HTTPS' || plan.protocol === 'GRPCS')
    const connectMs = plan?.connectMs ?? this.core.ctx.timeouts.connectMs
    const headersMs = plan?.headersMs ?? this.gateway?.headersMs ?? this.core.ctx.timeouts.headersMs
    const options = {host: member.endpoint.host, port: member.endpoint.port, method: 'GET', path: this.forwardPath, headers: this.headers, agent: false as const, setHost: false}
    let upstream: UpstreamRequest
    try {
      upstream = tls ? httpsRequest({...options, rejectUnauthorized: false}) : httpRequest(options)
    } catch (error) {
      // node:http checks the head as it builds it: a value the route set with a control character.
      if (!isRefusedFieldValue(error)) throw error
      const {by, request} = this.decider()
      return this.fail(upstreamFailurePage('unsendable-header', `invalid request head: ${(error as Error).message}`, by, this.backend!, [member.address], request))
    }
    this.upstream = upstream
    let connected = false
    upstream.once('socket', (sock: Socket) => {
      sock.setNoDelay(true)
      const timer = setTimeout(() => upstream.destroy(Object.assign(new Error('connect timeout'), {code: 'UND_ERR_CONNECT_TIMEOUT'})), connectMs)
      sock.once(tls ? 'secureConnect' : 'connect', () => {
        connected = true
        clearTimeout(timer)
        // proxy-read-timeout for the handshake's answer.
        if (headersMs > 0) upstream.setTimeout(headersMs, () => upstream.destroy(Object.assign(new Error('no response head within the read timeout'), {code: 'UND_ERR_HEADERS_TIMEOUT'})))
      })
      sock.once('close', () => clearTimeout(timer))
    })
    upstream.on('upgrade', (res: IncomingMessage, sock: Socket, head: Buffer) => this.switched(res, sock, head))
    upstream.on('response', (res: IncomingMessage) => this.refused(res))
    upstream.on('error', (error: Error) => this.upstreamError(upstream, error, connected))
    upstream.end()
  }

  /** 101 from the endpoint: the tunnel opens, now and only now. */
  private switched(res: IncomingMessage, upstream: Socket, head: Buffer): void {
    const socket = this.socket
    this.clearRequestTimer()
    this.recovered()
    if (!upgradeTokens(res.headers.upgrade).includes('websocket')) {
      upstream.destroy()
      const {by, request} = this.decider()
      return this.fail(upstreamFailurePage('bad-response', `the endpoint switched to "${String(res.headers.upgrade ?? '')}", not websocket`, by, this.backend!, [this.member!.address], request))
    }
    const raw = [...res.rawHeaders]
    if (!this.editedHead(raw, upstream)) return
    this.established = true
    this.upstreamSocket = upstream
    upstream.setTimeout(0)
    upstream.setKeepAlive(true, 30_000)
    let out = `HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}\r\n`
    for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`
    socket.write(out + '\r\n', 'latin1')
    if (head.length > 0) socket.write(head)
    if (this.early.length > 0) upstream.write(this.early)
    if ('setNoDelay' in socket) (socket as Socket).setNoDelay(true)
    if ('setTimeout' in socket) (socket as Socket).setTimeout(0)
    upstream.on('error', () => socket.destroy())
    upstream.once('close', () => socket.destroy())
    upstream.pipe(socket)
    socket.pipe(upstream)
    socket.resume()
    this.log(101, null)
  }

  /** Any answer but 101: relayed as a normal response, then the connection closes (no tunnel). */
  private refused(res: IncomingMessage): void {
    const socket = this.socket
    this.answered = true
    this.recovered()
    const status = res.statusCode ?? 502
    const headers = clientResponseHeaders(res.rawHeaders)
    if (!this.editedHead(headers, res)) return
    let out = `HTTP/1.1 ${status} ${res.statusMessage || STATUS_CODES[status] || ''}\r\n`
    for (let i = 0; i < headers.length; i += 2) out += `${headers[i]}: ${headers[i + 1]}\r\n`
    socket.write(out + 'connection: close\r\n\r\n', 'latin1')
    const bodyless = status === 204 || status === 304
    if (bodyless) res.resume()
    else res.pipe(socket, {end: false})
    res.once('end', () => {
      this.clearRequestTimer()
      socket.end()
      // Whatever the client sent after its head is read and dropped, never forwarded.
      socket.resume()
      this.upstream?.destroy()
    })
    res.once('error', () => socket.destroy())
    this.log(status, status === 101 ? null : 'the endpoint did not switch protocols: answer relayed, connection closed')
  }

  private recovered(): void {
    const health = this.member!.health
    if (health.failures !== 0 && health.recordSuccess()) this.core.endpointEvent('recovered', this.backend!, this.member!, null)
  }

  private upstreamError(upstream: UpstreamRequest, error: Error, connected: boolean): void {
    if (this.upstream !== upstream) return
    if (this.established || this.answered || this.socket.destroyed) {
      this.socket.destroy()
      return
    }
    upstream.destroy()
    this.upstream = null
    const c = connected && classify(error).beforeConnect ? {...classify(error), beforeConnect: false} : classify(error)
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
    const {by, request} = this.decider()
    this.fail(upstreamFailurePage(c.failure, c.detail, by, this.backend!, this.tried.map((m) => m.address), request))
  }

  /**
   * The rule's response edits on a head this module writes on the socket itself. One Node would
   * refuse after them (a control character, CR LF included, in a value the rule sets) is the 502
   * page instead, never written raw: false then, and the endpoint's answer is dropped.
   */
  private editedHead(head: string[], answer: {destroy(): void}): boolean {
    const edits = this.gateway?.responseHeaders
    if (edits == null) return true
    applyHeaderEdits(head, edits)
    try {
      assertSendable(head)
      return true
    } catch (error) {
      this.upstream = null
      answer.destroy()
      const {by, request} = this.decider()
      this.fail(upstreamFailurePage('unsendable-header', `invalid response head: ${(error as Error).message}`, by, this.backend!, [this.member!.address], request))
      return false
    }
  }

  private fail(page: ErrorPage): void {
    this.clearRequestTimer()
    sendPageOnSocket(this.socket, this.req.headers.accept, page)
    this.socket.resume()
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
      port: routedPort(this.core.listener),
      status,
      bytes: 0,
      durationMs: performance.now() - this.start,
      upstream: this.member?.address ?? null,
      routeId: this.gateway === null ? (this.match?.route?.id ?? null) : this.gateway.routeId,
      service: this.backend?.label ?? null,
      error,
      upgrade: true,
      side: this.side ?? this.core.listener.gateway?.side ?? INGRESS_SIDE,
      httpRoute: this.gateway === null ? undefined : this.gateway.rule,
    })
  }
}
