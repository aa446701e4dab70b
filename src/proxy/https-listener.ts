import {createSecureServer, type Http2SecureServer, type ServerHttp2Session} from 'node:http2'
import type {Socket} from 'node:net'
import type {SecureContext} from 'node:tls'

import {onClientError} from './client-error.js'
import type {ProxyContext} from './context.js'
import type {GatewayScope} from './gateway-scope.js'
import {type ConnectionCloser, HTTP1_LIMITS, MAX_HEADER_SIZE, ProxyListener} from './listener.js'

/** What the HTTPS listener serves: a default certificate and a per-name choice (SNI). */
export interface HttpsCredentials {
  /** The default certificate: for clients that send no SNI (https://127.0.0.1/). */
  readonly cert: string
  readonly key: string
  /** Called once per TLS handshake that names a host; must answer synchronously or soon. */
  readonly SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void
}

/** HTTP/2 header list: nginx's 32 KiB of request head, plus HPACK's 32 bytes of overhead a field. */
const H2_MAX_HEADER_LIST = MAX_HEADER_SIZE + 32 * 256

/**
 * ingress-nginx's default ssl-ciphers (internal/ingress/controller/config/config.go, sslCiphers):
 * AEAD suites only on TLS 1.2, with forward secrecy; TLS 1.3's own suites (all AEAD) listed first,
 * because a Node cipher list without TLS_* names would drop them. ssl-protocols: TLSv1.2 TLSv1.3.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
].join(':')

/** ingress-nginx's http2-max-concurrent-streams default (config.go). */
export const H2_MAX_CONCURRENT_STREAMS = 128

/** nginx closes an HTTP/2 connection idle for keepalive_timeout: ingress-nginx's keep-alive, 75 s (config.go). */
export const H2_IDLE_TIMEOUT_MS = 75_000

/**
 * The HTTPS listener: one `http2.createSecureServer` with `allowHTTP1`, so ALPN picks h2 or
 * http/1.1 per connection (WebSocket upgrades come in over HTTP/1.1), TLS 1.2 at least, and the
 * certificate chosen per SNI name by `credentials.SNICallback`. Same proxy handler as HTTP; the
 * listener's scheme makes X-Forwarded-Proto `https` upstream.
 */
export interface HttpsListenerOptions {
  /** Close an HTTP/2 session with no frames for this long (GOAWAY; streams in flight finish). */
  readonly idleMs?: number
  /** The Gateways this listener serves (see GatewayScope); absent: all, on port 443. */
  readonly gateway?: GatewayScope
}

export function createHttpsListener(ctx: ProxyContext, credentials: HttpsCredentials, options: HttpsListenerOptions = {}): ProxyListener {
  const server = createSecureServer({
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
    minVersion: 'TLSv1.2',
    ciphers: TLS_CIPHERS,
    honorCipherOrder: true,
    cert: credentials.cert,
    key: credentials.key,
    SNICallback: credentials.SNICallback,
    // A browser's idle HTTP/2 connection stays open; the handshake must not hang around.
    handshakeTimeout: 30_000,
    maxHeaderListPairs: 2000,
    settings: {maxHeaderListSize: H2_MAX_HEADER_LIST, maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS},
  })
  // The HTTP/1.1 side reads these as http.Server does (see createHttpListener).
  Object.assign(server, HTTP1_LIMITS, {maxHeadersCount: 0})
  // A client that rejects the certificate (or speaks no TLS) ends its handshake: nothing to report.
  server.on('tlsClientError', dropSocket)
  server.on('sessionError', ignore)
  const connections = new TlsConnections(server, options.idleMs ?? H2_IDLE_TIMEOUT_MS)
  const listener = new ProxyListener(ctx, server, 'https', connections, options.gateway)
  // ProxyListener listens for 'clientError' (HTTP/1.1 parse errors on the allowHTTP1 side).
  if (server.listenerCount('clientError') === 0) server.on('clientError', onClientError)
  return listener
}

/** Swaps the certificate served without SNI (new handshakes only; open connections keep theirs). */
export function setDefaultCertificate(listener: ProxyListener, cert: string, key: string): void {
  ;(listener.server as Http2SecureServer).setSecureContext({cert, key, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true})
}

/** Every TLS socket and HTTP/2 session of one server, so shutdown can send GOAWAY and then cut. */
class TlsConnections implements ConnectionCloser {
  private readonly sockets = new Set<Socket>()
  private readonly sessions = new Set<ServerHttp2Session>()
  /** 0 serving, 1 draining (new HTTP/2 sessions get GOAWAY at once), 2 closed (new connections are cut). */
  private stage = 0

  constructor(server: Http2SecureServer, idleMs: number) {
    const sockets = this.sockets
    const sessions = this.sessions
    function forgetSocket(this: Socket): void {
      sockets.delete(this)
    }
    function forgetSession(this: ServerHttp2Session): void {
      sessions.delete(this)
      clearIdleTimer(this)
    }
    // A handshake that completes while the server closes must not keep it open.
    server.on('secureConnection', (socket: Socket) => {
      if (this.stage === 2) return void socket.destroy()
      sockets.add(socket)
      socket.once('close', forgetSocket)
    })
    server.on('session', (session: ServerHttp2Session) => {
      if (this.stage === 2) return void session.destroy()
      sessions.add(session)
      session.once('close', forgetSession)
      if (this.stage === 1) session.close()
      if (idleMs > 0) session.setTimeout(idleMs, () => session.close())
      // A session nghttp2 ends with GOAWAY (a flood, rapid reset: CVE-2023-44487) must not keep its
      // TCP connection: once our GOAWAY is out the socket goes too.
      session.once('error', () => session.destroy())
      session.on('frameError', (_type: number, _code: number, id: number) => {
        if (id === 0) session.destroy()
      })
      session.once('goaway', () => {
        const cut = setTimeout(() => session.destroy(), 1000).unref()
        session.once('close', () => clearTimeout(cut))
      })
    })
  }

  closeIdle(): void {
    this.stage = 1
    for (const session of this.sessions) if (!session.closed && !session.destroyed) session.close()
  }

  closeAll(): void {
    this.stage = 2
    for (const session of this.sessions) session.destroy()
    for (const socket of this.sockets) socket.destroy()
  }
}

/**
 * Node leaves a session's idle timer armed when the session is destroyed, and the timer holds the
 * session, its socket and its native nghttp2 state until it fires (internal/http2/core:
 * session.setTimeout does nothing once the session is destroyed, and destroy does not clear it).
 * With the 75 s idle time, each closed connection stayed in memory for 75 s after it closed. The
 * timer is the session's own property under node's `timeout` symbol; where a Node has none, this
 * does nothing and the timer still goes at its time.
 */
function clearIdleTimer(session: ServerHttp2Session): void {
  timerKey ??= Object.getOwnPropertySymbols(session).find((symbol) => symbol.description === 'timeout')
  if (timerKey === undefined) return
  const timer = (session as unknown as Record<symbol, unknown>)[timerKey]
  // Only a Timeout object: a number under that name would clear some other timer with that id.
  if (typeof timer === 'object' && timer !== null && typeof (timer as NodeJS.Timeout).refresh === 'function') clearTimeout(timer as NodeJS.Timeout)
}
let timerKey: symbol | undefined

function dropSocket(_error: Error, socket: {destroy(): void}): void {
  socket.destroy()
}

function ignore(): void {}
