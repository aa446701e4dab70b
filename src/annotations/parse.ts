import {DEFAULT_POLICY, type AnnotationReport, type AnnotationStatus, type IngressPolicy} from './policy.js'
import {parseBool, parseCidr, parseInteger, parseList, parseSeconds, parseSize, type Cidr} from './values.js'

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/'

type Draft = {-readonly [K in keyof IngressPolicy]: IngressPolicy[K]}

/** What a handler says of its annotation: how well kingress honours it, or what is wrong with the value. */
interface Outcome {
  readonly status?: AnnotationStatus
  readonly note?: string
}

type Handler = (value: string, draft: Draft, all: Readonly<Record<string, string>>, namespace: string) => Outcome

const invalid = (note: string): Outcome => ({status: 'invalid', note})
const ok: Outcome = {}

function bool(key: keyof Draft & string): Handler {
  return (value, draft) => {
    const parsed = parseBool(value)
    if (parsed === null) return invalid('must be "true" or "false"')
    ;(draft as Record<string, unknown>)[key] = parsed
    return ok
  }
}

function timeout(key: 'connectTimeoutMs' | 'readTimeoutMs' | 'sendTimeoutMs'): Handler {
  return (value, draft) => {
    const seconds = parseSeconds(value)
    if (seconds === null) return invalid('must be a whole number of seconds, e.g. "120"')
    draft[key] = seconds * 1000
    return ok
  }
}

function redirectCode(all: Readonly<Record<string, string>>, key: string, fallback: number): number | string {
  const text = all[NGINX_PREFIX + key]
  if (text === undefined) return fallback
  const code = parseInteger(text, 300, 308)
  return code ?? `${key} must be a 3xx status code`
}

function ranges(key: 'allowSourceRanges' | 'denySourceRanges'): Handler {
  return (value, draft) => {
    const parsed: Cidr[] = []
    for (const item of parseList(value)) {
      const cidr = parseCidr(item)
      if (!cidr) return invalid(`"${item}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.168.1.1)`)
      parsed.push(cidr)
    }
    draft[key] = parsed
    return ok
  }
}

/** Annotations that only make sense together with a main one are checked by that one. */
const COMPANION: Outcome = {}

const SNIPPET_NOTE = 'raw nginx configuration: kingress runs no nginx, so nothing in the snippet is applied (headers, rewrites, access rules). Use the dedicated annotations instead.'

const HANDLERS: Record<string, Handler> = {
  'use-regex': bool('useRegex'),
  'rewrite-target': (value, draft) => {
    draft.rewriteTarget = value
    return ok
  },
  'app-root': (value, draft) => {
    if (!value.startsWith('/')) return invalid('must be an absolute path, e.g. /app1')
    draft.appRoot = value
    return ok
  },
  'x-forwarded-prefix': (value, draft) => {
    draft.xForwardedPrefix = value
    return ok
  },
  'upstream-vhost': (value, draft) => {
    draft.upstreamVhost = value
    return ok
  },
  'permanent-redirect': (value, draft, all) => {
    const code = redirectCode(all, 'permanent-redirect-code', 301)
    if (typeof code === 'string') return invalid(code)
    draft.redirect = {url: value, code}
    return ok
  },
  'permanent-redirect-code': () => COMPANION,
  'temporal-redirect': (value, draft, all) => {
    if (draft.redirect) return {status: 'ignored', note: 'permanent-redirect takes precedence over temporal-redirect'}
    const code = redirectCode(all, 'temporal-redirect-code', 302)
    if (typeof code === 'string') return invalid(code)
    draft.redirect = {url: value, code}
    return ok
  },
  'temporal-redirect-code': () => COMPANION,
  'from-to-www-redirect': bool('fromToWwwRedirect'),
  'ssl-redirect': bool('sslRedirect'),
  'force-ssl-redirect': bool('forceSslRedirect'),
  'backend-protocol': (value, draft) => {
    const upper = value.trim().toUpperCase()
    if (upper === 'HTTP' || upper === 'HTTPS' || upper === 'GRPC' || upper === 'GRPCS') {
      draft.backendProtocol = upper
      if (upper === 'HTTPS') return {status: 'partial', note: "TLS to the endpoint without verifying its certificate or sending SNI (as ingress-nginx's default proxy-ssl-verify: off); the proxy-ssl-* annotations are not emulated"}
      if (upper === 'GRPC') return {status: 'partial', note: 'forwarded over HTTP/2 cleartext (h2c) with trailers relayed; gRPC clients need HTTP/2, which kingress speaks on its HTTPS listener only (as ingress-nginx)'}
      if (upper === 'GRPCS') return {status: 'partial', note: "HTTP/2 over TLS to the endpoint, its certificate not verified; gRPC clients need kingress's HTTPS listener (HTTP/2)"}
      return ok
    }
    if (upper === 'AJP' || upper === 'FCGI') return {status: 'ignored', note: `${upper} upstreams are not supported by kingress; requests are sent as HTTP`}
    return invalid('supported values: HTTP, HTTPS, GRPC, GRPCS')
  },
  'proxy-connect-timeout': timeout('connectTimeoutMs'),
  'proxy-read-timeout': timeout('readTimeoutMs'),
  'proxy-send-timeout': (value, draft, all, namespace) => {
    const outcome = timeout('sendTimeoutMs')(value, draft, all, namespace)
    return outcome.status ? outcome : {status: 'partial', note: 'timed between two chunks of the request body relayed upstream: kingress streams request bodies, nginx buffers them first'}
  },
  'proxy-body-size': (value, draft) => {
    const size = parseSize(value)
    if (size === null) return invalid('must be an nginx size such as "8m", "512k" or "0" (unlimited)')
    draft.bodySizeLimit = size
    return ok
  },
  'proxy-buffering': (value, draft) => {
    const v = value.trim().toLowerCase()
    if (v !== 'on' && v !== 'off') return invalid('must be "on" or "off"')
    draft.proxyBuffering = v === 'on'
    return v === 'on' ? {status: 'partial', note: 'kingress always streams responses: a slow client holds the upstream connection open, where nginx would buffer the response and free it'} : ok
  },
  'service-upstream': (value, draft) => {
    const parsed = parseBool(value)
    if (parsed === null) return invalid('must be "true" or "false"')
    draft.serviceUpstream = parsed
    return parsed ? {status: 'partial', note: "there is no Service cluster IP locally: kingress balances across the Service's endpoints itself (and retries another endpoint on connection errors, which ingress-nginx cannot do with service-upstream)"} : ok
  },
  'load-balance': (value, draft) => {
    const v = value.trim()
    if (v === 'round_robin' || v === 'ewma') {
      draft.loadBalance = v
      return ok
    }
    return invalid('supported values: round_robin, ewma')
  },
  'upstream-hash-by': (value, draft) => {
    draft.upstreamHashBy = value
    return ok
  },
  'upstream-hash-by-subset': () => ({status: 'ignored', note: 'subset hashing is not emulated; plain consistent hashing is used'}),
  affinity: (value, draft, all) => {
    if (value.trim() !== 'cookie') return invalid('the only supported value is "cookie"')
    const maxAge = all[`${NGINX_PREFIX}session-cookie-max-age`]
    const maxAgeSeconds = maxAge === undefined ? null : parseInteger(maxAge, 0, 2 ** 31)
    if (maxAge !== undefined && maxAgeSeconds === null) return invalid('session-cookie-max-age must be a number of seconds')
    draft.affinity = {cookieName: all[`${NGINX_PREFIX}session-cookie-name`] ?? 'INGRESSCOOKIE', maxAgeSeconds, path: all[`${NGINX_PREFIX}session-cookie-path`] ?? null}
    return ok
  },
  'affinity-mode': () => ({status: 'partial', note: 'sessions stay on their endpoint while it is ready (balanced and persistent behave the same locally)'}),
  'session-cookie-name': () => COMPANION,
  'session-cookie-max-age': () => COMPANION,
  'session-cookie-path': () => COMPANION,
  'session-cookie-expires': () => COMPANION,
  canary: (value, draft, all) => {
    const on = parseBool(value)
    if (on === null) return invalid('must be "true" or "false"')
    if (!on) return ok
    const weightText = all[`${NGINX_PREFIX}canary-weight`]
    const totalText = all[`${NGINX_PREFIX}canary-weight-total`]
    const weightTotal = totalText === undefined ? 100 : parseInteger(totalText, 1, 1_000_000)
    if (weightTotal === null) return invalid('canary-weight-total must be a positive whole number')
    const weight = weightText === undefined ? 0 : parseInteger(weightText, 0, weightTotal)
    if (weight === null) return invalid(`canary-weight must be a whole number from 0 to ${weightTotal}`)
    draft.canary = {
      weight,
      weightTotal,
      header: all[`${NGINX_PREFIX}canary-by-header`] ?? null,
      headerValue: all[`${NGINX_PREFIX}canary-by-header-value`] ?? null,
      cookie: all[`${NGINX_PREFIX}canary-by-cookie`] ?? null,
    }
    return ok
  },
  'canary-weight': () => COMPANION,
  'canary-weight-total': () => COMPANION,
  'canary-by-header': () => COMPANION,
  'canary-by-header-value': () => COMPANION,
  'canary-by-cookie': () => COMPANION,
  'whitelist-source-range': ranges('allowSourceRanges'),
  'allowlist-source-range': ranges('allowSourceRanges'),
  'denylist-source-range': ranges('denySourceRanges'),
  'limit-rps': (value, draft) => {
    const n = parseInteger(value, 1, 1_000_000)
    if (n === null) return invalid('must be a positive whole number of requests per second')
    draft.limitRps = n
    return {status: 'partial', note: 'per client address, with ingress-nginx\'s default burst of 5× the rate'}
  },
  'limit-connections': (value, draft) => {
    const n = parseInteger(value, 1, 1_000_000)
    if (n === null) return invalid('must be a positive whole number of connections')
    draft.limitConnections = n
    return ok
  },
  'limit-burst-multiplier': () => ({status: 'ignored', note: 'the burst is always 5× limit-rps'}),
  'limit-req-status-code': (value, draft) => {
    const n = parseInteger(value, 400, 599)
    if (n === null) return invalid('must be a 4xx or 5xx status code, e.g. 429')
    draft.limitStatusCode = n
    return {status: 'partial', note: 'a controller ConfigMap setting in ingress-nginx, not an annotation; kingress reads it per Ingress for limit-rps and limit-connections'}
  },
  'enable-cors': (value, draft, all) => {
    const on = parseBool(value)
    if (on === null) return invalid('must be "true" or "false"')
    if (!on) return ok
    const maxAgeText = all[`${NGINX_PREFIX}cors-max-age`]
    const maxAge = maxAgeText === undefined ? 1728000 : parseInteger(maxAgeText, 0, 2 ** 31)
    if (maxAge === null) return invalid('cors-max-age must be a number of seconds')
    const credentials = parseBool(all[`${NGINX_PREFIX}cors-allow-credentials`] ?? 'true')
    draft.cors = {
      allowOrigin: parseList(all[`${NGINX_PREFIX}cors-allow-origin`] ?? '*'),
      allowMethods: all[`${NGINX_PREFIX}cors-allow-methods`] ?? 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
      allowHeaders: all[`${NGINX_PREFIX}cors-allow-headers`] ?? 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
      exposeHeaders: all[`${NGINX_PREFIX}cors-expose-headers`] ?? null,
      allowCredentials: credentials ?? true,
      maxAge,
    }
    return ok
  },
  'cors-allow-origin': () => COMPANION,
  'cors-allow-methods': () => COMPANION,
  'cors-allow-headers': () => COMPANION,
  'cors-expose-headers': () => COMPANION,
  'cors-allow-credentials': () => COMPANION,
  'cors-max-age': () => COMPANION,
  'auth-type': (value, draft, all, namespace) => {
    const type = value.trim()
    if (type === 'digest') return {status: 'ignored', note: 'digest authentication is not emulated; requests pass without authentication'}
    if (type !== 'basic') return invalid('supported values: basic, digest')
    const secret = all[`${NGINX_PREFIX}auth-secret`]
    if (!secret) return invalid('auth-type: basic needs auth-secret naming a Secret with an htpasswd file under the key "auth"')
    const [ns, name] = secret.includes('/') ? secret.split('/', 2) : [namespace, secret]
    const secretType = all[`${NGINX_PREFIX}auth-secret-type`] === 'auth-map' ? 'auth-map' : 'auth-file'
    draft.basicAuth = {secretNamespace: ns!, secretName: name!, realm: all[`${NGINX_PREFIX}auth-realm`] ?? '', secretType}
    return ok
  },
  'auth-secret': () => COMPANION,
  'auth-secret-type': () => COMPANION,
  'auth-realm': () => COMPANION,
  'auth-url': (value, draft, all) => {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return invalid('must be an absolute URL, e.g. http://auth.default.svc/verify')
    }
    draft.externalAuth = {
      url: url.toString(),
      // Empty is no method, as in ingress-nginx (authreq/main.go: the template's `if $externalAuth.Method`).
      method: all[`${NGINX_PREFIX}auth-method`] || null,
      responseHeaders: parseList(all[`${NGINX_PREFIX}auth-response-headers`] ?? ''),
      signin: all[`${NGINX_PREFIX}auth-signin`] ?? null,
    }
    return ok
  },
  'auth-method': () => COMPANION,
  'auth-response-headers': () => COMPANION,
  'auth-signin': () => COMPANION,
  'configuration-snippet': () => ({status: 'ignored', note: SNIPPET_NOTE}),
  'server-snippet': () => ({status: 'ignored', note: SNIPPET_NOTE}),
  'auth-snippet': () => ({status: 'ignored', note: SNIPPET_NOTE}),
  'stream-snippet': () => ({status: 'ignored', note: SNIPPET_NOTE}),
}

export interface ParsedAnnotations {
  readonly policy: IngressPolicy
  readonly reports: readonly AnnotationReport[]
}

const OTHER_KNOWN: Record<string, Outcome> = {
  'kubernetes.io/ingress.class': {},
  'kubectl.kubernetes.io/last-applied-configuration': {},
}

/** Reads an Ingress's annotations into a policy and a report line for every annotation that concerns routing. */
export function parseAnnotations(annotations: Readonly<Record<string, string>>, namespace: string): ParsedAnnotations {
  const draft: Draft = {...DEFAULT_POLICY}
  const byKey = new Map<string, AnnotationReport>()
  const companions: string[] = []
  const keys = Object.keys(annotations).sort()
  for (const key of keys) {
    const value = annotations[key]!
    if (key in OTHER_KNOWN) continue
    if (!key.startsWith(NGINX_PREFIX)) {
      if (key.startsWith('cert-manager.io/')) byKey.set(key, {key, value, status: 'ignored', note: 'kingress mints locally trusted certificates itself; cert-manager is not needed locally'})
      continue
    }
    const handler = HANDLERS[key.slice(NGINX_PREFIX.length)]
    if (!handler) {
      byKey.set(key, {key, value, status: 'ignored', note: 'not emulated by kingress: this ingress-nginx feature has no effect locally'})
      continue
    }
    const outcome = handler(value, draft, annotations, namespace)
    if (outcome === COMPANION) companions.push(key)
    else byKey.set(key, {key, value, status: outcome.status ?? 'honoured', note: outcome.note ?? null})
  }
  // Companions (cors-*, canary-*, ...) are judged once every main annotation has been read.
  for (const key of companions) byKey.set(key, {key, value: annotations[key]!, ...companionStatus(key.slice(NGINX_PREFIX.length), draft)})
  if (draft.canary) markInheritedOnCanary(byKey)
  return {policy: draft, reports: keys.flatMap((key) => byKey.get(key) ?? [])}
}

/** On a canary Ingress ingress-nginx keeps only these; everything else comes from the main Ingress. */
const CANARY_OWN = /^(canary(-.*)?|load-balance|upstream-hash-by(-subset)?|affinity(-mode)?|session-cookie-.*)$/

function markInheritedOnCanary(byKey: Map<string, AnnotationReport>): void {
  for (const [key, report] of byKey) {
    if (!key.startsWith(NGINX_PREFIX) || CANARY_OWN.test(key.slice(NGINX_PREFIX.length)) || report.status === 'invalid') continue
    byKey.set(key, {...report, status: 'ignored', note: "this is a canary Ingress: requests it serves use the main Ingress's annotations, except canary-*, load-balance, upstream-hash-by and affinity (as ingress-nginx)"})
  }
}

const COMPANION_OF: ReadonlyArray<readonly [RegExp, string, (d: Draft) => boolean]> = [
  [/^permanent-redirect-code$/, 'permanent-redirect', (d) => d.redirect !== null],
  [/^temporal-redirect-code$/, 'temporal-redirect', (d) => d.redirect !== null],
  [/^session-cookie-/, 'affinity: cookie', (d) => d.affinity !== null],
  [/^canary-/, 'canary: "true"', (d) => d.canary !== null],
  [/^cors-/, 'enable-cors: "true"', (d) => d.cors !== null],
  [/^auth-(secret|secret-type|realm)$/, 'auth-type: basic', (d) => d.basicAuth !== null],
  [/^auth-(method|response-headers|signin)$/, 'auth-url', (d) => d.externalAuth !== null],
]

function companionStatus(name: string, draft: Draft): {status: AnnotationStatus; note: string | null} {
  for (const [pattern, main, active] of COMPANION_OF) {
    if (pattern.test(name)) {
      if (name === 'session-cookie-expires') return {status: 'partial', note: 'use session-cookie-max-age; Expires is derived from it'}
      if (name === 'auth-signin' && active(draft)) return {status: 'partial', note: 'on 401 the client is redirected to the sign-in URL with rd=<original URL>'}
      return active(draft) ? {status: 'honoured', note: null} : {status: 'ignored', note: `has no effect without ${main}`}
    }
  }
  return {status: 'honoured', note: null}
}
