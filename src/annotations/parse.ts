import {DEFAULT_POLICY, type AnnotationReport, type AnnotationStatus, type IngressPolicy} from './policy.js'
import {COMPANION, NGINX_PREFIX, type Draft, type Handler, type Outcome} from './outcome.js'
import {AUTH_READERS} from './readers/auth.js'
import {BACKEND_READERS} from './readers/backends.js'
import {CORS_READERS} from './readers/cors.js'
import {ROUTING_READERS} from './readers/routing.js'
import {TRAFFIC_READERS} from './readers/traffic.js'

export {NGINX_PREFIX} from './outcome.js'

const SNIPPET_NOTE =
  'raw nginx configuration: kingress runs no nginx, so nothing in the snippet is applied (headers, rewrites, access rules). Use the dedicated annotations instead. With ingress-nginx\'s defaults (allow-snippet-annotations: false, annotations-risk-level: High) the controller refuses an Ingress with a snippet at all; kingress serves it as if the snippet were absent.'

const HANDLERS: Record<string, Handler> = {
  ...ROUTING_READERS,
  ...BACKEND_READERS,
  ...TRAFFIC_READERS,
  ...CORS_READERS,
  ...AUTH_READERS,
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

/**
 * checkAnnotation runs no validator on an empty value, and parseString's InvalidContent then makes
 * most parsers use their default. These annotations read an empty value otherwise: an empty allow
 * or deny list denies the locations, an empty redirect annotation drops the redirect configuration.
 */
const EMPTY_AWARE = new Set(['allowlist-source-range', 'whitelist-source-range', 'denylist-source-range', 'from-to-www-redirect', 'relative-redirects', 'temporal-redirect', 'temporal-redirect-code', 'permanent-redirect', 'permanent-redirect-code'])

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
    if (value === '' && !EMPTY_AWARE.has(key.slice(NGINX_PREFIX.length))) {
      byKey.set(key, {key, value, status: 'ignored', note: 'empty: ingress-nginx skips the validator and treats it as unset'})
      continue
    }
    const outcome = handler(value, draft, annotations, namespace)
    if (outcome === COMPANION) companions.push(key)
    else byKey.set(key, {key, value, status: outcome.status ?? 'honoured', note: outcome.note ?? null})
    // Extract records the first denial it meets (its parsers run in map order; here, key order).
    // kingress's own denial (digest) gives way to ingress-nginx's, whatever the keys' order.
    if (outcome.status === 'denied' && (draft.denied === null || draft.denied.by === 'kingress')) draft.denied = {annotation: key, reason: outcome.note!, by: 'ingress-nginx'}
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
    if (!key.startsWith(NGINX_PREFIX) || CANARY_OWN.test(key.slice(NGINX_PREFIX.length)) || report.status === 'invalid' || report.status === 'rejected') continue
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
  if (draft.denied !== null) return {status: 'ignored', note: `every path of this Ingress answers 503 over ${draft.denied.annotation.slice(NGINX_PREFIX.length)}, so this has no effect`}
  for (const [pattern, main, active] of COMPANION_OF) {
    if (pattern.test(name)) {
      if (name === 'session-cookie-expires') return {status: 'partial', note: 'use session-cookie-max-age; Expires is derived from it'}
      if (name === 'auth-signin' && active(draft)) return {status: 'partial', note: 'on 401 the client is redirected to the sign-in URL with rd=<original URL>'}
      return active(draft) ? {status: 'honoured', note: null} : {status: 'ignored', note: `has no effect without ${main}`}
    }
  }
  return {status: 'honoured', note: null}
}
