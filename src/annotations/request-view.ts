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

/** The headers by lower-case name; the object itself when its names are lower-case already (Node's parsed headers are). */
export function lowerKeys(headers: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  let lower = true
  for (const k in headers) {
    if (UPPER.test(k)) {
      lower = false
      break
    }
  }
  if (lower) return headers
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v
  return out
}
