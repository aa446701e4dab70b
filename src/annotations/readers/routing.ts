import type {IngressPolicy} from '../policy.js'
import {type Annotations, BLANK, BOOL_TEXT, COMPANION, type Handler, invalid, NGINX_PREFIX, ok, type Outcome, PATH_CHARS_TEXT, rejected, URL_CHARS_TEXT} from '../outcome.js'
import {goBool, goInt, PATH_WITH_CAPTURE, PATH_WITH_CAPTURE_SPACES_REMOVED, SERVER_NAME, URL_IS_VALID} from '../validators.js'

function bool(key: 'useRegex' | 'sslRedirect' | 'forceSslRedirect', instead: string): Handler {
  return (value, draft) => {
    const parsed = goBool(value)
    if (parsed === null) return invalid(BOOL_TEXT, instead)
    draft[key] = parsed
    return ok
  }
}

const REDIRECT_KEYS = ['from-to-www-redirect', 'relative-redirects', 'temporal-redirect', 'temporal-redirect-code', 'permanent-redirect', 'permanent-redirect-code'] as const
type RedirectKey = (typeof REDIRECT_KEYS)[number]

interface RedirectReading {
  readonly redirect: IngressPolicy['redirect']
  readonly fromToWww: boolean
  readonly outcomes: Partial<Record<RedirectKey, Outcome>>
}

const NO_REDIRECT = {redirect: null, fromToWww: false}

/**
 * redirect.go Parse, in its order: from-to-www-redirect, relative-redirects, temporal-redirect
 * (and its code; when it is set, permanent-redirect is not read at all), then permanent-redirect
 * and its code. A value
 * the validator refuses is returned, so the Ingress is rejected; an empty one is parseString's
 * InvalidContent and a non-http temporal URL isValidURL's plain error, and Extract drops the whole
 * redirect configuration, from-to-www-redirect with it.
 */
function readRedirects(all: Annotations): RedirectReading {
  const value = (key: RedirectKey) => all[NGINX_PREFIX + key]
  const dropped = (key: RedirectKey, what: string): RedirectReading => {
    const outcomes: Partial<Record<RedirectKey, Outcome>> = {[key]: invalid(what, 'redirects nothing, from-to-www-redirect included')}
    for (const later of REDIRECT_KEYS.slice(REDIRECT_KEYS.indexOf(key) + 1)) if (value(later) !== undefined) outcomes[later] = {status: 'ignored', note: `${key} is ${what === 'empty' ? 'empty' : 'not usable'}: ingress-nginx drops the redirect configuration`}
    return {...NO_REDIRECT, outcomes}
  }
  const refused = (key: RedirectKey, what: string): RedirectReading => ({...NO_REDIRECT, outcomes: {[key]: rejected(what)}})

  const www = value('from-to-www-redirect')
  if (www === '') return dropped('from-to-www-redirect', 'empty')
  const fromToWww = www === undefined ? false : goBool(www)
  if (fromToWww === null) return refused('from-to-www-redirect', BOOL_TEXT)
  const relative = value('relative-redirects')
  if (relative === '') return dropped('relative-redirects', 'empty')
  if (relative !== undefined && goBool(relative) === null) return refused('relative-redirects', BOOL_TEXT)

  const temporal = value('temporal-redirect')
  if (temporal === '') return dropped('temporal-redirect', 'empty')
  if (temporal !== undefined) {
    if (!URL_IS_VALID(temporal)) return refused('temporal-redirect', URL_CHARS_TEXT)
    const outcomes: Partial<Record<RedirectKey, Outcome>> = {}
    for (const key of ['permanent-redirect', 'permanent-redirect-code'] as const) if (value(key) !== undefined) outcomes[key] = {status: 'ignored', note: 'temporal-redirect is set: ingress-nginx does not read this one'}
    const codeText = value('temporal-redirect-code')
    if (codeText === '') return dropped('temporal-redirect-code', 'empty')
    const code = codeText === undefined ? 302 : goInt(codeText)
    if (code === null) return refused('temporal-redirect-code', 'must be a whole number, e.g. "307"')
    if (code < 300 || code > 307) outcomes['temporal-redirect-code'] = invalid('must be from 300 to 307', 'redirects with 302')
    if (!urlScheme(temporal.trim()).startsWith('http')) return dropped('temporal-redirect', 'must be an absolute http:// or https:// URL')
    return {redirect: {url: temporal.trim(), code: code < 300 || code > 307 ? 302 : code}, fromToWww, outcomes}
  }

  const permanent = value('permanent-redirect')
  if (permanent === '') return dropped('permanent-redirect', 'empty')
  if (permanent !== undefined && !URL_IS_VALID(permanent)) return refused('permanent-redirect', URL_CHARS_TEXT)
  const codeText = value('permanent-redirect-code')
  if (codeText === '') return dropped('permanent-redirect-code', 'empty')
  const code = codeText === undefined ? 301 : goInt(codeText)
  if (code === null) return refused('permanent-redirect-code', 'must be a whole number, e.g. "308"')
  const inRange = code >= 300 && code <= 308
  const outcomes: Partial<Record<RedirectKey, Outcome>> = !inRange && permanent !== undefined ? {'permanent-redirect-code': invalid('must be from 300 to 308', 'redirects with 301')} : {}
  return {redirect: permanent === undefined ? null : {url: permanent.trim(), code: inRange ? code : 301}, fromToWww, outcomes}
}

const RELATIVE_NOT_EMULATED: Outcome = {status: 'ignored', note: "not emulated: the Location of nginx's own redirects stays absolute in kingress"}

function redirectReader(key: RedirectKey): Handler {
  return (_value, draft, all) => {
    const reading = readRedirects(all)
    draft.redirect = reading.redirect
    draft.fromToWwwRedirect = reading.fromToWww
    return reading.outcomes[key] ?? (key === 'relative-redirects' ? RELATIVE_NOT_EMULATED : key.endsWith('-code') ? COMPANION : ok)
  }
}

/** Go's url.Parse scheme: letters, digits, + - . after a letter, before the first colon. */
function urlScheme(url: string): string {
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? ''
}

/** use-regex, rewrite-target, app-root, x-forwarded-prefix, upstream-vhost, and the redirects. */
export const ROUTING_READERS: Record<string, Handler> = {
  'use-regex': bool('useRegex', 'matches paths as prefixes'),
  'rewrite-target': (value, draft) => {
    if (!PATH_WITH_CAPTURE(value)) return invalid(PATH_CHARS_TEXT, 'does not rewrite')
    draft.rewriteTarget = value
    return ok
  },
  'app-root': (value, draft) => {
    if (!PATH_WITH_CAPTURE(value) || !value.startsWith('/')) return invalid(`must be an absolute path such as /app1 and ${PATH_CHARS_TEXT}`, 'does not redirect /')
    draft.appRoot = value
    return ok
  },
  'x-forwarded-prefix': (value, draft) => {
    if (!PATH_WITH_CAPTURE_SPACES_REMOVED(value)) return rejected(PATH_CHARS_TEXT)
    if (value.trim() === '') return BLANK
    draft.xForwardedPrefix = value.trim()
    return ok
  },
  'upstream-vhost': (value, draft) => {
    if (!SERVER_NAME(value)) return rejected('must be a host name (letters, digits and - . _ ~ : /)')
    if (value.trim() === '') return BLANK
    draft.upstreamVhost = value.trim()
    return ok
  },
  'from-to-www-redirect': redirectReader('from-to-www-redirect'),
  'relative-redirects': redirectReader('relative-redirects'),
  'temporal-redirect': redirectReader('temporal-redirect'),
  'temporal-redirect-code': redirectReader('temporal-redirect-code'),
  'permanent-redirect': redirectReader('permanent-redirect'),
  'permanent-redirect-code': redirectReader('permanent-redirect-code'),
  'ssl-redirect': bool('sslRedirect', 'redirects to HTTPS when the host has TLS'),
  'force-ssl-redirect': bool('forceSslRedirect', 'does not force the redirect'),
}
