/**
 * nginx `rewrite "(?i)<path>" <target> break;` as ingress-nginx generates it for rewrite-target:
 * the whole path is replaced by the target, `$1`…`$9` taken from the path's capture groups. A
 * request path the regex does not match is left alone. The query string is kept by the caller.
 */
export function rewritePath(routeRegex: RegExp, target: string, path: string): string {
  const match = routeRegex.exec(path)
  if (!match) return path
  const rewritten = target.replace(CAPTURE, (_all, digit: string) => match[Number(digit)] ?? '')
  return rewritten.startsWith('/') ? rewritten : '/' + rewritten
}

const CAPTURE = /\$(\d)/g

/** The regex a rewrite uses for a path, also for Exact routes (which match without one). */
export function rewriteRegexFor(path: string, existing: RegExp | null): RegExp {
  if (existing) return existing
  try {
    return new RegExp('^' + path, 'i')
  } catch {
    return new RegExp('^' + path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')
  }
}
