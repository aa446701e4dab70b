import type {Cidr} from './values.js'

/** What an Ingress's ingress-nginx annotations ask of the data plane, parsed and checked once at compile time. */
export interface IngressPolicy {
  readonly useRegex: boolean
  readonly rewriteTarget: string | null
  readonly appRoot: string | null
  readonly xForwardedPrefix: string | null
  readonly upstreamVhost: string | null
  readonly redirect: {readonly url: string; readonly code: number} | null
  readonly fromToWwwRedirect: boolean
  /** null: the default (redirect when the host has TLS). */
  readonly sslRedirect: boolean | null
  readonly forceSslRedirect: boolean
  readonly backendProtocol: 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS'
  readonly connectTimeoutMs: number | null
  readonly readTimeoutMs: number | null
  readonly sendTimeoutMs: number | null
  /** Bytes; 0 is unlimited; null is kingress's default (unlimited unless --profile ingress-nginx). */
  readonly bodySizeLimit: number | null
  readonly proxyBuffering: boolean
  readonly serviceUpstream: boolean
  readonly loadBalance: 'round_robin' | 'ewma'
  readonly upstreamHashBy: string | null
  readonly affinity: {readonly cookieName: string; readonly maxAgeSeconds: number | null; readonly path: string | null} | null
  readonly canary: CanaryPolicy | null
  readonly allowSourceRanges: readonly Cidr[] | null
  readonly denySourceRanges: readonly Cidr[] | null
  readonly limitRps: number | null
  readonly limitConnections: number | null
  readonly limitStatusCode: number
  readonly cors: CorsPolicy | null
  readonly basicAuth: {readonly secretNamespace: string; readonly secretName: string; readonly realm: string; readonly secretType: 'auth-file' | 'auth-map'} | null
  readonly externalAuth: {readonly url: string; readonly method: string | null; readonly responseHeaders: readonly string[]; readonly signin: string | null} | null
  /** Every path of the Ingress answers 503: ingress-nginx denies its locations (a LocationDenied annotation error), or kingress does not emulate what they ask. */
  readonly denied: LocationDenial | null
}

export interface LocationDenial {
  /** The full annotation key. */
  readonly annotation: string
  readonly reason: string
  readonly by: 'ingress-nginx' | 'kingress'
}

export interface CanaryPolicy {
  readonly weight: number
  readonly weightTotal: number
  readonly header: string | null
  readonly headerValue: string | null
  readonly cookie: string | null
}

export interface CorsPolicy {
  readonly allowOrigin: readonly string[]
  readonly allowMethods: string
  readonly allowHeaders: string
  readonly exposeHeaders: string | null
  readonly allowCredentials: boolean
  readonly maxAge: number
}

export const DEFAULT_POLICY: IngressPolicy = {
  useRegex: false,
  rewriteTarget: null,
  appRoot: null,
  xForwardedPrefix: null,
  upstreamVhost: null,
  redirect: null,
  fromToWwwRedirect: false,
  sslRedirect: null,
  forceSslRedirect: false,
  backendProtocol: 'HTTP',
  connectTimeoutMs: null,
  readTimeoutMs: null,
  sendTimeoutMs: null,
  bodySizeLimit: null,
  proxyBuffering: false,
  serviceUpstream: false,
  loadBalance: 'round_robin',
  upstreamHashBy: null,
  affinity: null,
  canary: null,
  allowSourceRanges: null,
  denySourceRanges: null,
  limitRps: null,
  limitConnections: null,
  limitStatusCode: 503,
  cors: null,
  basicAuth: null,
  externalAuth: null,
  denied: null,
}

/**
 * invalid: ingress-nginx ignores the value and uses its default; denied: it serves every path of
 * the Ingress as 503; rejected: it refuses the whole Ingress (admission webhook, and the controller
 * does not load it).
 */
export type AnnotationStatus = 'honoured' | 'partial' | 'ignored' | 'invalid' | 'denied' | 'rejected'

/** One line of `kingress validate`/`routes`'s annotation report. */
export interface AnnotationReport {
  readonly key: string
  readonly value: string
  readonly status: AnnotationStatus
  /** How kingress differs (partial), why it does nothing (ignored), or what is wrong (invalid, denied, rejected). */
  readonly note: string | null
}
