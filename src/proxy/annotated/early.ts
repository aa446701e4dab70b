import type {ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

import type {EarlyResponse} from '../../annotations/request-view.js'
import {PROXY_NAME} from '../headers.js'
import {STATUS_CODES} from '../node-http.js'
import type {ClientRequest, ClientResponse} from '../respond.js'

function headerList(early: EarlyResponse, requestId: string): string[] {
  const list: string[] = []
  for (const name in early.headers) list.push(name, early.headers[name]!)
  list.push('server', PROXY_NAME, 'x-request-id', requestId)
  return list
}

/** Sends a response an annotation decided (redirect, 401, 403, 413, 503, preflight), plus `extra` headers (CORS). Returns the body bytes. */
export function sendEarly(req: ClientRequest, res: ClientResponse, early: EarlyResponse, requestId: string, closeConnection: boolean, extra: readonly string[] | null = null): number {
  if (res.headersSent) {
    res.destroy()
    return 0
  }
  if (closeConnection && req.httpVersionMajor === 1) (res as ServerResponse).shouldKeepAlive = false
  const headers = headerList(early, requestId)
  if (extra !== null) headers.push(...extra)
  ;(res as ServerResponse).writeHead(early.status, headers)
  if (req.method === 'HEAD' || early.body === '') {
    res.end()
    return 0
  }
  res.end(early.body)
  return Buffer.byteLength(early.body)
}

/** The same on the raw socket of an Upgrade request; the connection closes after it. */
export function sendEarlyOnSocket(socket: Duplex, early: EarlyResponse, requestId: string): void {
  const list = headerList(early, requestId)
  let head = `HTTP/1.1 ${early.status} ${STATUS_CODES[early.status] ?? 'Error'}\r\n`
  for (let i = 0; i < list.length; i += 2) head += `${list[i]}: ${list[i + 1]}\r\n`
  head += 'connection: close\r\n\r\n'
  if (socket.writable) socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(early.body)]))
  else socket.destroy()
}
