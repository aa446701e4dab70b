import type {ServerResponse} from 'node:http'
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2'
import {PassThrough} from 'node:stream'

import {checkExternalAuth, type ExternalAuthResult} from '../annotations/auth.js'
import {gate} from '../annotations/gate.js'
import type {EarlyResponse} from '../annotations/request-view.js'
import type {ResolvedBackend, ResolvedEndpoint} from '../backends/resolver.js'
import type {RuntimeState} from '../runtime/state.js'
import {hasServerAnswer, serverAnswer} from '../annotations/server-answer.js'
import {servingRule, type MatchResult} from '../routing/table.js'
import type {ErrorPage} from './error-page.js'
import {classify, errorCode, isRefusedFieldValue, MAX_TRIES, UNSENDABLE_EDIT} from './failure.js'
import type {HandlerCore} from './handler-core.js'
import {acceptableRequestId, assertSendable, clientAddress, clientResponseHeaders, MAX_HEADER_LINE, removeHeaders, upstreamRequestHeaders} from './headers.js'
import {badRequestPage, invalidPathPage, noEndpointsPage, notFoundPage, upstreamFailurePage, type PageRequest} from './pages.js'
import {sendPage, type ClientRequest, type ClientResponse} from './respond.js'
import {requestDetail} from './request-detail.js'
import {arrivesOnClosing, markClosing} from './closing.js'
import {isHttp2, screenRequest} from './screen.js'
import {requestTarget, type RequestTarget} from './target.js'
import {newRequestId} from './request-id.js'
import type {GatewayMirror, HeaderEdit} from '../gateway/evaluate.js'
import {describeGatewayRule, frontEndOf, gatewayAction, gatewayPage} from './gateway-answer.js'
import {applyHeaderEdits} from './header-edits.js'
import {lengthIsKnown, respondWithKnownLength} from './h2-head.js'
import {onLaptop} from './gateway-redirect.js'
import {chosenMirrors, MirrorSet} from './gateway-mirror.js'
import {INGRESS_SIDE, listenerRemovedPage, misdirectedPage, routedPort, sideOfListener} from './gateway-scope.js'
import {BodyGapTimer, firstChunk} from './request-body.js'
import type {UpstreamHandler} from './upstream/handler.js'
import {kMalformedBody} from './client-error.js'
import {BodyMeter, type MeterOwner} from './annotated/body-meter.js'
import {sendEarly} from './annotated/early.js'
import {ewmaEnd, ewmaStart} from './annotated/ewma.js'
import {chooseUpstream, corsForOwnAnswer, forwardStepsRun, gateContextFor, RequestPlan} from './annotated/plan.js'
import {requestViewOf} from './annotated/request-view.js'

const NO_CONTENT_DROP: ReadonlySet<string> = new Set(['content-length'])
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])
/** A 204, 304 or HEAD answer whose upstream declared or sent a body: kingress's client, undici's. */
const BODYLESS_WITH_BODY = new Set(['KINGRESS_UPSTREAM_BODYLESS_WITH_BODY', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH'])

const kExchange = Symbol('kingress.exchange')
type Carrier = ClientResponse & {[kExchange]?: Exchange; [kMalformedBody]?: string}

/** Client aborted: undici is told through this error so the exchange is not mistaken for an upstream failure. */
class ClientGoneError extends Error {
  readonly code = 'KINGRESS_CLIENT_GONE'
}

/** proxy-body-size passed while the body streamed (chunked, or more bytes than declared). */
class BodyTooLargeError extends Error {
  readonly code = 'KINGRESS_BODY_TOO_LARGE'
  constructor(readonly limit: number) {
    super(`the request body is larger than proxy-body-size (${limit} bytes)`)
  }
}

/**
 * One proxied request, from routing to the last byte. It is its own upstream handler (undici's
 * dispatch handler protocol, which kingress's HTTP/1.1 client speaks too): response head, body chunks with
 * back-pressure both ways, and errors that pick the next endpoint when that is safe.
 */
export class Exchange implements UpstreamHandler, MeterOwner {
  readonly start = performance.now()
  readonly time = Date.now()
  requestId = ''
  match: MatchResult | null = null
  backend: ResolvedBackend | null = null
  member: ResolvedEndpoint | null = null
  private tried: ResolvedEndpoint[] | null = null
  /** The target as it goes upstream: origin-form, without a fragment. */
  private forwardPath = '/'
  /** A chunked body's first chunk has been parsed (or the body ended): a malformed one is refused before anything is forwarded. */
  private peeked = false
  private bodyClock: BodyGapTimer | null = null
  private headers: string[] = []
  private hasBody = false
  private body: PassThrough | BodyMeter | null = null
  /** Non-null on the annotated path only (a route with annotation work). */
  private plan: RequestPlan | null = null
  /** Non-null when an HTTPRoute on a Gateway listener answers this request. */
  private gw: GatewayServed | null = null
  /** The route steps' edits of the response head (HTTPRoute filters, CORS and affinity annotations); null: none. */
  private responseEdits: readonly HeaderEdit[] | null = null
  private piped = false
  private abortUpstream: ((error?: Error) => void) | null = null
  private resumeUpstream: (() => void) | null = null
  private drainHooked = false
  private responded = false
  finished = false
  private clientGone = false
  private status = 0
  private bytes = 0
  // Only written while ctx.captureDetail is on (the dashboard's detail view).
  private sentAt = 0
  private firstByteAt = 0
  private sentHeaders: string[] | null = null

  constructor(
    readonly core: HandlerCore,
    readonly req: ClientRequest,
    readonly res: ClientResponse,
    private readonly state: RuntimeState,
  ) {
    ;(res as Carrier)[kExchange] = this
    // `on`, not `once`: once wraps the listener in a closure per request; onResponseClose runs it once.
    res.on('close', onResponseClose)
  }

  /**
   * Routes the request and starts the first attempt, or answers with a page. An exception in here
   * ends this exchange (500, or the connection closed) and is logged with the request id; it never
   * reaches the process.
   */
  run(): void {
    try {
      this.route()
    } catch (error) {
      this.crashed(error)
    }
  }

  private route(): void {
    const req = this.req
    if (arrivesOnClosing(req, this.res)) {
      // Pipelined behind an answer that closes the connection: never forwarded, never answered.
      this.finished = true
      return
    }
    const headers = req.headers
    this.requestId = acceptableRequestId(headers['x-request-id']) ?? newRequestId()
    const url = req.url ?? '/'
    const h2 = isHttp2(req)
    // HTTP/2 routes on :authority (RFC 9113 §8.3.1).
    const host = (h2 ? (headers[':authority'] ?? headers.host) : headers.host) as string | undefined
    const refusal = screenRequest(req)
    if (refusal !== null) return this.page(badRequestPage(refusal.status, refusal.title, refusal.message, this.pageRequest(host, url.slice(0, 200))), true)
    if (url.length > MAX_HEADER_LINE) return this.page(badRequestPage(414, 'URI too long', `The request line is longer than ${MAX_HEADER_LINE} bytes.`, this.pageRequest(host, url.slice(0, 200))), true)
    const target = requestTarget(url, host)
    if (target === null) return this.page(badRequestPage(400, 'Bad request', `"${url.slice(0, 200)}" is not a request target kingress can route.`, this.pageRequest(host, url.slice(0, 200))), true)
    this.forwardPath = target.forward
    if ((this.state.gateways.listeners.length !== 0 || this.core.listener.gateway?.ingress === false) && this.routeGateway(target, h2)) return
    const match = this.state.table.match(target.host, target.path)
    this.match = match
    if (match.pathMatch === 'invalid-path') return this.page(invalidPathPage(match, this.pageRequest(target.host, url)), true)
    if (hasServerAnswer(match)) return this.answerEarly(serverAnswer(match, this.viewOf(target.path), this.redirectContext())!)
    const rule = servingRule(match)
    if (match.backend === null && rule?.active !== true) return this.page(notFoundPage(this.state.table, match, this.pageRequest(target.host, target.path)), this.hasRequestBody())
    if (req.method === 'CONNECT') return this.page(badRequestPage(405, 'Method not allowed', 'kingress is a reverse proxy: CONNECT tunnels are not served.', this.pageRequest(target.host, url)), true)
    const backend = match.backend === null ? null : this.state.backends.forMatch(match)
    if (backend === undefined) return this.page(badRequestPage(503, 'No endpoints', 'The backend of this rule is not resolved yet.', this.pageRequest(target.host, target.path)), this.hasRequestBody())
    this.backend = backend
    const up = upstreamRequestHeaders(
      req.rawHeaders,
      target.host,
      headers.connection,
      {
        clientIp: clientAddress(req.socket?.remoteAddress),
        scheme: this.core.listener.scheme,
        port: this.core.listener.port,
        requestId: this.requestId,
      },
      target.absolute || h2,
    )
    if (up.oversized !== null) return this.page(badRequestPage(431, 'Request header fields too large', `The header ${up.oversized} is longer than ${MAX_HEADER_LINE} bytes.`, this.pageRequest(target.host, target.path)), true)
    this.headers = up.list
    this.hasBody = this.hasRequestBody()
    if (rule!.active || this.core.ctx.profile.defaultBodySizeLimit !== null || backend === null) return this.runAnnotated(target.path)
    const member = backend.balancer.pick(null)
    if (member === null) return this.page(noEndpointsPage(match, backend, this.pageRequest(target.host, target.path)), this.hasBody)
    this.member = member
    this.send()
  }

  // --- the Gateway path: an HTTPRoute on a listener of this port claims the host ---

  /** True when the Gateway answers (an HTTPRoute attached to the listener is for this host); false: Ingress routing goes on. */
  private routeGateway(target: RequestTarget, h2: boolean): boolean {
    const req = this.req
    const scheme = this.core.listener.scheme
    const host = target.host ?? ''
    const scope = this.core.listener.gateway
    if (scheme === 'https') {
      const wrong = misdirectedPage(this.state, scope, req, host, this.pageRequest(host, target.path))
      if (wrong !== null) {
        this.gw = {rule: wrong.page.rule!, routeId: null, side: wrong.side, route: null, host, path: target.path, headersMs: null, requestMs: null, mirrors: null, requestTimer: null}
        this.page(wrong.page, this.hasRequestBody())
        return true
      }
    }
    const front = frontEndOf(this.state, this.core.listener, req.method ?? 'GET', target, req.headers)
    if (front.kind === 'ingress') return false
    if (front.kind === 'none') {
      this.page(listenerRemovedPage(scope!, this.pageRequest(host, target.path)), this.hasRequestBody())
      return true
    }
    const answer = front.answer
    const rule = describeGatewayRule(answer)
    this.gw = {rule, routeId: answer.routeId, side: scope === undefined ? sideOfListener(answer.listener) : scope.sideOf(answer.listener), route: answer.route, host, path: target.path, headersMs: answer.timeoutMs, requestMs: answer.requestMs, mirrors: null, requestTimer: null}
    if (req.method === 'CONNECT') {
      this.page(badRequestPage(405, 'Method not allowed', 'kingress is a reverse proxy: CONNECT tunnels are not served.', this.pageRequest(host, target.path)), true)
      return true
    }
    const action = gatewayAction(answer, this.state.backends, Math.random(), req.method ?? 'GET', req.headers, scope?.ingress === false ? scope.side : null)
    switch (action.kind) {
      case 'redirect':
        this.answerEarly(onLaptop(action.early, answer.listener, this.state.gateways, this.core.ctx))
        return true
      case 'page':
        this.page(gatewayPage(action, rule, this.pageRequest(host, target.path)), this.hasRequestBody())
        return true
      case 'no-endpoints':
        this.backend = action.backend
        this.page(noEndpointsPage(rule, action.backend, this.pageRequest(host, target.path)), this.hasRequestBody())
        return true
      case 'forward':
        break
    }
    const backend = action.backend
    const forward = action.forward
    this.backend = backend
    this.responseEdits = forward.responseHeaders
    const up = upstreamRequestHeaders(
      req.rawHeaders,
      forward.host ?? target.host,
      req.headers.connection,
      {clientIp: clientAddress(req.socket?.remoteAddress), scheme, port: this.core.listener.port, requestId: this.requestId},
      forward.host !== null || target.absolute || h2,
    )
    if (up.oversized !== null) {
      this.page(badRequestPage(431, 'Request header fields too large', `The header ${up.oversized} is longer than ${MAX_HEADER_LINE} bytes.`, this.pageRequest(host, target.path)), true)
      return true
    }
    this.hasBody = this.hasRequestBody()
    const mirrors = forward.mirrors.length === 0 ? [] : chosenMirrors(forward.mirrors, Math.random)
    if (mirrors.length !== 0) this.gw.mirrors = this.mirrorSet(mirrors, up.list, forward.host !== null ? (target.host ?? '') : null)
    if (forward.requestHeaders.length !== 0) applyHeaderEdits(up.list, forward.requestHeaders)
    this.headers = up.list
    this.forwardPath = forward.target
    const member = backend.balancer.pick(null)
    if (member === null) {
      this.page(noEndpointsPage(rule, backend, this.pageRequest(host, target.path)), this.hasBody)
      return true
    }
    this.member = member
    if (answer.requestMs !== null && answer.requestMs > 0) this.gw.requestTimer = setTimeout(() => this.guard(() => this.requestTimedOut(answer.requestMs!)), answer.requestMs)
    if (this.gw.mirrors !== null && !this.hasBody) this.gw.mirrors.sendNow()
    this.send()
    return true
  }

  /** The copies of this request for the rule's RequestMirror filters; `clientHost` restores the Host a URLRewrite replaced. */
  private mirrorSet(mirrors: GatewayMirror[], headers: readonly string[], clientHost: string | null): MirrorSet {
    const list = [...headers]
    if (clientHost !== null) for (let i = 0; i < list.length; i += 2) if (list[i]!.toLowerCase() === 'host') list[i + 1] = clientHost
    const bus = this.core.ctx.bus
    return new MirrorSet(mirrors, {method: this.req.method ?? 'GET', headers: list}, this.state.backends, this.core.ctx.pools, (mirror, message) => {
      if (bus.has('error')) bus.emit('error', {where: `request ${this.requestId}`, message: `RequestMirror to ${mirror.namespace}/${mirror.name} of ${this.gw?.rule ?? 'an HTTPRoute'}: ${message} (the client's answer is not affected)`, error: null})
    })
  }

  /** timeouts.request passed: 504 when nothing was answered yet, else the response is cut. */
  private requestTimedOut(ms: number): void {
    if (this.finished) return
    const gw = this.gw!
    if (this.responded) {
      this.finished = true
      this.res.destroy()
      this.log(this.status, `the rule's timeouts.request (${ms} ms) passed mid-response`)
    } else {
      const tried = [...(this.tried ?? []).map((m) => m.address), ...(this.member !== null ? [this.member.address] : [])]
      this.page(upstreamFailurePage('timeout', `no complete answer within ${ms} ms, the rule's timeouts.request`, gw.rule, this.backend!, [...new Set(tried)], this.pageRequest(gw.host, gw.path)), this.hasBody)
    }
    // Nobody waits for the backend any more: a connection that comes up later must not carry the request (onConnect aborts).
    this.clientGone = true
    this.abortUpstream?.(new ClientGoneError('timeouts.request'))
  }

  // --- the annotated path: only for routes whose Ingress asks for something ---

  private viewOf(path: string) {
    return requestViewOf(this.req, this.match!.host, path, this.req.url ?? '/', this.core.listener.scheme, clientAddress(this.req.socket?.remoteAddress))
  }

  private redirectContext() {
    return {tls: false, httpsPort: this.core.ctx.httpsPort, httpPort: this.core.listener.port}
  }

  /** Gate (access lists, redirects, preflight, limits, basic auth, declared size), then external auth, then forward. */
  private runAnnotated(path: string): void {
    const match = this.match!
    const policy = servingRule(match)!.policy
    const plan = new RequestPlan(policy, this.viewOf(path), this.core.ctx)
    this.plan = plan
    const verdict = gate(policy, plan.view, gateContextFor(this.core.ctx, this.state, match, this.core.listener.port))
    if (verdict.early !== null) return this.answerEarly(verdict.early)
    plan.release = verdict.release
    if (policy.externalAuth === null) return this.forwardAnnotated(null)
    checkExternalAuth(policy.externalAuth, plan.view, this.requestId).then(
      (result) => this.authorized(result),
      (error: unknown) => this.authorized({denied: {status: 500, headers: {'content-length': '0'}, body: '', reason: `auth-url failed: ${String(error)}`}, upstreamHeaders: {}}),
    )
  }

  private authorized(result: ExternalAuthResult): void {
    if (this.finished || this.clientGone) return
    if (result.denied !== null) return this.answerEarly(result.denied)
    this.forwardAnnotated(result.upstreamHeaders)
  }

  private forwardAnnotated(authHeaders: Readonly<Record<string, string>> | null): void {
    const plan = this.plan!
    const match = this.match!
    // The root location answered with ingress-nginx's default backend: its annotations ran, now the 404.
    if (this.backend === null) return this.page(notFoundPage(this.state.table, match, this.pageRequest(match.host, match.path)), this.hasBody)
    const picked = chooseUpstream(this.state, match, plan, this.backend!)
    this.backend = picked.backend
    if (picked.member === null) return this.page(noEndpointsPage(match, picked.backend, this.pageRequest(match.host, match.path)), this.hasBody)
    this.member = picked.member
    const steps = forwardStepsRun(plan, match, authHeaders, picked.cookie)
    plan.target = steps.target
    if (steps.requestHeaders.length !== 0) applyHeaderEdits(this.headers, steps.requestHeaders)
    this.responseEdits = steps.responseHeaders.length === 0 ? null : steps.responseHeaders
    this.send()
  }

  private answerEarly(early: EarlyResponse): void {
    this.finished = true
    if (this.hasRequestBody() || this.core.draining) markClosing(this.req)
    this.status = early.status
    this.bytes = sendEarly(this.req, this.res, early, this.requestId, this.hasRequestBody() || this.core.draining, corsForOwnAnswer(this.plan, early.headers))
    this.log(early.status, early.reason)
  }

  /** MeterOwner: the streamed body passed proxy-body-size. */
  bodyTooLarge(limit: number): void {
    if (this.body !== null) this.req.unpipe(this.body)
    this.abortUpstream?.(new BodyTooLargeError(limit))
  }

  /** MeterOwner: proxy-send-timeout. */
  sendTimedOut(ms: number): void {
    this.abortUpstream?.(Object.assign(new Error(`no part of the request body could be sent upstream for ${ms / 1000} s (proxy-send-timeout)`), {code: 'KINGRESS_SEND_TIMEOUT'}))
  }

  private hasRequestBody(): boolean {
    const req = this.req
    if (isHttp2(req)) return !(req as Http2ServerRequest).stream.endAfterHeaders
    const headers = req.headers
    if (headers['transfer-encoding'] !== undefined) return true
    const length = headers['content-length']
    return length !== undefined && length !== '0'
  }

  private send(): void {
    const req = this.req
    if (this.hasBody && this.bodyClock === null) this.startBodyClock()
    if (this.hasBody && !this.peeked && !isHttp2(req) && req.headers['transfer-encoding'] !== undefined) {
      // Wait for the first chunk to parse: a malformed chunk size or extension flood is answered 400
      // by the client-error path before the head has gone upstream (never a half-forwarded request).
      this.peeked = true
      firstChunk(req, (ok) => {
        this.bodyClock?.touch()
        if (ok && !this.finished && !this.clientGone) this.guard(() => this.send())
      })
      return
    }
    const plan = this.plan
    let body: PassThrough | BodyMeter | null = null
    if (this.hasBody) {
      body = plan !== null && (plan.bodyLimit > 0 || plan.sendMs > 0) ? new BodyMeter(this, plan.bodyLimit, plan.sendMs) : new PassThrough()
      // The upstream client destroys the body with the exchange's error; that error is handled in onError.
      body.on('error', ignore)
      this.piped = false
    }
    this.body = body
    const pools = this.core.ctx.pools
    if (this.core.ctx.captureDetail) this.sentAt = performance.now()
    if (plan === null) {
      const timeouts = this.core.ctx.timeouts
      const headersMs = this.gw === null || this.gw.headersMs === null ? timeouts.headersMs : this.gw.headersMs
      pools.get(this.member!.address).dispatch({path: this.forwardPath, method: req.method ?? 'GET', headers: this.headers, body, headersTimeout: headersMs, bodyTimeout: timeouts.bodyMs}, this)
      return
    }
    if (plan.ewma) {
      plan.sentAt = performance.now()
      ewmaStart(this.member!.health)
    }
    pools
      .getFor(this.member!.address, plan.protocol, plan.connectMs)
      .dispatch({path: plan.target ?? this.forwardPath, method: req.method ?? 'GET', headers: this.headers, body, headersTimeout: plan.headersMs, bodyTimeout: plan.bodyMs}, this)
  }

  // --- undici's handler protocol ---

  onConnect(abort: (error?: Error) => void): void {
    this.abortUpstream = abort
    if (this.clientGone) {
      abort(new ClientGoneError('the client closed the connection'))
      return
    }
    if (this.body !== null && !this.piped) {
      this.piped = true
      this.req.pipe(this.body)
      this.bodyClock?.watch(this.req)
      if (this.gw?.mirrors != null) this.gw.mirrors.watch(this.req, declaredLength(this.req))
      if (this.plan !== null && this.body instanceof BodyMeter) this.body.start()
    }
  }

  onHeaders(statusCode: number, rawHeaders: readonly (Buffer | string)[], resume: () => void, statusText: string): boolean {
    // 1xx: Node answered the client's Expect itself; other interim responses are not relayed.
    if (statusCode < 200) return true
    this.resumeUpstream = resume
    const health = this.member!.health
    if (health.failures !== 0 && health.recordSuccess()) this.core.endpointEvent('recovered', this.backend!, this.member!, null)
    const res = this.res
    const headers = clientResponseHeaders(rawHeaders)
    // RFC 9110 §8.6: a 204 carries no Content-Length (a client could wait for that many bytes).
    if (statusCode === 204) removeHeaders(headers, NO_CONTENT_DROP)
    const plan = this.plan
    if (plan !== null && plan.ewma) ewmaEnd(this.member!.health, performance.now() - plan.sentAt, Date.now())
    if (this.responseEdits !== null) applyHeaderEdits(headers, this.responseEdits)
    if (this.core.ctx.captureDetail) {
      this.firstByteAt = performance.now()
      this.sentHeaders = headers
    }
    try {
      if (this.req.httpVersionMajor === 2) {
        // Neither HTTP/2 path checks values: upstream fields arrive checked, a route's edits may not be.
        if (this.responseEdits !== null) assertSendable(headers)
        if (lengthIsKnown(plan?.protocol ?? 'HTTP', this.req.method, statusCode, headers)) respondWithKnownLength(res as Http2ServerResponse, statusCode, headers)
        // The HTTP/2 compat response takes the same flat [name, value, ...] list.
        else (res as Http2ServerResponse).writeHead(statusCode, headers as unknown as Record<string, string>)
      } else {
        if (this.core.draining) (res as ServerResponse).shouldKeepAlive = false
        ;(res as ServerResponse).writeHead(statusCode, statusText, headers)
      }
    } catch (error) {
      // A head Node will not send on: a 502 page instead. Upstream fields arrive checked, so a refused
      // field is one the route's edits set; the upstream's reason phrase is not checked by undici.
      const edited = this.responseEdits !== null && isRefusedFieldValue(error)
      // node:http keeps a refused reason phrase as the response's statusMessage: the page must not reuse it.
      if (this.req.httpVersionMajor !== 2) (res as ServerResponse).statusMessage = ''
      this.abortUpstream?.(Object.assign(new Error(`invalid response head: ${(error as Error).message}`), {code: edited ? UNSENDABLE_EDIT : 'KINGRESS_BAD_HEAD'}))
      return false
    }
    this.responded = true
    this.status = statusCode
    return true
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length
    if ((this.res as ServerResponse).write(chunk)) return true
    if (!this.drainHooked) {
      this.drainHooked = true
      this.res.on('drain', onResponseDrain)
    }
    return false
  }

  onComplete(trailers: readonly (Buffer | string)[] | null): void {
    this.finished = true
    // gRPC's status travels in trailers: relay them (HTTP/1.1 chunked or HTTP/2).
    if (trailers !== null && (Array.isArray(trailers) ? trailers.length > 0 : Object.keys(trailers).length > 0)) relayTrailers(this.res, trailers as unknown as RawTrailers)
    this.res.end()
    this.log(this.status, null)
  }

  onError(error: Error): void {
    this.guard(() => this.failed(error))
  }

  private failed(error: Error): void {
    if (this.finished) return
    const res = this.res
    if (this.clientGone || error instanceof ClientGoneError) {
      this.finished = true
      this.log(499, 'client closed the connection')
      return
    }
    if (error instanceof BodyTooLargeError && !this.responded) {
      this.finished = true
      const match = this.match!
      this.page(badRequestPage(413, 'Request entity too large', `${error.message}. Raise nginx.ingress.kubernetes.io/proxy-body-size on Ingress ${describeOrigin(match)} ("0" for no limit).`, this.pageRequest(match.host, match.path)), true)
      return
    }
    if (this.plan !== null && this.plan.ewma && !this.responded) ewmaEnd(this.member!.health, performance.now() - this.plan.sentAt, Date.now())
    if (this.responded && this.bytes === 0 && (this.status === 204 || this.status === 304 || this.req.method === 'HEAD') && BODYLESS_WITH_BODY.has(errorCode(error))) {
      // A bodyless answer (RFC 9112 §6.3) whose upstream declared or sent a body: the client gets the
      // head and an empty body, and the upstream client discards that connection.
      this.finished = true
      res.end()
      this.log(this.status, 'the upstream sent a body with a bodyless answer: dropped, its connection discarded')
      return
    }
    if (this.responded) {
      // The head is out: all that is left is to cut the client's response short.
      this.finished = true
      res.destroy()
      this.log(this.status, `upstream failed mid-response: ${error.message}`)
      return
    }
    const member = this.member!
    const backend = this.backend!
    const c = classify(error)
    if (c.beforeConnect) {
      if (member.health.recordFailure(Date.now(), c.detail)) this.core.endpointEvent('ejected', backend, member, c.detail)
    }
    const retryable = c.beforeConnect ? !this.piped : c.failure === 'reset' && !this.hasBody && IDEMPOTENT.has(this.req.method ?? '')
    if (retryable && this.nextMember()) {
      this.send()
      return
    }
    const tried = (this.tried ?? []).map((m) => m.address)
    if (!tried.includes(member.address)) tried.push(member.address)
    const gw = this.gw
    if (gw !== null) {
      const detail = c.detail === 'no response head within the read timeout' && gw.headersMs !== null && gw.headersMs > 0 ? `no response head within ${gw.headersMs} ms, the rule's timeouts` : c.detail
      return this.page(upstreamFailurePage(c.failure, detail, gw.rule, backend, tried, this.pageRequest(gw.host, gw.path)), this.hasBody)
    }
    const match = this.match!
    this.page(upstreamFailurePage(c.failure, c.detail, match, backend, tried, this.pageRequest(match.host, match.path)), this.hasBody)
  }

  private nextMember(): boolean {
    const tried = (this.tried ??= [])
    tried.push(this.member!)
    if (tried.length >= MAX_TRIES) return false
    const next = this.backend!.balancer.pick(tried)
    if (next === null) return false
    this.member = next
    return true
  }

  // --- client side ---

  /** The response was closed: finished, or the client went away. */
  closed(): void {
    this.core.done()
    this.bodyClock?.stop()
    if (this.gw?.requestTimer != null) clearTimeout(this.gw.requestTimer)
    const malformed = (this.res as Carrier)[kMalformedBody]
    if (malformed !== undefined && !this.finished) {
      // The client-error path answered 400 on the socket (a malformed chunked body).
      this.finished = true
      this.abortUpstream?.(new ClientGoneError('malformed request body'))
      this.log(400, `malformed request body (${malformed})`)
    }
    const plan = this.plan
    if (plan !== null && plan.release !== null) {
      plan.release()
      plan.release = null
    }
    if (this.finished) return
    this.clientGone = true
    if (this.abortUpstream !== null) this.abortUpstream(new ClientGoneError('the client closed the connection'))
  }

  drained(): void {
    this.resumeUpstream?.()
  }

  /** Runs `fn`; an exception ends this exchange only (see crashed). */
  private guard(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.crashed(error)
    }
  }

  /** A bug inside this exchange: 500 when nothing was sent yet, else the connection is cut; logged with the request id. */
  private crashed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    this.core.ctx.bus.emit('error', {where: `request ${this.requestId || '(no id)'}`, message: `internal error, this request was ended: ${message}`, error})
    const wasFinished = this.finished
    this.finished = true
    this.abortUpstream?.(new ClientGoneError('internal error'))
    try {
      if (!this.res.headersSent && !wasFinished) {
        this.status = 500
        this.bytes = sendPage(this.req, this.res, badRequestPage(500, 'Internal error', 'kingress failed while handling this request (a bug: please report it with the log line that names this request id).', this.pageRequest(this.req.headers.host as string | undefined, (this.req.url ?? '').slice(0, 200))), true)
      } else {
        this.res.destroy()
      }
    } catch {
      this.res.destroy()
    }
    this.log(500, `internal error: ${message}`)
  }

  private startBodyClock(): void {
    const ms = this.core.ctx.timeouts.clientBodyMs
    if (ms <= 0) return
    this.bodyClock = new BodyGapTimer(ms, () => this.guard(() => this.bodyStalled(ms)))
  }

  /** nginx client_body_timeout: no body bytes for `ms` → 408 (or the connection cut once answered). */
  private bodyStalled(ms: number): void {
    if (this.finished) return
    // Answer (or cut) first, so the upstream abort below is not mistaken for the client leaving.
    if (this.responded) {
      this.finished = true
      this.res.destroy()
      this.log(this.status, `the request body stalled for ${ms / 1000} s (client_body_timeout)`)
    } else {
      const match = this.match
      this.page(badRequestPage(408, 'Request timeout', `No part of the request body arrived for ${ms / 1000} s (nginx client_body_timeout).`, this.pageRequest(match?.host, match?.path ?? this.forwardPath)), true)
    }
    this.abortUpstream?.(new ClientGoneError('client body timeout'))
  }

  private page(page: ErrorPage, closeConnection: boolean): void {
    this.finished = true
    if (closeConnection) markClosing(this.req)
    this.status = page.status
    this.bytes = sendPage(this.req, this.res, page, closeConnection || this.core.draining, corsForOwnAnswer(this.plan))
    this.log(page.status, page.code)
  }

  private pageRequest(host: string | undefined, path: string): PageRequest {
    return {host: host ?? '', path, requestId: this.requestId}
  }

  private log(status: number, error: string | null): void {
    const bus = this.core.ctx.bus
    if (!bus.has('request')) return
    const req = this.req
    bus.emit('request', {
      time: this.time,
      requestId: this.requestId,
      method: req.method ?? '',
      host: (req.headers.host ?? req.headers[':authority'] ?? '') as string,
      path: req.url ?? '',
      scheme: this.core.listener.scheme,
      port: routedPort(this.core.listener),
      status,
      bytes: this.bytes,
      durationMs: performance.now() - this.start,
      upstream: this.member === null ? null : this.member.address,
      routeId: this.gw === null ? (this.match?.route?.id ?? null) : this.gw.routeId,
      service: this.backend?.label ?? null,
      error,
      upgrade: false,
      httpRoute: this.gw === null ? undefined : this.gw.rule,
      side: this.gw === null ? (this.core.listener.gateway?.side ?? INGRESS_SIDE) : this.gw.side,
      detail: this.core.ctx.captureDetail ? requestDetail(req.rawHeaders, this.sentHeaders ?? this.res.getHeaders(), this.match, this.sentAt, this.firstByteAt) : null,
    })
  }
}

function ignore(): void {}

function declaredLength(req: ClientRequest): number | null {
  const value = req.headers['content-length']
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null
}

/** What the exchange keeps of the HTTPRoute that answers: for the response filters, pages and the log. */
interface GatewayServed {
  /** `HTTPRoute ns/name rule 0 on Gateway listener ns/gw/http`. */
  readonly rule: string
  /** The Candidate id (negative), for the dashboard's row. */
  readonly routeId: number | null
  /** `gateway ns/gw`: the RequestEvent's side. */
  readonly side: string
  readonly route: string | null
  readonly host: string
  readonly path: string
  /** The rule's timeouts (0: none), as the wait for the response head; null: kingress's read timeout. */
  readonly headersMs: number | null
  /** timeouts.request: the whole exchange (0 or null: none). */
  readonly requestMs: number | null
  mirrors: MirrorSet | null
  requestTimer: NodeJS.Timeout | null
}

function describeOrigin(match: MatchResult): string {
  const origin = match.route?.origin ?? match.defaultRoute?.origin
  return origin ? `${origin.namespace}/${origin.name}` : '(unknown)'
}

/**
 * HTTP/1.1 trailers arrive as a flat [name, value] list (Latin-1 strings from kingress's client,
 * Buffers from undici); undici hands HTTP/2 ones as Node's header object.
 */
type RawTrailers = readonly (Buffer | string)[] | Record<string, string | string[]>

function isTrailerList(trailers: RawTrailers): trailers is readonly (Buffer | string)[] {
  return Array.isArray(trailers)
}

function relayTrailers(res: ClientResponse, trailers: RawTrailers): void {
  const out: Record<string, string | string[]> = {}
  if (isTrailerList(trailers)) {
    for (let i = 0; i < trailers.length; i += 2) out[trailers[i]!.toString('latin1').toLowerCase()] = trailers[i + 1]!.toString('latin1')
  } else {
    for (const name in trailers) if (name.charCodeAt(0) !== 58 /* : */) out[name] = trailers[name]!
  }
  try {
    res.addTrailers(out)
  } catch {
    // A trailer Node will not send: the body still ends.
  }
}

// Shared listeners (no closure per request): `this` is the response, which carries its exchange.
function onResponseClose(this: ClientResponse): void {
  const exchange = (this as Carrier)[kExchange]
  if (exchange === undefined) return
  ;(this as Carrier)[kExchange] = undefined
  try {
    exchange.closed()
  } catch (error) {
    exchange.core.ctx.bus.emit('error', {where: `request ${exchange.requestId}`, message: `internal error while closing: ${String(error)}`, error})
  }
}

function onResponseDrain(this: ClientResponse): void {
  ;(this as Carrier)[kExchange]?.drained()
}
