import {parseCidr, parseInteger, type Cidr} from '../values.js'
import {type Annotations, BASIC_CHARS_TEXT, BOOL_TEXT, checkedCompanion, denied, type Handler, invalid, NGINX_PREFIX, ok, present, rejected, valid} from '../outcome.js'
import {BASIC_CHARS, GO_INT, goBool, goInt} from '../validators.js'

/** allowlist-source-range, with whitelist-source-range as its alias: the alias counts only when the main one is empty or absent (validators.go checkAnnotation). */
function allowlistValue(all: Annotations): string | undefined {
  const main = all[`${NGINX_PREFIX}allowlist-source-range`]
  if (main !== undefined && main !== '') return main
  const alias = all[`${NGINX_PREFIX}whitelist-source-range`]
  if (alias !== undefined && alias !== '') return alias
  // An empty main annotation is present but empty: parseString's InvalidContent, a denied location.
  return main
}

function ranges(key: 'allowSourceRanges' | 'denySourceRanges'): Handler {
  return (value, draft, all) => {
    if (key === 'allowSourceRanges') {
      const effective = allowlistValue(all)
      if (effective === undefined) return {status: 'ignored', note: 'empty: no restriction'}
      if (effective !== value) return {status: 'ignored', note: 'allowlist-source-range is set: ingress-nginx reads whitelist-source-range only when it is empty or absent'}
    }
    if (value.trim() === '') return denied('empty: list the addresses to match, e.g. 10.0.0.0/8, 192.168.1.1')
    // internal/net/ipnet.go ParseCIDRs: every comma-separated item, trimmed, is a CIDR or an address.
    const parsed: Cidr[] = []
    for (const item of value.split(',').map((s) => s.trim())) {
      const cidr = parseCidr(item)
      if (!cidr) return denied(item === '' ? 'an empty item in the list (a trailing comma?)' : `"${item}" is not an IP address or CIDR range (e.g. 10.0.0.0/8, 192.168.1.1)`)
      parsed.push(cidr)
    }
    draft[key] = parsed
    return ok
  }
}

const canaryOn = (all: Annotations) => goBool(all[`${NGINX_PREFIX}canary`] ?? '') === true

/** canary, the source ranges, the limits. */
export const TRAFFIC_READERS: Record<string, Handler> = {
  canary: (value, draft, all) => {
    const on = goBool(value)
    if (on === null) return invalid(BOOL_TEXT, 'serves this Ingress as an ordinary one, not as a canary')
    if (!on) return ok
    const weightTotal = goInt(present(all, 'canary-weight-total') ?? '') ?? 100
    const weight = goInt(present(all, 'canary-weight') ?? '') ?? 0
    draft.canary = {
      // The balancer's draw: a weight at or above the total sends everything, at or below 0 nothing.
      weight: Math.min(Math.max(weight, 0), Math.max(weightTotal, 1)),
      weightTotal: Math.max(weightTotal, 1),
      header: valid(all, 'canary-by-header', BASIC_CHARS)?.trim() ?? null,
      headerValue: valid(all, 'canary-by-header-value', BASIC_CHARS)?.trim() ?? null,
      cookie: valid(all, 'canary-by-cookie', BASIC_CHARS)?.trim() ?? null,
    }
    return ok
  },
  'canary-weight': checkedCompanion(canaryOn, GO_INT, invalid('must be a whole number', 'uses 0')),
  'canary-weight-total': checkedCompanion(canaryOn, GO_INT, invalid('must be a whole number', 'uses 100')),
  'canary-by-header': checkedCompanion(canaryOn, BASIC_CHARS, invalid(BASIC_CHARS_TEXT, 'does not route by header')),
  'canary-by-header-value': checkedCompanion(canaryOn, BASIC_CHARS, invalid(BASIC_CHARS_TEXT, 'matches the header by "always"/"never" only')),
  'canary-by-cookie': checkedCompanion(canaryOn, BASIC_CHARS, invalid(BASIC_CHARS_TEXT, 'does not route by cookie')),
  'whitelist-source-range': ranges('allowSourceRanges'),
  'allowlist-source-range': ranges('allowSourceRanges'),
  'denylist-source-range': ranges('denySourceRanges'),
  'limit-rps': (value, draft) => {
    const n = goInt(value)
    if (n === null) return rejected('must be a whole number of requests per second')
    if (n <= 0) return {status: 'ignored', note: 'not above 0: no limit'}
    draft.limitRps = n
    return {status: 'partial', note: "per client address, with ingress-nginx's default burst of 5× the rate"}
  },
  'limit-connections': (value, draft) => {
    const n = goInt(value)
    if (n === null) return rejected('must be a whole number of connections')
    if (n <= 0) return {status: 'ignored', note: 'not above 0: no limit'}
    draft.limitConnections = n
    return ok
  },
  'limit-burst-multiplier': () => ({status: 'ignored', note: 'the burst is always 5× limit-rps'}),
  'limit-req-status-code': (value, draft) => {
    const n = parseInteger(value, 400, 599)
    if (n === null) return invalid('must be a 4xx or 5xx status code, e.g. 429', 'answers 503')
    draft.limitStatusCode = n
    return {status: 'partial', note: 'a controller ConfigMap setting in ingress-nginx, not an annotation; kingress reads it per Ingress for limit-rps and limit-connections'}
  },
}
