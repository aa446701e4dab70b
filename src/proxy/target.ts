import {hostValueProblem} from './screen.js'

/** Host and path (without query) of a request target: origin-form `/p?q`, or absolute-form `http://h/p`. */
export interface RequestTarget {
  readonly host: string | undefined
  readonly path: string
  /** What goes upstream: always origin-form (`/p?q`); an absolute-form target loses its scheme and authority. */
  readonly forward: string
  /** Absolute-form: the authority replaces the Host header (RFC 9112 §3.2.2), and is what is routed. */
  readonly absolute: boolean
}

/**
 * Origin-form or absolute-form (http/https, no userinfo: RFC 9110 §4.2.4) targets; null for anything
 * else (asterisk-form, authority-form), which kingress does not route. Fragments are refused earlier
 * (screenRequest), never forwarded.
 */
export function requestTarget(url: string, host: string | undefined): RequestTarget | null {
  if (url.charCodeAt(0) === 47 /* / */) {
    const q = url.indexOf('?')
    return {host, path: q === -1 ? url : url.slice(0, q), forward: url, absolute: false}
  }
  const scheme = /^https?:\/\//i.exec(url)
  if (scheme === null) return null
  const rest = url.slice(scheme[0].length)
  const slash = rest.search(/[/?]/)
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  if (authority === '' || authority.includes('@') || hostValueProblem(authority) !== null) return null
  let after = slash === -1 ? '/' : rest.slice(slash)
  if (after[0] !== '/') after = '/' + after
  const q = after.indexOf('?')
  return {host: authority, path: q === -1 ? after : after.slice(0, q), forward: after, absolute: true}
}
