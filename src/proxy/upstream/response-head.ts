import {badResponse as bad} from './errors.js'
import {BAD_FIELD_BYTE, LENGTH_DIGITS, TOKEN} from './field-syntax.js'

/** How the message body after a response head is delimited (RFC 9112 §6.3). */
export type BodyFraming = {readonly kind: 'none'} | {readonly kind: 'length'; readonly length: number} | {readonly kind: 'chunked'} | {readonly kind: 'until-close'}

export interface ResponseHead {
  readonly status: number
  readonly reason: string
  /** Flat `[name, value, ...]`, names as the upstream spelled them, values without surrounding whitespace. */
  readonly headers: string[]
  /** The connection may carry the next request after this response. */
  readonly keepAlive: boolean
  /** Seconds from the upstream's `Keep-Alive: timeout=N`, or null. */
  readonly keepAliveSeconds: number | null
  /** The value of Content-Length, or null when there is none. */
  readonly contentLength: number | null
  readonly framing: BodyFraming
}

const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/
const STATUS_START = /^HTTP\/1\.[01] [0-9]{3}(?: |$)/
const KEEP_ALIVE_TIMEOUT = /(?:^|[,;\s])timeout\s*=\s*([0-9]+)/i
const NONE: BodyFraming = {kind: 'none'}
const CHUNKED: BodyFraming = {kind: 'chunked'}
const UNTIL_CLOSE: BodyFraming = {kind: 'until-close'}

/** Strips the optional whitespace (SP and HTAB only) around a field value. */
function trimOws(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && (value.charCodeAt(start) === 32 || value.charCodeAt(start) === 9)) start++
  while (end > start && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--
  return start === 0 && end === value.length ? value : value.slice(start, end)
}

/**
 * Parses a response head: the text before the blank line, CRLF-separated, read as Latin-1. Strict
 * where a lenient reading could let two parties disagree on where the message ends: bare CR or LF,
 * obs-fold continuation lines, a Content-Length that is not one run of digits, two Content-Length
 * fields, or Transfer-Encoding together with Content-Length are refused.
 */
export function parseResponseHead(text: string, requestMethod: string): ResponseHead {
  const lines = text.split('\r\n')
  const statusLine = STATUS_LINE.exec(lines[0]!)
  if (statusLine === null) throw bad(STATUS_START.test(lines[0]!) ? 'the reason phrase has a control character' : `the status line ${JSON.stringify(lines[0]!.slice(0, 100))} is not HTTP/1.x`)
  const http10 = statusLine[1] === '0'
  const status = Number(statusLine[2])
  const headers: string[] = []
  let contentLength: number | null = null
  let transferEncoding: string | null = null
  let close = false
  let keepAliveToken = false
  let keepAliveSeconds: number | null = null
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon) : ''
    if (!TOKEN.test(name)) throw bad(`the header line ${JSON.stringify(line.slice(0, 100))} has no valid field name`)
    const value = trimOws(line.slice(colon + 1))
    if (BAD_FIELD_BYTE.test(value)) throw bad(`the ${name} header has a control character in its value`)
    headers.push(name, value)
    // Only the framing and connection fields are looked at; names of other lengths skip the lower-casing.
    switch (name.length) {
      case 14:
        if (name.toLowerCase() !== 'content-length') break
        if (contentLength !== null) throw bad('two Content-Length headers')
        if (!LENGTH_DIGITS.test(value)) throw bad(`Content-Length ${JSON.stringify(value.slice(0, 40))} is not a length`)
        contentLength = Number(value)
        break
      case 17:
        if (name.toLowerCase() !== 'transfer-encoding') break
        transferEncoding = transferEncoding === null ? value : `${transferEncoding}, ${value}`
        break
      case 10:
        if (name.toLowerCase() === 'connection') {
          for (const token of value.split(',')) {
            const t = trimOws(token).toLowerCase()
            if (t === 'close') close = true
            else if (t === 'keep-alive') keepAliveToken = true
          }
        } else if (name.toLowerCase() === 'keep-alive') {
          const timeout = KEEP_ALIVE_TIMEOUT.exec(value)
          if (timeout !== null) keepAliveSeconds = Number(timeout[1])
        }
        break
    }
  }
  let framing: BodyFraming
  if (requestMethod === 'HEAD' || status < 200 || status === 204 || status === 304) framing = NONE
  else if (transferEncoding !== null) {
    if (contentLength !== null) throw bad('both Transfer-Encoding and Content-Length')
    const codings = transferEncoding.split(',')
    framing = trimOws(codings[codings.length - 1]!).toLowerCase() === 'chunked' ? CHUNKED : UNTIL_CLOSE
  } else if (contentLength !== null) framing = contentLength === 0 ? NONE : {kind: 'length', length: contentLength}
  else framing = UNTIL_CLOSE
  const keepAlive = framing.kind !== 'until-close' && !close && (!http10 || keepAliveToken)
  return {status, reason: statusLine[3] ?? '', headers, keepAlive, keepAliveSeconds, contentLength, framing}
}
