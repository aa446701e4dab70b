import {escapeUri} from '../routing/escape-uri.js'
import type {MatchResult} from '../routing/table.js'
import type {IngressPolicy} from './policy.js'

/**
 * nginx `rewrite "(?i)<path>" <target> break;` as ingress-nginx writes it for rewrite-target
 * (template.go buildProxyPass): when the regex matches the decoded URI, the whole URI is replaced
 * by the target, `$1`…`$9` taken from the regex's capture groups. A URI it does not match is left alone.
 */
export function rewritePath(regex: RegExp, target: string, path: string): string {
  if (!regex.test(path)) return path
  const rewritten = substitute(regex, target, path)
  return rewritten.startsWith('/') ? rewritten : '/' + rewritten
}

const CAPTURE = /\$(\d)/g

/**
 * The request target nginx sends upstream after the rewrite: the new URI escaped again
 * (ngx_http_proxy_module.c create_request, ngx_escape_uri NGX_ESCAPE_URI: a space goes as `%20`),
 * then the arguments: the client's query, unless the target itself has a `?` — then the target's
 * arguments, with the client's appended after `&` unless the target ends in `?` (ngx_http_script.c,
 * ngx_http_script_regex_end_code). A `?` that comes from a capture is part of the path.
 */
export function rewriteUri(regex: RegExp, target: string, path: string, query: string): string {
  const q = target.indexOf('?')
  if (q === -1 || !regex.test(path)) return escapeUri(rewritePath(regex, target, path)) + query
  const base = escapeUri(rewritePath(regex, target.slice(0, q), path))
  const newArgs = substitute(regex, target.slice(q + 1), path)
  if (newArgs === '') return base
  const clientArgs = query.startsWith('?') ? query.slice(1) : query
  return `${base}?${newArgs}${clientArgs === '' ? '' : '&' + clientArgs}`
}

function substitute(regex: RegExp, template: string, path: string): string {
  const match = regex.exec(path)
  return match ? template.replace(CAPTURE, (_all, digit: string) => match[Number(digit)] ?? '') : template
}

/** rewrite-target: the upstream target (the location's `rewrite`, escaped as nginx sends it), or null when it does not apply. */
export function rewrittenTarget(match: MatchResult, policy: IngressPolicy, query: string): string | null {
  const rewrite = match.location?.rewrite ?? null
  // A rewrite that does not match leaves the request target as the client sent it (nginx forwards r->unparsed_uri).
  if (policy.rewriteTarget === null || rewrite === null || !rewrite.test(match.path)) return null
  return rewriteUri(rewrite, policy.rewriteTarget, match.path, query)
}

