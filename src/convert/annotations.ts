import {NGINX_PREFIX} from '../annotations/parse.js'
import type {AnnotationReport} from '../annotations/policy.js'
import type {Ingress} from '../manifests/model.js'

export type Coverage = 'converts' | 'partly' | 'lost'

export interface AnnotationOutcome {
  readonly key: string
  readonly value: string
  readonly coverage: Coverage
  /** How it is written in Gateway API terms, or what is lost. */
  readonly note: string
}

/**
 * What each ingress-nginx annotation becomes in the Gateway API (standard channel v1): its form, a
 * partial one (what changes), or nothing. Keys without the nginx.ingress.kubernetes.io/ prefix.
 */
const TABLE: Record<string, {readonly coverage: Coverage; readonly note: string}> = {
  'use-regex': {coverage: 'converts', note: 'every path of the host becomes a RegularExpression match written to match what nginx matched: (?i)^path.* (case-insensitive, a prefix)'},
  'rewrite-target': {coverage: 'converts', note: 'URLRewrite ReplaceFullPath; the /path(/|$)(.*) → /$2 pattern becomes PathPrefix + ReplacePrefixMatch; other capture groups cannot be expressed (listed per path)'},
  'app-root': {coverage: 'converts', note: 'a rule for Exact / with RequestRedirect 302 to the app root'},
  'permanent-redirect': {coverage: 'converts', note: 'RequestRedirect with scheme, hostname, port and ReplaceFullPath from the URL'},
  'permanent-redirect-code': {coverage: 'partly', note: 'RequestRedirect allows 301, 302, 303, 307 and 308 only'},
  'temporal-redirect': {coverage: 'converts', note: 'RequestRedirect with scheme, hostname, port and ReplaceFullPath from the URL'},
  'temporal-redirect-code': {coverage: 'partly', note: 'RequestRedirect allows 301, 302, 303, 307 and 308 only'},
  'from-to-www-redirect': {coverage: 'converts', note: 'an HTTPRoute for the other name with RequestRedirect hostname, 308'},
  'ssl-redirect': {coverage: 'converts', note: 'an HTTPRoute on the HTTP listener that redirects to https with 308; the rules attach to the HTTPS listener'},
  'force-ssl-redirect': {coverage: 'converts', note: 'an HTTPRoute on the HTTP listener that redirects to https with 308'},
  'x-forwarded-prefix': {coverage: 'converts', note: 'RequestHeaderModifier sets X-Forwarded-Prefix on the rewritten rule'},
  'upstream-vhost': {coverage: 'converts', note: 'URLRewrite hostname'},
  canary: {coverage: 'converts', note: 'the canary Service becomes a second backendRef of the main rule'},
  'canary-weight': {coverage: 'converts', note: 'backendRef weights'},
  'canary-weight-total': {coverage: 'converts', note: 'backendRef weights'},
  'canary-by-header': {coverage: 'partly', note: 'a rule with a header match on the value "always"; "never" (opt out of the weight) cannot be expressed'},
  'canary-by-header-value': {coverage: 'converts', note: 'a rule with an Exact header match'},
  'canary-by-cookie': {coverage: 'lost', note: 'the Gateway API matches no cookies'},
  'enable-cors': {coverage: 'converts', note: 'the CORS filter'},
  'cors-allow-origin': {coverage: 'converts', note: 'CORS allowOrigins'},
  'cors-allow-methods': {coverage: 'converts', note: 'CORS allowMethods'},
  'cors-allow-headers': {coverage: 'converts', note: 'CORS allowHeaders'},
  'cors-expose-headers': {coverage: 'converts', note: 'CORS exposeHeaders'},
  'cors-allow-credentials': {coverage: 'converts', note: 'CORS allowCredentials'},
  'cors-max-age': {coverage: 'converts', note: 'CORS maxAge'},
  'proxy-read-timeout': {coverage: 'partly', note: 'timeouts.backendRequest bounds the whole backend request, not the time between two reads'},
  'proxy-send-timeout': {coverage: 'partly', note: 'timeouts.backendRequest bounds the whole backend request, not the time between two writes'},
  'proxy-connect-timeout': {coverage: 'lost', note: 'the Gateway API has no connect timeout'},
  'backend-protocol': {coverage: 'lost', note: 'HTTPS and gRPC backends need a BackendTLSPolicy or a GRPCRoute, which this conversion does not write'},
  'whitelist-source-range': {coverage: 'lost', note: 'the Gateway API has no source-address filter: anyone can reach these paths'},
  'allowlist-source-range': {coverage: 'lost', note: 'the Gateway API has no source-address filter: anyone can reach these paths'},
  'denylist-source-range': {coverage: 'lost', note: 'the Gateway API has no source-address filter'},
  'auth-type': {coverage: 'lost', note: 'basic auth has no standard Gateway API form: the paths are open'},
  'auth-secret': {coverage: 'lost', note: 'basic auth has no standard Gateway API form'},
  'auth-secret-type': {coverage: 'lost', note: 'basic auth has no standard Gateway API form'},
  'auth-realm': {coverage: 'lost', note: 'basic auth has no standard Gateway API form'},
  'auth-url': {coverage: 'lost', note: 'external auth is experimental (ExternalAuth filter), not in the standard channel: the paths are open'},
  'auth-method': {coverage: 'lost', note: 'external auth is not in the standard channel'},
  'auth-response-headers': {coverage: 'lost', note: 'external auth is not in the standard channel'},
  'auth-signin': {coverage: 'lost', note: 'external auth is not in the standard channel'},
  'limit-rps': {coverage: 'lost', note: 'rate limits are implementation policies, not Gateway API'},
  'limit-connections': {coverage: 'lost', note: 'rate limits are implementation policies, not Gateway API'},
  'limit-burst-multiplier': {coverage: 'lost', note: 'rate limits are implementation policies, not Gateway API'},
  'limit-req-status-code': {coverage: 'lost', note: 'rate limits are implementation policies, not Gateway API'},
  'proxy-body-size': {coverage: 'lost', note: 'the Gateway API sets no body size limit'},
  'proxy-buffering': {coverage: 'lost', note: 'buffering is the implementation\'s choice'},
  'service-upstream': {coverage: 'lost', note: 'how a Service is dialled is the implementation\'s choice'},
  'load-balance': {coverage: 'lost', note: 'the balancing algorithm is the implementation\'s choice'},
  'upstream-hash-by': {coverage: 'lost', note: 'consistent hashing is an implementation policy'},
  'upstream-hash-by-subset': {coverage: 'lost', note: 'consistent hashing is an implementation policy'},
  'affinity-mode': {coverage: 'lost', note: 'session persistence is experimental in the Gateway API'},
  'session-cookie-name': {coverage: 'lost', note: 'session persistence is experimental in the Gateway API'},
  'session-cookie-max-age': {coverage: 'lost', note: 'session persistence is experimental in the Gateway API'},
  'session-cookie-path': {coverage: 'lost', note: 'session persistence is experimental in the Gateway API'},
  'session-cookie-expires': {coverage: 'lost', note: 'session persistence is experimental in the Gateway API'},
  affinity: {coverage: 'lost', note: 'session persistence is experimental in the Gateway API'},
  'configuration-snippet': {coverage: 'lost', note: 'raw nginx configuration has no Gateway API form'},
  'server-snippet': {coverage: 'lost', note: 'raw nginx configuration has no Gateway API form'},
  'auth-snippet': {coverage: 'lost', note: 'raw nginx configuration has no Gateway API form'},
  'stream-snippet': {coverage: 'lost', note: 'raw nginx configuration has no Gateway API form'},
}

/** Every ingress-nginx annotation of an Ingress, with what the conversion does with it. */
/** Each annotation's Gateway API outcome; `reports` is how compile() read the Ingress's annotations. */
export function annotationOutcomes(ingress: Ingress, reports: readonly AnnotationReport[] = []): AnnotationOutcome[] {
  const out: AnnotationOutcome[] = []
  for (const [key, value] of Object.entries(ingress.meta.annotations)) {
    if (!key.startsWith(NGINX_PREFIX)) continue
    // The converted routes serve what ingress-nginx answered with 503: nothing of that survives.
    if (reports.some((r) => r.key === key && r.status === 'denied')) {
      out.push({key, value, coverage: 'lost', note: 'ingress-nginx denies every path of this Ingress over this value (503); the converted routes serve them. Fix the value first.'})
      continue
    }
    const short = key.slice(NGINX_PREFIX.length)
    const known = TABLE[short] ?? {coverage: 'lost' as const, note: 'kingress knows no Gateway API form for this annotation'}
    out.push({key, value, ...known})
  }
  return out
}

export function coverageOf(shortKey: string): Coverage | null {
  return TABLE[shortKey]?.coverage ?? null
}
