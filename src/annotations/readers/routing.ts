import type {IngressPolicy} from '../policy.js'
import {type Annotations, BOOL_TEXT, COMPANION, type Handler, invalid, ok, PATH_CHARS_TEXT, present, rejected, URL_CHARS_TEXT} from '../outcome.js'
import {goBool, goInt, PATH_WITH_CAPTURE, SERVER_NAME, URL_IS_VALID} from '../validators.js'

function bool(key: 'useRegex' | 'sslRedirect' | 'forceSslRedirect', instead: string): Handler {
  return (value, draft) => {
    const parsed = goBool(value)
    if (parsed === null) return invalid(BOOL_TEXT, instead)
    draft[key] = parsed
    return ok
  }
}

/** A redirect code as redirect.go reads it: not a number rejects the Ingress, out of range is the default code. */
function redirectCode(all: Annotations, key: string, max: number, fallback: number): number {
  const code = goInt(present(all, key) ?? '')
  return code === null || code < 300 || code > max ? fallback : code
}

function redirectCodeCompanion(main: 'permanent-redirect' | 'temporal-redirect', max: number, fallback: number): Handler {
  return (value, draft, all) => {
    // redirect.go Parse reads temporal-redirect first and stops there when it is set.
    const read = main === 'temporal-redirect' ? present(all, 'temporal-redirect') !== null : present(all, 'temporal-redirect') === null
    if (!read) return main === 'permanent-redirect' ? {status: 'ignored', note: 'temporal-redirect is set: ingress-nginx does not read this one'} : COMPANION
    if (value.trim() === '') {
      // parseInt's InvalidContent: a plain error, so Extract drops the whole redirect configuration.
      draft.redirect = null
      draft.fromToWwwRedirect = false
      return invalid('empty', 'redirects nothing, from-to-www-redirect included')
    }
    if (goInt(value) === null) return rejected('must be a whole number, e.g. "308"')
    const code = Number(value)
    if ((code < 300 || code > max) && present(all, main) !== null) return invalid(`must be from 300 to ${max}`, `redirects with ${fallback}`)
    return COMPANION
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
    if (!PATH_WITH_CAPTURE(false)(value)) return invalid(PATH_CHARS_TEXT, 'does not rewrite')
    draft.rewriteTarget = value
    return ok
  },
  'app-root': (value, draft) => {
    if (!PATH_WITH_CAPTURE(false)(value) || !value.startsWith('/')) return invalid(`must be an absolute path such as /app1 and ${PATH_CHARS_TEXT}`, 'does not redirect /')
    draft.appRoot = value
    return ok
  },
  'x-forwarded-prefix': (value, draft) => {
    if (!PATH_WITH_CAPTURE(true)(value)) return rejected(PATH_CHARS_TEXT)
    draft.xForwardedPrefix = value.trim()
    return ok
  },
  'upstream-vhost': (value, draft) => {
    if (!SERVER_NAME(value)) return rejected('must be a host name (letters, digits and - . _ ~ : /)')
    draft.upstreamVhost = value.trim()
    return ok
  },
  'permanent-redirect': (value, draft, all) => {
    if (present(all, 'temporal-redirect') !== null) return {status: 'ignored', note: 'temporal-redirect takes precedence: ingress-nginx reads it first and then not this one'}
    if (!URL_IS_VALID(false)(value)) return rejected(URL_CHARS_TEXT)
    draft.redirect = {url: value.trim(), code: redirectCode(all, 'permanent-redirect-code', 308, 301)}
    return ok
  },
  'permanent-redirect-code': redirectCodeCompanion('permanent-redirect', 308, 301),
  'temporal-redirect': (value, draft, all) => {
    if (!URL_IS_VALID(false)(value)) return rejected(URL_CHARS_TEXT)
    if (!urlScheme(value.trim()).startsWith('http')) {
      // redirect.go isValidURL: a plain error, so Extract drops the whole redirect configuration.
      draft.fromToWwwRedirect = false
      return invalid('must be an absolute http:// or https:// URL', 'redirects nothing, from-to-www-redirect included')
    }
    draft.redirect = {url: value.trim(), code: redirectCode(all, 'temporal-redirect-code', 307, 302)}
    return ok
  },
  'temporal-redirect-code': redirectCodeCompanion('temporal-redirect', 307, 302),
  'from-to-www-redirect': (value, draft) => {
    const parsed = goBool(value)
    if (parsed === null) return rejected(BOOL_TEXT)
    draft.fromToWwwRedirect = parsed
    return ok
  },
  'ssl-redirect': bool('sslRedirect', 'redirects to HTTPS when the host has TLS'),
  'force-ssl-redirect': bool('forceSslRedirect', 'does not force the redirect'),
}
