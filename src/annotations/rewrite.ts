import {escapeUri} from '../routing/escape-uri.js'

/**
 * nginx `rewrite "(?i)<path>" <target> break;` as ingress-nginx writes it for rewrite-target
 * (template.go buildProxyPass): when the regex matches the decoded URI, the whole URI is replaced
 * by the target, `$1`…`$9` taken from the regex's capture groups. A URI it does not match is left alone.
 */
export function rewritePath(regex: RegExp, target: string, path: string): string {
  const match = regex.exec(path)
  if (!match) return path
  const rewritten = target.replace(CAPTURE, (_all, digit: string) => match[Number(digit)] ?? '')
  return rewritten.startsWith('/') ? rewritten : '/' + rewritten
}

const CAPTURE = /\$(\d)/g

/**
 * The request target nginx sends upstream after the rewrite: the new URI escaped again
 * (ngx_http_proxy_module.c create_request, ngx_escape_uri NGX_ESCAPE_URI: a space goes as `%20`),
 * then the arguments: the client's query, unless the target brings its own — then those, with the
 * client's appended after `&` unless the target ends in `?` (ngx_http_script.c, regex end code).
 */
export function rewriteUri(regex: RegExp, target: string, path: string, query: string): string {
  const matched = regex.test(path)
  const rewritten = rewritePath(regex, target, path)
  const q = rewritten.indexOf('?')
  if (!matched || q === -1) return escapeUri(rewritten) + query
  const newArgs = rewritten.slice(q + 1)
  const base = escapeUri(rewritten.slice(0, q))
  if (newArgs === '') return base
  const clientArgs = query.startsWith('?') ? query.slice(1) : query
  return `${base}?${newArgs}${clientArgs === '' ? '' : '&' + clientArgs}`
}
