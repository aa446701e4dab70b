import type {Readable} from 'node:stream'
import type {UpstreamHandler} from './upstream/handler.js'

import type {BackendTable} from '../backends/resolver.js'
import type {GatewayMirror} from '../gateway/evaluate.js'
import {applyHeaderEdits} from './header-edits.js'
import type {PoolRegistry} from './pools.js'

/**
 * HTTPRoute RequestMirror (httproute_types.go HTTPRequestMirrorFilter): a copy of the request goes
 * to the mirror's backend, fire and forget. Its answer is read and dropped, and nothing it does
 * (refusing, failing, being slow) reaches the client or the endpoint health of the real backend.
 * A request body is mirrored when it is at most MIRROR_BODY_LIMIT bytes, collected as it streams to
 * the real backend; a larger one is not mirrored at all (never a truncated copy).
 */

export const MIRROR_BODY_LIMIT = 64 * 1024
/** A mirror that has not finished by then is cut: mirrors must not pile up behind a slow backend. */
const MIRROR_TIMEOUT_MS = 10_000
/**
 * Copies in flight at once, for the whole process: behind a mirror backend that accepts and never
 * answers, the timeout alone would let copies queue without bound (a queued copy has nothing to
 * abort yet), and they share the endpoint pools (256 connections each) with real traffic.
 */
export const MIRRORS_IN_FLIGHT_LIMIT = 64
let inFlight = 0

export interface MirrorRequest {
  readonly method: string
  /** The upstream header list before the rule's request header filters, Host as the client sent it. */
  readonly headers: readonly string[]
}

/** The mirrors this request is copied to: each with its percent/fraction drawn from `random`. */
export function chosenMirrors(mirrors: readonly GatewayMirror[], random: () => number): GatewayMirror[] {
  return mirrors.filter((m) => m.numerator >= m.denominator || random() * m.denominator < m.numerator)
}

export class MirrorSet {
  private chunks: Buffer[] | null = null
  private size = 0

  constructor(
    private readonly mirrors: readonly GatewayMirror[],
    private readonly request: MirrorRequest,
    private readonly backends: BackendTable,
    private readonly pools: PoolRegistry,
    private readonly onError: (mirror: GatewayMirror, message: string) => void,
  ) {}

  /** A request without a body: the copies go now. */
  sendNow(): void {
    this.dispatchAll(null)
  }

  /**
   * A request with a body: collects it alongside the stream to the real backend (call once the
   * body is piped there), and sends the copies when it ends. `declared` is the Content-Length, or null.
   */
  watch(body: Readable, declared: number | null): void {
    if (declared !== null && declared > MIRROR_BODY_LIMIT) return this.skip(`the request body (${declared} bytes) is larger than the ${MIRROR_BODY_LIMIT} bytes kingress mirrors`)
    if (body.readableEnded) return this.dispatchAll(Buffer.alloc(0))
    this.chunks = []
    const onData = (chunk: Buffer): void => {
      if (this.chunks === null) return
      this.size += chunk.length
      if (this.size > MIRROR_BODY_LIMIT) {
        this.chunks = null
        body.off('data', onData)
        return this.skip(`the request body grew past the ${MIRROR_BODY_LIMIT} bytes kingress mirrors`)
      }
      this.chunks.push(chunk)
    }
    body.on('data', onData)
    body.once('end', () => {
      if (this.chunks !== null) this.dispatchAll(Buffer.concat(this.chunks))
      this.chunks = null
    })
  }

  private skip(message: string): void {
    for (const m of this.mirrors) this.onError(m, `not mirrored: ${message}`)
  }

  private dispatchAll(body: Buffer | null): void {
    for (const mirror of this.mirrors) {
      try {
        this.dispatch(mirror, body)
      } catch (error) {
        this.onError(mirror, error instanceof Error ? error.message : String(error))
      }
    }
  }

  private dispatch(mirror: GatewayMirror, body: Buffer | null): void {
    if (inFlight >= MIRRORS_IN_FLIGHT_LIMIT) return this.onError(mirror, `not mirrored: ${MIRRORS_IN_FLIGHT_LIMIT} copies are already in flight (the mirror backend is slow or not answering)`)
    const resolved = mirror.port === null ? undefined : this.backends.forService(mirror.namespace, mirror.name, mirror.port)
    const member = resolved?.balancer.pick(null) ?? null
    if (member === null) return this.onError(mirror, `Service ${mirror.namespace}/${mirror.name}${mirror.port === null ? '' : `:${mirror.port}`} has no ready endpoint`)
    const headers = [...this.request.headers]
    if (mirror.host !== null) setHost(headers, mirror.host)
    if (mirror.requestHeaders.length !== 0) applyHeaderEdits(headers, mirror.requestHeaders)
    if (body !== null) setContentLength(headers, body.length)
    this.pools.get(member.address).dispatch({path: mirror.target, method: this.request.method, headers, body, headersTimeout: MIRROR_TIMEOUT_MS, bodyTimeout: MIRROR_TIMEOUT_MS}, new Discard((message) => this.onError(mirror, message)))
  }
}

function setHost(list: string[], host: string): void {
  for (let i = 0; i < list.length; i += 2) {
    if (list[i]!.toLowerCase() === 'host') {
      list[i + 1] = host
      return
    }
  }
  list.push('host', host)
}

/** The body is sent whole: a chunked request is mirrored with its length. */
function setContentLength(list: string[], length: number): void {
  for (let i = list.length - 2; i >= 0; i -= 2) {
    const name = list[i]!.toLowerCase()
    if (name === 'transfer-encoding' || name === 'content-length') list.splice(i, 2)
  }
  list.push('content-length', String(length))
}

/**
 * Reads the mirror's answer and drops it; a timer bounds the whole exchange, queued or not. Counts
 * itself in flight from dispatch until it completes, fails or times out (once).
 */
class Discard implements UpstreamHandler {
  private abort: ((error?: Error) => void) | null = null
  private readonly timer: NodeJS.Timeout
  private done = false

  constructor(private readonly failed: (message: string) => void) {
    inFlight++
    this.timer = setTimeout(() => this.timedOut(), MIRROR_TIMEOUT_MS)
    this.timer.unref()
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort
    // Still queued when the timer fired: it is counted out already, and must not go out now.
    if (this.done) abort(new Error('mirror cancelled'))
  }

  onHeaders(): boolean {
    return true
  }

  onData(): boolean {
    return true
  }

  onComplete(): void {
    this.finish()
  }

  onError(error: Error): void {
    if (this.finish()) this.failed(error.message)
  }

  private timedOut(): void {
    if (!this.finish()) return
    this.failed(`the mirror took longer than ${MIRROR_TIMEOUT_MS} ms`)
    this.abort?.(new Error('mirror cancelled'))
  }

  /** False when it was finished already. */
  private finish(): boolean {
    if (this.done) return false
    this.done = true
    inFlight--
    clearTimeout(this.timer)
    return true
  }
}
