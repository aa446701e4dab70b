import type {ServerResponse} from 'node:http'

import type {ClientRequest, ClientResponse} from './respond.js'
import {isHttp2} from './screen.js'

/**
 * HTTP/1.1 connections whose current response closes them. Node's parser has often read the
 * requests pipelined behind (they arrived in the same packet) and hands them over all the same; one
 * of them must never be forwarded, or a refused request could smuggle its follower past the answer
 * (RFC 9112 §9.6: a server that closes does not process later requests).
 */
const closing = new WeakSet<object>()

/** This response closes its connection: every later request on it is dropped. */
export function markClosing(req: ClientRequest): void {
  if (!isHttp2(req) && req.socket) closing.add(req.socket)
}

/** The connection this request came on is closing after an earlier answer (or this one). */
export function arrivesOnClosing(req: ClientRequest, res: ClientResponse): boolean {
  if (isHttp2(req) || !req.socket) return false
  if (closing.has(req.socket)) return true
  // `Connection: close` (or HTTP/1.0 without keep-alive): this one is served, those behind it are not.
  if ((res as ServerResponse).shouldKeepAlive === false) closing.add(req.socket)
  return false
}
