import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2'
import type {Duplex} from 'node:stream'

import {pageFormat, renderPage, type ErrorPage, type RenderedPage} from './error-page.js'
import {PROXY_NAME} from './headers.js'
import {STATUS_CODES} from './node-http.js'

export type ClientRequest = IncomingMessage | Http2ServerRequest
export type ClientResponse = ServerResponse | Http2ServerResponse

/** Answers with kingress's own page (plus `extra` headers: CORS). Returns the number of body bytes. */
export function sendPage(req: ClientRequest, res: ClientResponse, page: ErrorPage, closeConnection: boolean, extra: readonly string[] | null = null): number {
  const rendered = renderPage(page, pageFormat(req.headers.accept))
  if (res.headersSent) {
    res.destroy()
    return 0
  }
  const headers = pageHeaders(rendered, page.requestId)
  if (extra !== null) headers.push(...extra)
  if (closeConnection && req.httpVersionMajor === 1) (res as ServerResponse).shouldKeepAlive = false
  ;(res as ServerResponse).writeHead(page.status, headers)
  if (req.method === 'HEAD') {
    res.end()
    return 0
  }
  res.end(rendered.body)
  return rendered.body.length
}

function pageHeaders(rendered: RenderedPage, requestId: string): string[] {
  return ['content-type', rendered.contentType, 'content-length', String(rendered.body.length), 'cache-control', 'no-store', 'server', PROXY_NAME, 'x-request-id', requestId]
}

/** The same page on a raw socket (upgrade requests, client errors): one response, then the connection closes. */
export function sendPageOnSocket(socket: Duplex, accept: string | undefined, page: ErrorPage): number {
  const rendered = renderPage(page, pageFormat(accept))
  const headers = pageHeaders(rendered, page.requestId)
  let head = `HTTP/1.1 ${page.status} ${STATUS_CODES[page.status] ?? 'Error'}\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`
  head += 'connection: close\r\n\r\n'
  if (socket.writable) socket.end(Buffer.concat([Buffer.from(head, 'latin1'), rendered.body]))
  else socket.destroy()
  return rendered.body.length
}
