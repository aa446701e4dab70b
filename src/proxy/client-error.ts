import {STATUS_CODES} from 'node:http'
import type {Duplex} from 'node:stream'

import {PROXY_NAME} from './headers.js'

/**
 * The server's 'clientError' listener: a request Node's parser rejects gets a short answer and the
 * connection closes, never a crash nor a bare hang-up. Too large headers → 431 (nginx's
 * large_client_header_buffers), parser errors → 400, a client too slow to send its head → 408.
 */
export function onClientError(error: Error & {code?: string}, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable || (socket as Duplex & {_httpMessage?: unknown})._httpMessage) {
    socket.destroy()
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
