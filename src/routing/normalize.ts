/**
 * The request path as routing sees it: percent-decoded, `//` merged, `.` and `..` resolved, as nginx
 * does before choosing a location (ngx_http_parse.c, ngx_http_parse_complex_uri).
 * `/public/../admin` is therefore matched as `/admin`, so a rule for `/public` can never serve it.
 * A trailing slash is kept. Null when a `..` climbs above the root (`/..`, `/%2e%2e/x`), which
 * nginx refuses with 400 (NGX_HTTP_PARSE_INVALID_REQUEST).
 */
export function normalizePath(rawPath: string): string | null {
  if (rawPath === '' || rawPath[0] !== '/') rawPath = '/' + rawPath
  if (!needsNormalizing(rawPath)) return rawPath
  const decoded = rawPath.includes('%') ? percentDecode(rawPath) : rawPath
  const segments = decoded.split('/')
  const out: string[] = []
  const last = segments.length - 1
  let trailingSlash = false
  for (let i = 1; i <= last; i++) {
    const segment = segments[i]!
    if (segment === '' || segment === '.') {
      if (i === last) trailingSlash = true
      continue
    }
    if (segment === '..') {
      if (out.length === 0) return null
      out.pop()
      if (i === last) trailingSlash = true
      continue
    }
    out.push(segment)
  }
  const joined = '/' + out.join('/')
  return trailingSlash && out.length > 0 ? joined + '/' : joined
}

function needsNormalizing(path: string): boolean {
  return path.includes('//') || path.includes('/.') || path.includes('%')
}

const HEX = /%([0-9A-Fa-f]{2})/g

function percentDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    // Invalid UTF-8 sequences: decode only the ASCII escapes (which is all `..` tricks need).
    return path.replace(HEX, (escape, hex: string) => {
      const code = parseInt(hex, 16)
      return code < 0x80 ? String.fromCharCode(code) : escape
    })
  }
}

/** `Blue.Example.com.:8443` → `blue.example.com`; `[::1]:80` → `[::1]`. Empty when absent. */
export function normalizeHost(hostHeader: string | undefined): string {
  if (!hostHeader) return ''
  let host = hostHeader
  if (host[0] === '[') {
    const end = host.indexOf(']')
    host = end === -1 ? host : host.slice(0, end + 1)
  } else {
    const colon = host.indexOf(':')
    if (colon !== -1) host = host.slice(0, colon)
  }
  if (host.endsWith('.')) host = host.slice(0, -1)
  return host.toLowerCase()
}
