import {createSecureServer, type Http2SecureServer, type ServerHttp2Session} from 'node:http2'
import type {Socket} from 'node:net'
import type {SecureContext} from 'node:tls'

import {onClientError} from './client-error.js'
import type {ProxyContext} from './context.js'
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
 * The HTTPS listener: one `http2.createSecureServer` with `allowHTTP1`, so ALPN picks h2 or
 * http/1.1 per connection (WebSocket upgrades come in over HTTP/1.1), TLS 1.2 at least, and the
 * certificate chosen per SNI name by `credentials.SNICallback`. Same proxy handler as HTTP; the
 * listener's scheme makes X-Forwarded-Proto `https` upstream.
 */
export function createHttpsListener(ctx: ProxyContext, credentials: HttpsCredentials): ProxyListener {
  const server = createSecureServer({
    allowHTTP1: true,
    ALPNProtocols: ['h2', 'http/1.1'],
    minVersion: 'TLSv1.2',
    cert: credentials.cert,
    key: credentials.key,
    SNICallback: credentials.SNICallback,
    // A browser's idle HTTP/2 connection stays open; the handshake must not hang around.
    handshakeTimeout: 30_000,
    maxHeaderListPairs: 2000,
    settings: {maxHeaderListSize: H2_MAX_HEADER_LIST},
  })
  // The HTTP/1.1 side reads these as http.Server does (see createHttpListener).
  Object.assign(server, HTTP1_LIMITS, {maxHeadersCount: 0})
  // A client that rejects the certificate (or speaks no TLS) ends its handshake: nothing to report.
  server.on('tlsClientError', dropSocket)
  server.on('sessionError', ignore)
  const connections = new TlsConnections(server)
  const listener = new ProxyListener(ctx, server, 'https', connections)
  // ProxyListener listens for 'clientError' (HTTP/1.1 parse errors on the allowHTTP1 side).
  if (server.listenerCount('clientError') === 0) server.on('clientError', onClientError)
  return listener
}

/** Swaps the certificate served without SNI (new handshakes only; open connections keep theirs). */
export function setDefaultCertificate(listener: ProxyListener, cert: string, key: string): void {
  ;(listener.server as Http2SecureServer).setSecureContext({cert, key, minVersion: 'TLSv1.2'})
}

/** Every TLS socket and HTTP/2 session of one server, so shutdown can send GOAWAY and then cut. */
class TlsConnections implements ConnectionCloser {
  private readonly sockets = new Set<Socket>()
  private readonly sessions = new Set<ServerHttp2Session>()
  /** 0 serving, 1 draining (new HTTP/2 sessions get GOAWAY at once), 2 closed (new connections are cut). */
  private stage = 0

  constructor(server: Http2SecureServer) {
    const sockets = this.sockets
    const sessions = this.sessions
    function forgetSocket(this: Socket): void {
      sockets.delete(this)
    }
    function forgetSession(this: ServerHttp2Session): void {
      sessions.delete(this)
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

function dropSocket(_error: Error, socket: {destroy(): void}): void {
  socket.destroy()
}

function ignore(): void {}
