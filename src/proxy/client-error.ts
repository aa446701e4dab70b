import type {Duplex} from 'node:stream'

import {PROXY_NAME} from './headers.js'
import {STATUS_CODES} from './node-http.js'

/** Set on the in-flight response when its request body failed to parse (the exchange logs 400). */
export const kMalformedBody = Symbol('kingress.malformedBody')

/**
 * The server's 'clientError' listener: a request Node's parser rejects gets a short answer and the
 * connection closes, never a crash nor a bare hang-up. Too large headers → 431 (nginx's
 * large_client_header_buffers), parser errors → 400, a client too slow to send its head → 408.
 */
export function onClientError(error: Error & {code?: string}, socket: Duplex): void {
  // The client went away (mid-body: HPE_INVALID_EOF_STATE): nobody to answer.
  if (error.code === 'ECONNRESET' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
    socket.destroy()
    return
  }
  const pending = (socket as Duplex & {_httpMessage?: {headersSent?: boolean; [kMalformedBody]?: string}})._httpMessage
  if (pending) {
    // The head was fine and a request is in flight: its body was malformed (a bad chunk size or
    // trailer, a chunk-extension flood). Unless the response has begun, the client still gets its 400.
    if (pending.headersSent) return void socket.destroy()
    pending[kMalformedBody] = error.code ?? 'parse error'
    const body = `400 Bad Request\n\nThe request body is not valid HTTP/1.1 chunked framing (${error.code ?? 'parse error'}).\n(${PROXY_NAME})\n`
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nserver: ${PROXY_NAME}\r\nconnection: close\r\n\r\n${body}`)
    return
  }
  const status = statusFor(error.code)
  const body = `${status} ${STATUS_CODES[status]}\n\n${explanation(status)}\n(${PROXY_NAME})\n`
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nserver: ${PROXY_NAME}\r\nconnection: close\r\n\r\n${body}`)
}

export function statusFor(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'HPE_HEADERS_TIMEOUT') return 408
  return 400
}

function explanation(status: number): string {
  if (status === 431) return 'The request headers are larger than kingress accepts (32 KiB in all, 8 KiB a line, as nginx).'
  if (status === 408) return 'The request head did not arrive in time.'
  return 'The request is not valid HTTP/1.1.'
}
