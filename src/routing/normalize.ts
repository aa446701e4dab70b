/**
 * The request path as routing sees it: percent-decoded, `//` merged, `.` and `..` resolved, as nginx
 * does before choosing a location (ngx_http_parse.c, ngx_http_parse_complex_uri).
 * `/public/../admin` is therefore matched as `/admin`, so a rule for `/public` can never serve it.
 * A trailing slash is kept. Null where nginx answers 400 (NGX_HTTP_PARSE_INVALID_REQUEST): a `..`
 * that climbs above the root (`/..`, `/%2e%2e/x`), a `%` not followed by two hex digits, and a
 * `%00`.
 */
export function normalizePath(rawPath: string): string | null {
  if (rawPath === '' || rawPath[0] !== '/') rawPath = '/' + rawPath
  if (!needsNormalizing(rawPath)) return rawPath
  const decoded = rawPath.includes('%') ? percentDecode(rawPath) : rawPath
  if (decoded === null) return null
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

/**
 * `%XX` to bytes, as nginx decodes (sw_quoted, sw_quoted_second): the bytes are then read as UTF-8,
 * so `%C3%A9` is `é` like the `é` an Ingress path holds. Characters of the raw path are its bytes
 * already (Node hands the request target over as latin1).
 */
function percentDecode(path: string): string | null {
  const bytes: number[] = []
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i)
    if (c !== 37 /* % */) {
      if (c < 0x100) bytes.push(c)
      else for (const b of Buffer.from(path[i]!, 'utf8')) bytes.push(b)
      continue
    }
    const hi = hexValue(path.charCodeAt(i + 1))
    const lo = hexValue(path.charCodeAt(i + 2))
    if (hi < 0 || lo < 0) return null
    const byte = hi * 16 + lo
    if (byte === 0) return null
    bytes.push(byte)
    i += 2
  }
  return Buffer.from(bytes).toString('utf8')
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
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

/** The port a URL of this scheme means when it names none: 443 for https, 80 otherwise. */
export function wellKnownPort(scheme: string): 80 | 443 {
  return scheme === 'https' ? 443 : 80
}

/** The port a parsed URL names, or its scheme's well-known one (`https:` → 443). */
export function portOfUrl(url: URL): number {
  return url.port === '' ? wellKnownPort(url.protocol.slice(0, -1)) : Number(url.port)
}
