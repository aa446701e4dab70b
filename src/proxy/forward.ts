import {randomUUID} from 'node:crypto'
import type {ServerResponse} from 'node:http'
import type {Http2ServerRequest} from 'node:http2'
import {PassThrough} from 'node:stream'
import type {Dispatcher} from 'undici'

import type {ResolvedBackend, ResolvedEndpoint} from '../backends/resolver.js'
import type {RuntimeState} from '../runtime/state.js'
import type {MatchResult} from '../routing/table.js'
import type {ErrorPage} from './error-page.js'
import {classify} from './failure.js'
import type {HandlerCore} from './handler-core.js'
import {acceptableRequestId, clientAddress, clientResponseHeaders, MAX_HEADER_LINE, upstreamRequestHeaders} from './headers.js'
import {badRequestPage, noEndpointsPage, notFoundPage, upstreamFailurePage, type PageRequest} from './pages.js'
import {sendPage, type ClientRequest, type ClientResponse} from './respond.js'
import {requestTarget} from './target.js'

/** nginx's proxy_next_upstream_tries as ingress-nginx sets it. */
const MAX_TRIES = 3

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE'])

const kExchange = Symbol('kingress.exchange')
type Carrier = ClientResponse & {[kExchange]?: Exchange}

/** Client aborted: undici is told through this error so the exchange is not mistaken for an upstream failure. */
class ClientGoneError extends Error {
  readonly code = 'KINGRESS_CLIENT_GONE'
}

/**
 * One proxied request, from routing to the last byte. It is its own undici dispatch handler (the
 * core's handler protocol, called without an adapter): response head, body chunks with
 * back-pressure both ways, and errors that pick the next endpoint when that is safe.
 */
export class Exchange implements Dispatcher.DispatchHandler {
  readonly start = performance.now()
  readonly time = Date.now()
  requestId = ''
  match: MatchResult | null = null
  backend: ResolvedBackend | null = null
  member: ResolvedEndpoint | null = null
  private tried: ResolvedEndpoint[] | null = null
  private headers: string[] = []
  private hasBody = false
  private body: PassThrough | null = null
  private piped = false
  private abortUpstream: ((error?: Error) => void) | null = null
  private resumeUpstream: (() => void) | null = null
  private drainHooked = false
  private responded = false
  finished = false
  private clientGone = false
  private status = 0
  private bytes = 0

  constructor(
    private readonly core: HandlerCore,
    readonly req: ClientRequest,
    readonly res: ClientResponse,
    private readonly state: RuntimeState,
  ) {
    ;(res as Carrier)[kExchange] = this
    res.once('close', onResponseClose)
  }

  /** Routes the request and starts the first attempt, or answers with a page. */
  run(): void {
    const req = this.req
    const headers = req.headers
    this.requestId = acceptableRequestId(headers['x-request-id']) ?? randomUUID()
    const url = req.url ?? '/'
    const host = (headers.host ?? headers[':authority']) as string | undefined
    const target = requestTarget(url, host)
    if (target === null) return this.page(badRequestPage(400, 'Bad request', `"${url.slice(0, 200)}" is not a request target kingress can route.`, this.pageRequest(host, url)), true)
    if (url.length > MAX_HEADER_LINE) return this.page(badRequestPage(414, 'URI too long', `The request line is longer than ${MAX_HEADER_LINE} bytes.`, this.pageRequest(host, url.slice(0, 200))), true)
    const match = this.state.table.match(target.host, target.path)
    this.match = match
    if (match.backend === null) return this.page(notFoundPage(this.state.table, match, this.pageRequest(target.host, target.path)), this.hasRequestBody())
    const backend = this.state.backends.forMatch(match)
    if (backend === undefined) return this.page(badRequestPage(503, 'No endpoints', 'The backend of this rule is not resolved yet.', this.pageRequest(target.host, target.path)), this.hasRequestBody())
    this.backend = backend
    const member = backend.balancer.pick(null)
    if (member === null) return this.page(noEndpointsPage(match, backend, this.pageRequest(target.host, target.path)), this.hasRequestBody())
    if (req.method === 'CONNECT') return this.page(badRequestPage(405, 'Method not allowed', 'kingress is a reverse proxy: CONNECT tunnels are not served.', this.pageRequest(target.host, url)), true)
    const up = upstreamRequestHeaders(req.rawHeaders, target.host, headers.connection, {
      clientIp: clientAddress(req.socket?.remoteAddress),
      scheme: this.core.listener.scheme,
      port: this.core.listener.port,
      requestId: this.requestId,
    })
    if (up.oversized !== null) return this.page(badRequestPage(431, 'Request header fields too large', `The header ${up.oversized} is longer than ${MAX_HEADER_LINE} bytes.`, this.pageRequest(target.host, target.path)), true)
    this.headers = up.list
    this.hasBody = this.hasRequestBody()
    this.member = member
    this.send()
  }

  private hasRequestBody(): boolean {
    const req = this.req
    if (req.httpVersionMajor === 2) return !(req as Http2ServerRequest).stream.endAfterHeaders
    const headers = req.headers
    if (headers['transfer-encoding'] !== undefined) return true
    const length = headers['content-length']
    return length !== undefined && length !== '0'
  }

  private send(): void {
    const req = this.req
    let body: PassThrough | null = null
    if (this.hasBody) {
      body = new PassThrough()
      // undici destroys the body with the exchange's error; that error is handled in onError.
      body.on('error', ignore)
      this.piped = false
    }
    this.body = body
    const timeouts = this.core.ctx.timeouts
    this.core.ctx.pools.get(this.member!.address).dispatch(
      {path: req.url ?? '/', method: req.method ?? 'GET', headers: this.headers, body, headersTimeout: timeouts.headersMs, bodyTimeout: timeouts.bodyMs},
      this,
    )
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
    }
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx: Node answered the client's Expect itself; other interim responses are not relayed.
    if (statusCode < 200) return true
    this.resumeUpstream = resume
    const health = this.member!.health
    if (health.failures !== 0 && health.recordSuccess()) this.core.endpointEvent('recovered', this.backend!, this.member!, null)
    const res = this.res
    const headers = clientResponseHeaders(rawHeaders, this.requestId)
    try {
      if (this.req.httpVersionMajor === 2) {
        // The HTTP/2 compat response takes the same flat [name, value, ...] list.
        res.writeHead(statusCode, headers as unknown as Record<string, string>)
      } else {
        if (this.core.draining) (res as ServerResponse).shouldKeepAlive = false
        ;(res as ServerResponse).writeHead(statusCode, statusText, headers)
      }
    } catch (error) {
      // A head Node will not send on (e.g. a control character in a header value): a 502 page instead.
      this.abortUpstream?.(Object.assign(new Error(`invalid response head: ${(error as Error).message}`), {code: 'KINGRESS_BAD_HEAD'}))
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

  onComplete(): void {
    this.finished = true
    this.res.end()
    this.log(this.status, null)
  }

  onError(error: Error): void {
    if (this.finished) return
    const res = this.res
    if (this.clientGone || error instanceof ClientGoneError) {
      this.finished = true
      this.log(499, 'client closed the connection')
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
    if (this.finished) return
    this.clientGone = true
    if (this.abortUpstream !== null) this.abortUpstream(new ClientGoneError('the client closed the connection'))
  }

  drained(): void {
    this.resumeUpstream?.()
  }

  private page(page: ErrorPage, closeConnection: boolean): void {
    this.finished = true
    this.status = page.status
    this.bytes = sendPage(this.req, this.res, page, closeConnection || this.core.draining)
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
      status,
      bytes: this.bytes,
      durationMs: performance.now() - this.start,
      upstream: this.member === null ? null : this.member.address,
      routeId: this.match?.route?.id ?? null,
      service: this.backend?.label ?? null,
      error,
      upgrade: false,
    })
  }
}

function ignore(): void {}

// Shared listeners (no closure per request): `this` is the response, which carries its exchange.
function onResponseClose(this: ClientResponse): void {
  ;(this as Carrier)[kExchange]?.closed()
}

function onResponseDrain(this: ClientResponse): void {
  ;(this as Carrier)[kExchange]?.drained()
}
