import {escapeUri} from '../routing/escape-uri.js'
import type {MatchResult} from '../routing/table.js'
import type {IngressPolicy} from './policy.js'

const CAPTURE = /\$(\d)/g

/**
 * nginx `rewrite "(?i)<path>" <target> break;` as ingress-nginx writes it for rewrite-target
 * (template.go buildProxyPass): when the regex matches the decoded URI, the whole URI is replaced
 * by the target, `$1`…`$9` taken from the regex's capture groups.
 *
 * The request target nginx sends upstream after the rewrite: the new URI escaped again
 * (ngx_http_proxy_module.c create_request, ngx_escape_uri NGX_ESCAPE_URI: a space goes as `%20`),
 * then the arguments: the client's query, unless the target itself has a `?` — then the target's
 * arguments, with the client's appended after `&` unless the target ends in `?` (ngx_http_script.c,
 * ngx_http_script_regex_end_code). A `?` that comes from a capture is part of the path. Null when
 * the regex does not match: nginx then forwards the request target as the client sent it.
 */
export function rewriteUri(regex: RegExp, target: string, path: string, query: string): string | null {
  const match = regex.exec(path)
  if (match === null) return null
  const clientArgs = query.startsWith('?') ? query.slice(1) : query
  const q = target.indexOf('?')
  if (q === -1) return escapeUri(leadingSlash(substitute(match, target))) + (clientArgs === '' ? '' : '?' + clientArgs)
  const base = escapeUri(leadingSlash(substitute(match, target.slice(0, q))))
  const newArgs = substitute(match, target.slice(q + 1))
  if (newArgs === '') return base
  return `${base}?${newArgs}${clientArgs === '' ? '' : '&' + clientArgs}`
}

function substitute(match: RegExpExecArray, template: string): string {
  return template.replace(CAPTURE, (_all, digit: string) => match[Number(digit)] ?? '')
}

function leadingSlash(uri: string): string {
  return uri.startsWith('/') ? uri : '/' + uri
}

/** rewrite-target: the upstream target (the location's `rewrite`, escaped as nginx sends it), or null when it does not apply. */
export function rewrittenTarget(match: MatchResult, policy: IngressPolicy, query: string): string | null {
  const rewrite = match.location?.rewrite ?? null
  if (policy.rewriteTarget === null || rewrite === null) return null
  return rewriteUri(rewrite, policy.rewriteTarget, match.path, query)
}

