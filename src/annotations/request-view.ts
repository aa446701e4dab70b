import type {IncomingHttpHeaders} from 'node:http'

/** What the annotation actions need to know of a request; the proxy builds one per request. */
export interface RequestView {
  readonly method: string
  readonly scheme: 'http' | 'https'
  /** Normalised host (lower case, no port). */
  readonly host: string
  /** The path as the client sent it, without the query string. */
  readonly path: string
  /** `?a=b` or the empty string. */
  readonly query: string
  readonly headers: IncomingHttpHeaders
  readonly remoteAddress: string
}

/** A response kingress gives itself, instead of forwarding. */
export interface EarlyResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Why, for the access log and the dashboard, e.g. `ssl-redirect`. */
  readonly reason: string
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** `name=value` from the Cookie header, or undefined. */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const cookie = headerValue(headers, 'cookie')
  if (!cookie) return undefined
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

const UPPER = /[A-Z]/

/**
 * Request headers by lower-case name, a header the client repeated joined with `,` (as the Gateway
 * API matches it); the object itself when it is that already (Node's parsed headers are).
 */
export function headerFields(headers: Readonly<Record<string, string | string[] | undefined>>): Readonly<Record<string, string>> {
  let plain = true
  for (const name in headers) {
    if (typeof headers[name] !== 'string' || UPPER.test(name)) {
      plain = false
      break
    }
  }
  if (plain) return headers as Readonly<Record<string, string>>
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined) out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(',')
  }
  return out
}
