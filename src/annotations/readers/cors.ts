import {parseList} from '../values.js'
import {type Annotations, BOOL_TEXT, checkedCompanion, COMPANION, type Handler, HEADER_LIST_TEXT, invalid, NGINX_PREFIX, ok, present, valid} from '../outcome.js'
import {CORS_EXPOSE_HEADERS, CORS_EXPOSE_HEADERS_AS_WRITTEN, CORS_METHODS, CORS_METHODS_AS_WRITTEN, CORS_ORIGIN, CORS_ORIGINS, GO_BOOL, GO_INT, goBool, goInt, HEADERS_VARIABLE} from '../validators.js'

/** cors/main.go: the list split on commas, each origin trimmed; one without a scheme is left out, and `*` ends the list. */
function allowedOrigins(value: string): string[] {
  const out: string[] = []
  for (const origin of parseList(value)) {
    if (origin === '*') return ['*']
    if (CORS_ORIGIN.test(origin)) out.push(origin)
  }
  return out
}

const corsOn = (all: Annotations) => goBool(all[`${NGINX_PREFIX}enable-cors`] ?? '') === true
const DEFAULT_CORS_METHODS = 'GET, PUT, POST, DELETE, PATCH, OPTIONS'
const DEFAULT_CORS_HEADERS = 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization'

// cors/main.go Parse checks these two again as written, after the validator passed with the spaces removed.
const METHODS = (value: string) => CORS_METHODS(value) && CORS_METHODS_AS_WRITTEN(value)
const EXPOSE_HEADERS = (value: string) => CORS_EXPOSE_HEADERS(value) && CORS_EXPOSE_HEADERS_AS_WRITTEN(value)

/** enable-cors and its cors-* companions (cors/main.go Parse: a refused value is logged, and the default used). */
export const CORS_READERS: Record<string, Handler> = {
  'enable-cors': (value, draft, all) => {
    const on = goBool(value)
    if (on === null) return invalid(BOOL_TEXT, 'does not enable CORS')
    if (!on) return ok
    const origins = all[`${NGINX_PREFIX}cors-allow-origin`]
    const maxAge = goInt(present(all, 'cors-max-age') ?? '')
    draft.cors = {
      // A blank list passes the validator, then parseString's InvalidContent: every origin, as for a refused one.
      allowOrigin: origins === undefined || origins.trim() === '' || !CORS_ORIGINS(origins) ? ['*'] : allowedOrigins(origins),
      allowMethods: valid(all, 'cors-allow-methods', METHODS) ?? DEFAULT_CORS_METHODS,
      allowHeaders: valid(all, 'cors-allow-headers', HEADERS_VARIABLE) ?? DEFAULT_CORS_HEADERS,
      exposeHeaders: valid(all, 'cors-expose-headers', EXPOSE_HEADERS),
      allowCredentials: goBool(all[`${NGINX_PREFIX}cors-allow-credentials`] ?? '') ?? true,
      maxAge: maxAge ?? 1728000,
    }
    return ok
  },
  'cors-allow-origin': (value, _draft, all) => {
    if (!corsOn(all) || value === '') return COMPANION
    if (!CORS_ORIGINS(value)) return invalid('must be a comma-separated list of origins such as https://app.example.com, or *', 'allows every origin (*)')
    const skipped = parseList(value).filter((origin) => !CORS_ORIGIN.test(origin))
    return skipped.length > 0 ? invalid(`${skipped.map((o) => JSON.stringify(o)).join(', ')} is not an origin with a scheme (e.g. https://${skipped[0]})`, 'leaves it out of the list') : COMPANION
  },
  'cors-allow-methods': checkedCompanion(corsOn, METHODS, invalid('must be a comma-separated list of methods', `allows ${DEFAULT_CORS_METHODS}`)),
  'cors-allow-headers': checkedCompanion(corsOn, HEADERS_VARIABLE, invalid(HEADER_LIST_TEXT, 'allows its default headers')),
  'cors-expose-headers': checkedCompanion(corsOn, EXPOSE_HEADERS, invalid(HEADER_LIST_TEXT, 'exposes none')),
  'cors-allow-credentials': checkedCompanion(corsOn, GO_BOOL, invalid(BOOL_TEXT, 'allows credentials')),
  'cors-max-age': checkedCompanion(corsOn, GO_INT, invalid('must be a number of seconds', 'uses 1728000')),
}
