import type {Location, VirtualHost} from './table.js'

export interface LocationHit {
  readonly location: Location
  /** nginx answers 301 to the URI with `/` appended instead of serving the location. */
  readonly redirect: boolean
}

/**
 * The location that serves a normalised URI, as nginx chooses it (ngx_http_core_module.c,
 * ngx_http_core_find_location and ngx_http_core_find_static_location):
 *  1. a static location named exactly the URI (`= /p`) wins at once;
 *  2. a static location named URI + `/` with auto_redirect answers 301 (NGX_DONE), before any other;
 *  3. otherwise the longest static prefix is remembered, then regex locations are tried in
 *     configuration order and the first match wins; without one, the longest prefix serves.
 * ingress-nginx writes a server's locations either all static or all regex (enforceRegexModifier),
 * so 3 is one or the other. Static names compare case-sensitively (Linux builds), `~*` does not.
 * Under `--semantics spec` the Ingress API's rules apply instead (matchSpec).
 */
export function matchLocation(vhost: VirtualHost, uri: string): LocationHit | null {
  if (vhost.specSemantics) return matchSpec(vhost, uri)
  if (vhost.regexMode !== null) {
    for (const location of vhost.locations) if (location.regex!.test(uri)) return {location, redirect: false}
    return null
  }
  const exact = vhost.exact.get(uri)
  if (exact !== undefined) return {location: exact, redirect: false}
  const slashed = vhost.slashRedirects.get(uri)
  if (slashed !== undefined) return {location: slashed, redirect: true}
  return longestPrefix(vhost, uri)
}

/** Every static prefix name ends in `/` (normalizePrefixPath), so only lengths that end a URI segment can match. */
function longestPrefix(vhost: VirtualHost, uri: string): LocationHit | null {
  for (const length of vhost.prefixLengths) {
    if (length > uri.length || uri.charCodeAt(length - 1) !== 47 /* / */) continue
    const location = vhost.prefix.get(length === uri.length ? uri : uri.slice(0, length))
    if (location !== undefined) return {location, redirect: false}
  }
  return null
}

/**
 * The Ingress API's matching: Exact compares the whole path; Prefix compares whole elements split
 * by `/` with a trailing slash ignored; the longest matching path wins, Exact before Prefix at equal
 * length. Prefix locations are keyed by their path without trailing slash (`/` is the empty key).
 */
function matchSpec(vhost: VirtualHost, uri: string): LocationHit | null {
  const exact = vhost.exact.get(uri)
  if (exact !== undefined) return {location: exact, redirect: false}
  let candidate = uri.endsWith('/') ? uri.slice(0, -1) : uri
  for (;;) {
    const location = vhost.prefix.get(candidate)
    if (location !== undefined) return {location, redirect: false}
    if (candidate === '') return null
    candidate = candidate.slice(0, candidate.lastIndexOf('/'))
  }
}
