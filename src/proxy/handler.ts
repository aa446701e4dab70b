import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import type {ListenerInfo, ProxyContext} from './context.js'
import {Exchange} from './forward.js'
import {HandlerCore} from './handler-core.js'
import type {ClientRequest, ClientResponse} from './respond.js'
import {Tunnel} from './upgrade.js'
import {badRequestPage} from './pages.js'
import {sendPageOnSocket} from './respond.js'
import {newRequestId} from './request-id.js'

/** An exception that escaped one exchange: logged, that connection ended, the process goes on. */
function contain(core: HandlerCore, error: unknown, end: () => void): void {
  core.ctx.bus.emit('error', {where: 'request', message: `internal error, this request was ended: ${error instanceof Error ? error.message : String(error)}`, error})
  end()
}

/**
 * The request and upgrade listeners of one listener (HTTP now; HTTPS/HTTP2 later), independent of
 * the server type: `http.createServer()` and `http2.createSecureServer({allowHTTP1: true})` both
 * take `handler.request` for 'request' and `handler.upgrade` for 'upgrade'.
 */
export interface ProxyHandler {
  readonly request: (req: ClientRequest, res: ClientResponse) => void
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** HTTP/1.1 CONNECT (Node emits 'connect', not 'request'): the documented 405, then close. */
  readonly connect: (req: IncomingMessage, socket: Duplex) => void
  readonly core: HandlerCore
}

export function createHandler(ctx: ProxyContext, listener: ListenerInfo): ProxyHandler {
  const core = new HandlerCore(ctx, listener)
  const handler: ProxyHandler = {
    core,
    request(req: ClientRequest, res: ClientResponse): void {
      core.inflight++
      // Exchange.run catches its own failures; this is for the constructor.
      try {
        new Exchange(core, req, res as ServerResponse, ctx.current).run()
      } catch (error) {
        contain(core, error, () => res.destroy())
      }
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      try {
        new Tunnel(core, req, socket, head, ctx.current).run()
      } catch (error) {
        contain(core, error, () => socket.destroy())
      }
    },
    connect(req: IncomingMessage, socket: Duplex): void {
      // HTTP/2's compat layer may hand CONNECT over as (request, response): the exchange answers 405.
      if ('writeHead' in socket) return handler.request(req as unknown as ClientRequest, socket as unknown as ClientResponse)
      socket.on('error', () => socket.destroy())
      const page = badRequestPage(405, 'Method not allowed', 'kingress is a reverse proxy: CONNECT tunnels are not served.', {host: req.headers.host ?? '', path: (req.url ?? '').slice(0, 200), requestId: newRequestId()})
      sendPageOnSocket(socket, req.headers.accept, page)
    },
  }
  return handler
}
