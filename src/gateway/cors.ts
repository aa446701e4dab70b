/**
 * The HTTPRoute CORS filter (apis/v1/httproute_types.go HTTPCORSFilter), pure: from the filter as
 * written and the request's method and headers, either the preflight answer the Gateway gives
 * itself, or the headers to add to the backend's response. Origins that are not allowed get no CORS
 * headers at all (preflight: 204 without them), which is one of the two answers the spec allows.
 */

export interface CorsPolicy {
  readonly allowOrigins: readonly string[]
  readonly allowMethods: readonly string[]
  /** Lower-case. */
  readonly allowHeaders: readonly string[]
  readonly exposeHeaders: readonly string[]
  readonly allowCredentials: boolean
  /** Seconds; the spec's default is 5. */
  readonly maxAge: number
}

export type CorsOutcome =
  /** An OPTIONS preflight: the Gateway answers it (204) with these headers, the backend never sees it. */
  | {readonly kind: 'preflight'; readonly headers: readonly (readonly [string, string])[]}
  /** An actual request: forwarded; these headers go on the response the client gets. */
  | {readonly kind: 'actual'; readonly headers: readonly (readonly [string, string])[]}

export function corsPolicyOf(config: Readonly<Record<string, unknown>>): CorsPolicy {
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])
  return {
    allowOrigins: strings(config.allowOrigins),
    allowMethods: strings(config.allowMethods),
    allowHeaders: strings(config.allowHeaders).map((h) => h.toLowerCase()),
    exposeHeaders: strings(config.exposeHeaders),
    allowCredentials: config.allowCredentials === true,
    maxAge: typeof config.maxAge === 'number' && config.maxAge >= 1 ? config.maxAge : 5,
  }
}

/** Null: not a cross-origin request (no Origin header); the filter does nothing. */
export function corsOutcome(policy: CorsPolicy, method: string, headers: Readonly<Record<string, string>>): CorsOutcome | null {
  const origin = headers['origin']
  if (origin === undefined || origin === '') return null
  const requestMethod = headers['access-control-request-method']
  const preflight = method === 'OPTIONS' && requestMethod !== undefined
  const allowed = policy.allowOrigins.some((pattern) => originMatches(pattern, origin))
  // Vary: the answer depends on Origin, so a shared cache must not serve it to another origin.
  if (!allowed) return {kind: preflight ? 'preflight' : 'actual', headers: [['vary', 'Origin']]}
  // The Origin is echoed, never `*`: allowed for a wildcard without credentials, required with them.
  const out: [string, string][] = [['access-control-allow-origin', origin], ['vary', 'Origin']]
  if (policy.allowCredentials) out.push(['access-control-allow-credentials', 'true'])
  if (!preflight) {
    if (policy.exposeHeaders.length > 0 && !(policy.allowCredentials && policy.exposeHeaders.includes('*'))) out.push(['access-control-expose-headers', policy.exposeHeaders.join(', ')])
    return {kind: 'actual', headers: out}
  }
  if (policy.allowMethods.length > 0) out.push(['access-control-allow-methods', policy.allowMethods.includes('*') ? requestMethod : policy.allowMethods.join(', ')])
  const requested = headers['access-control-request-headers']
  if (policy.allowHeaders.includes('*')) {
    if (requested !== undefined && requested.trim() !== '') out.push(['access-control-allow-headers', requested])
  } else if (policy.allowHeaders.length > 0) {
    out.push(['access-control-allow-headers', policy.allowHeaders.join(', ')])
  }
  if (policy.exposeHeaders.length > 0 && !(policy.allowCredentials && policy.exposeHeaders.includes('*'))) out.push(['access-control-expose-headers', policy.exposeHeaders.join(', ')])
  out.push(['access-control-max-age', String(policy.maxAge)])
  return {kind: 'preflight', headers: out}
}

interface Origin {
  readonly scheme: string
  readonly host: string
  readonly port: string
}

const ORIGIN = /^(https?):\/\/([^/:]+)(?::(\d{1,5}))?$/i

function parseOrigin(text: string): Origin | null {
  const m = ORIGIN.exec(text)
  if (m === null) return null
  const scheme = m[1]!.toLowerCase()
  return {scheme, host: m[2]!.toLowerCase(), port: m[3] ?? (scheme === 'https' ? '443' : '80')}
}

/**
 * `*` alone allows every origin. Otherwise scheme and port must be equal (a missing port is the
 * scheme's default) and the host equal, or, for `*.example.com`, end in `.example.com` with any
 * number of labels before it; a host of `*` takes any host.
 */
export function originMatches(pattern: string, origin: string): boolean {
  if (pattern === '*') return true
  const p = parseOrigin(pattern)
  const o = parseOrigin(origin)
  if (p === null || o === null || p.scheme !== o.scheme || p.port !== o.port) return false
  if (p.host === '*') return true
  if (p.host.startsWith('*.')) return o.host.endsWith(p.host.slice(1)) && o.host.length > p.host.length - 1
  return p.host === o.host
}
