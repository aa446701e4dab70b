import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import type {ListenerInfo, ProxyContext} from './context.js'
import {Exchange} from './forward.js'
import {HandlerCore} from './handler-core.js'
import type {ClientRequest, ClientResponse} from './respond.js'
import {Tunnel} from './upgrade.js'

/**
 * The request and upgrade listeners of one listener (HTTP now; HTTPS/HTTP2 later), independent of
 * the server type: `http.createServer()` and `http2.createSecureServer({allowHTTP1: true})` both
 * take `handler.request` for 'request' and `handler.upgrade` for 'upgrade'.
 */
export interface ProxyHandler {
  readonly request: (req: ClientRequest, res: ClientResponse) => void
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  readonly core: HandlerCore
}

export function createHandler(ctx: ProxyContext, listener: ListenerInfo): ProxyHandler {
  const core = new HandlerCore(ctx, listener)
  return {
    core,
    request(req: ClientRequest, res: ClientResponse): void {
      core.inflight++
      new Exchange(core, req, res as ServerResponse, ctx.current).run()
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      new Tunnel(core, req, socket, head, ctx.current).run()
    },
  }
}
