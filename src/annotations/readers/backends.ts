import type {IngressPolicy} from '../policy.js'
import {parseInteger, parseSize} from '../values.js'
import {type Annotations, BASIC_CHARS_TEXT, BLANK, BOOL_TEXT, checkedCompanion, COMPANION, type Handler, invalid, NGINX_PREFIX, ok, rejected, URL_CHARS_TEXT, valid} from '../outcome.js'
import {AFFINITY, AFFINITY_MODE, BACKEND_PROTOCOL, BASIC_CHARS, COOKIE_EXPIRES, goBool, goInt, HASH_BY, LOAD_BALANCE, PROXY_BUFFERING, SIZE, URL_IS_VALID_SPACES_REMOVED} from '../validators.js'

function timeout(key: 'connectTimeoutMs' | 'readTimeoutMs' | 'sendTimeoutMs'): Handler {
  return (value, draft) => {
    const seconds = goInt(value)
    if (seconds === null) return invalid('must be a whole number of seconds, e.g. "120"', 'uses its default')
    // Atoi takes the sign, and the template writes e.g. `proxy_read_timeout -5s;`, which nginx refuses.
    if (seconds < 0) return {status: 'invalid', note: 'a negative time: ingress-nginx writes it into nginx.conf, where nginx refuses it; kingress uses the default'}
    draft[key] = seconds * 1000
    return ok
  }
}

/** A Max-Age in seconds, when the value is a whole number (a negative one is 0). */
function maxAgeOf(value: string): number | null {
  const seconds = parseInteger(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  return seconds === null ? null : Math.max(0, seconds)
}

const affinityOn = (all: Annotations) => AFFINITY(all[`${NGINX_PREFIX}affinity`] ?? '')

/** backend-protocol, the proxy-* settings, service-upstream, load-balance, upstream-hash-by, affinity. */
export const BACKEND_READERS: Record<string, Handler> = {
  'backend-protocol': (value, draft) => {
    if (!BACKEND_PROTOCOL(value)) return invalid('must be one of HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP, FCGI', 'sends HTTP')
    const upper = value.trim().toUpperCase()
    if (upper === 'AUTO_HTTP' || upper === 'FCGI') return {status: 'ignored', note: `${upper} is not supported by kingress; requests are sent as HTTP`}
    draft.backendProtocol = upper as IngressPolicy['backendProtocol']
    if (upper === 'HTTPS') return {status: 'partial', note: "TLS to the endpoint without verifying its certificate or sending SNI (as ingress-nginx's default proxy-ssl-verify: off); the proxy-ssl-* annotations are not emulated"}
    if (upper === 'GRPC') return {status: 'partial', note: 'forwarded over HTTP/2 cleartext (h2c) with trailers relayed; gRPC clients need HTTP/2, which kingress speaks on its HTTPS listener only (as ingress-nginx)'}
    if (upper === 'GRPCS') return {status: 'partial', note: "HTTP/2 over TLS to the endpoint, its certificate not verified; gRPC clients need kingress's HTTPS listener (HTTP/2)"}
    return ok
  },
  'proxy-connect-timeout': timeout('connectTimeoutMs'),
  'proxy-read-timeout': timeout('readTimeoutMs'),
  'proxy-send-timeout': (value, draft, all, namespace) => {
    const outcome = timeout('sendTimeoutMs')(value, draft, all, namespace)
    return outcome.status ? outcome : {status: 'partial', note: 'timed between two chunks of the request body relayed upstream: kingress streams request bodies, nginx buffers them first'}
  },
  'proxy-body-size': (value, draft) => {
    const size = SIZE(value) ? parseSize(value.replaceAll(' ', '')) : null
    if (size === null) return invalid('must be an nginx size such as "8m", "512k" or "0" (unlimited)', 'uses its default')
    draft.bodySizeLimit = size
    return ok
  },
  'proxy-buffering': (value, draft) => {
    if (!PROXY_BUFFERING(value)) return invalid('must be "on" or "off" (lower case)', 'does not buffer')
    const on = value.trim() === 'on'
    draft.proxyBuffering = on
    return on ? {status: 'partial', note: 'kingress always streams responses: a slow client holds the upstream connection open, where nginx would buffer the response and free it'} : ok
  },
  'service-upstream': (value, draft) => {
    const parsed = goBool(value)
    // serviceupstream/main.go returns the zero value, not the ConfigMap's default, for a bad value.
    if (parsed === null) return invalid(BOOL_TEXT, 'uses false')
    draft.serviceUpstream = parsed
    return parsed ? {status: 'partial', note: "there is no Service cluster IP locally: kingress balances across the Service's endpoints itself (and retries another endpoint on connection errors, which ingress-nginx cannot do with service-upstream)"} : ok
  },
  'load-balance': (value, draft) => {
    if (!LOAD_BALANCE(value)) return rejected('must be one of round_robin, ewma, chash, chashsubset, sticky_balanced, sticky_persistent')
    const v = value.trim()
    if (v === 'round_robin' || v === 'ewma') {
      draft.loadBalance = v
      return ok
    }
    return {status: 'ignored', note: `${v} is not emulated: kingress balances round robin (use upstream-hash-by or affinity for stickiness)`}
  },
  'upstream-hash-by': (value, draft) => {
    if (!HASH_BY(value)) return rejected('may hold only nginx variables and letters, digits, - and _ (e.g. "$request_uri")')
    if (value.trim() === '') return BLANK
    draft.upstreamHashBy = value.trim()
    return ok
  },
  'upstream-hash-by-subset': () => ({status: 'ignored', note: 'subset hashing is not emulated; plain consistent hashing is used'}),
  affinity: (value, draft, all) => {
    if (!AFFINITY(value)) return invalid('the only value is "cookie"', 'keeps no session affinity')
    const maxAge = valid(all, 'session-cookie-max-age', COOKIE_EXPIRES)
    draft.affinity = {
      cookieName: valid(all, 'session-cookie-name', BASIC_CHARS)?.trim() ?? 'INGRESSCOOKIE',
      maxAgeSeconds: maxAge === null ? null : maxAgeOf(maxAge),
      path: valid(all, 'session-cookie-path', URL_IS_VALID_SPACES_REMOVED)?.trim() ?? null,
    }
    return ok
  },
  'affinity-mode': checkedCompanion(affinityOn, AFFINITY_MODE, invalid('must be "balanced" or "persistent"', 'uses balanced')),
  'session-cookie-name': checkedCompanion(affinityOn, BASIC_CHARS, invalid(BASIC_CHARS_TEXT, 'names the cookie INGRESSCOOKIE')),
  'session-cookie-max-age': (value, draft, all) => {
    if (!affinityOn(all) || value === '') return COMPANION
    if (!COOKIE_EXPIRES(value)) return invalid('must be a number of seconds', 'sets no Max-Age')
    // affinityCookieExpiresRegex is anchored on one side per branch: `abc1` passes and reaches the balancer as written.
    return maxAgeOf(value) !== null ? COMPANION : {status: 'partial', note: 'not a number of seconds, though ingress-nginx\'s validator lets it pass; kingress sets no Max-Age'}
  },
  'session-cookie-path': checkedCompanion(affinityOn, URL_IS_VALID_SPACES_REMOVED, invalid(URL_CHARS_TEXT, "uses the location's path")),
  'session-cookie-expires': () => COMPANION,
}
