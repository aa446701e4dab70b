import type {Server} from 'node:http'
import type {Http2SecureServer} from 'node:http2'
import type {AddressInfo} from 'node:net'
import {setTimeout as delay} from 'node:timers/promises'

import {onClientError} from './client-error.js'
import {createServer} from './node-http.js'
import type {ListenerInfo, ProxyContext} from './context.js'
import type {GatewayScope} from './gateway-scope.js'
import {createHandler, type ProxyHandler} from './handler.js'
import {findPortOwner} from './port-owner.js'
import {fallbackNotice, PortUnavailableError, type BindFailure} from './port-help.js'

/** nginx: large_client_header_buffers 4 8k — 32 KiB of request head in all. */
export const MAX_HEADER_SIZE = 32 * 1024

/**
 * The HTTP/1.1 side of both listeners (the HTTPS one sets them as properties). Uploads may take as
 * long as they take; the head must arrive within a minute (nginx client_header_timeout).
 */
export const HTTP1_LIMITS = {maxHeaderSize: MAX_HEADER_SIZE, requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000} as const

export interface ListenOptions {
  readonly port: number
  readonly bind: string
  /** The user chose the port: failing to bind it is an error, not a fallback. */
  readonly explicit: boolean
  /** Where to go when the default port cannot be bound (8080 for HTTP, 8443 for HTTPS). */
  readonly fallbackPort: number
  /** The flag that sets the port, for messages: `--http-port`. */
  readonly flag: string
}

export interface PortFallback {
  readonly requested: number
  readonly failure: BindFailure
  readonly owner: string | null
  /** One line for stderr: what happened and the command that gets the requested port. */
  readonly notice: string
}

export interface ListenResult {
  readonly address: string
  readonly port: number
  readonly url: string
  readonly fallback: PortFallback | null
}

/**
 * Closes a server's connections where Node's own closeIdleConnections/closeAllConnections do not
 * reach (HTTP/2 sessions of the HTTPS listener).
 */
export interface ConnectionCloser {
  /** Stop idle connections now (HTTP/2: GOAWAY, streams in flight finish). */
  closeIdle(): void
  /** Cut whatever is left. */
  closeAll(): void
}

/**
 * One listening server with its proxy handler: around `http.createServer()` (createHttpListener) or
 * `http2.createSecureServer({allowHTTP1: true, ...})` (createHttpsListener, with a ConnectionCloser).
 */
export class ProxyListener {
  readonly handler: ProxyHandler
  readonly info: ListenerInfo
  result: ListenResult | null = null

  constructor(
    ctx: ProxyContext,
    readonly server: Server | Http2SecureServer,
    scheme: 'http' | 'https',
    private readonly closer: ConnectionCloser | null = null,
    gateway?: GatewayScope,
  ) {
    this.info = gateway === undefined ? {scheme, port: 0} : {scheme, port: 0, gateway}
    this.handler = createHandler(ctx, this.info)
    server.on('request', this.handler.request)
    server.on('upgrade', this.handler.upgrade)
    server.on('connect', this.handler.connect)
    server.on('clientError', onClientError)
  }

  async listen(options: ListenOptions): Promise<ListenResult> {
    let fallback: PortFallback | null = null
    let port: number
    try {
      port = await bind(this.server, options.port, options.bind)
    } catch (error) {
      const failure = bindFailure(error)
      if (failure === null) throw error
      const owner = failure === 'EADDRINUSE' ? await findPortOwner(options.port) : null
      if (options.explicit || failure === 'EADDRNOTAVAIL') throw new PortUnavailableError(options.port, failure, owner, options.flag, options.bind)
      try {
        port = await bind(this.server, options.fallbackPort, options.bind)
      } catch (second) {
        const secondFailure = bindFailure(second)
        if (secondFailure === null) throw second
        const secondOwner = secondFailure === 'EADDRINUSE' ? await findPortOwner(options.fallbackPort) : null
        throw new PortUnavailableError(options.fallbackPort, secondFailure, secondOwner, `${options.flag} (fallback after ${options.port} was unavailable)`, options.bind)
      }
      fallback = {requested: options.port, failure, owner, notice: fallbackNotice(options.port, port, failure, owner)}
    }
    this.info.port = port
    const scheme = this.info.scheme
    const host = options.bind.includes(':') ? `[${options.bind}]` : options.bind
    const url = `${scheme}://${host}${(scheme === 'http' && port === 80) || (scheme === 'https' && port === 443) ? '' : `:${port}`}`
    this.result = {address: options.bind, port, url, fallback}
    return this.result
  }

  /**
   * Stop accepting, close idle keep-alive connections at once, let in-flight requests finish (at most
   * `drainMs`), then close whatever is left. Open WebSockets are closed at once.
   */
  async close(drainMs: number): Promise<void> {
    const core = this.handler.core
    core.draining = true
    const server = this.server as Server
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections?.()
    this.closer?.closeIdle()
    for (const socket of core.tunnels) socket.destroy()
    await within(core.whenIdle(), drainMs)
    server.closeAllConnections?.()
    this.closer?.closeAll()
    await within(closed, 1000)
  }
}

export function createHttpListener(ctx: ProxyContext, gateway?: GatewayScope): ProxyListener {
  const server = createServer({...HTTP1_LIMITS, noDelay: true})
  // The 32 KiB head limit bounds the count; Node's default (2000) would drop headers silently.
  server.maxHeadersCount = 0
  return new ProxyListener(ctx, server, 'http', null, gateway)
}

/** Waits for `promise`, at most `ms`, without leaving a timer behind. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  const timer = new AbortController()
  await Promise.race([promise, delay(ms, undefined, {signal: timer.signal}).catch(() => {})])
  timer.abort()
}

function bind(server: Server | Http2SecureServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening)
      reject(error)
    }
    const onListening = (): void => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

function bindFailure(error: unknown): BindFailure | null {
  const code = (error as {code?: unknown}).code
  return code === 'EACCES' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' ? code : null
}
