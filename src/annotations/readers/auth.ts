import {parseList} from '../values.js'
import {type Annotations, checkedCompanion, COMPANION, denied, type Handler, HEADER_LIST_TEXT, invalid, NGINX_PREFIX, ok, present, rejected, URL_CHARS_TEXT, valid} from '../outcome.js'
import {AUTH_METHOD, AUTH_SECRET_TYPE, AUTH_TYPE, BASIC_CHARS, CHARS_WITH_SPACE, HEADER_NAME, HEADERS_VARIABLE, URL_WITH_NGINX_VARIABLE} from '../validators.js'

/**
 * auth/main.go Parse: the Secret named by auth-secret, `name` or `namespace/name`. A missing or
 * malformed name is a denied location, and so is another namespace: allow-cross-namespace-resources
 * is false by default.
 */
function basicAuthSecret(all: Annotations, namespace: string): {secretNamespace: string; secretName: string} | string {
  const text = present(all, 'auth-secret')
  if (text === null) return 'auth-type needs auth-secret naming a Secret with an htpasswd file under the key "auth"'
  if (!BASIC_CHARS(text)) return `auth-secret "${text}" is not a Secret name (letters, digits, - . _ and one / between namespace and name)`
  // cache.SplitMetaNamespaceKey: `name`, `namespace/name` or `/name`; an empty namespace is the Ingress's.
  const parts = text.trim().split('/')
  if (parts.length > 2 || parts.at(-1) === '') return `auth-secret "${text}" is not a Secret name: write name or namespace/name`
  const [ns, name] = parts.length === 2 && parts[0] !== '' ? parts : [namespace, parts.at(-1)]
  if (ns !== namespace) return `auth-secret "${text}" is in another namespace than the Ingress (${namespace}): ingress-nginx's allow-cross-namespace-resources is false by default`
  return {secretNamespace: ns!, secretName: name!}
}

const basicAuthOn = (all: Annotations) => present(all, 'auth-type') !== null && AUTH_TYPE(all[`${NGINX_PREFIX}auth-type`]!)
const externalAuthOn = (all: Annotations) => present(all, 'auth-url') !== null && URL_WITH_NGINX_VARIABLE(all[`${NGINX_PREFIX}auth-url`]!)

/** auth-type (basic) with auth-secret, auth-secret-type, auth-realm; auth-url with its companions. */
export const AUTH_READERS: Record<string, Handler> = {
  'auth-type': (value, draft, all, namespace) => {
    if (!AUTH_TYPE(value)) return rejected('must be "basic" or "digest"')
    const secret = basicAuthSecret(all, namespace)
    if (typeof secret === 'string') return denied(secret)
    // authTypeRegex is not anchored: any other value that passes is nginx's auth_digest (nginx.tmpl).
    if (value.trim() !== 'basic') {
      draft.denied ??= {annotation: `${NGINX_PREFIX}auth-type`, reason: 'digest authentication is not emulated by kingress', by: 'kingress'}
      return {status: 'partial', note: 'digest authentication is not emulated: kingress answers 503 on every path of this Ingress rather than serve them unprotected'}
    }
    const secretType = (all[`${NGINX_PREFIX}auth-secret-type`] ?? '').trim() === 'auth-map' ? 'auth-map' : 'auth-file'
    draft.basicAuth = {...secret, realm: all[`${NGINX_PREFIX}auth-realm`] ?? '', secretType}
    return ok
  },
  'auth-secret': () => COMPANION,
  'auth-secret-type': (value, _draft, all) => {
    if (!basicAuthOn(all) || value === '') return COMPANION
    if (!AUTH_SECRET_TYPE(value)) return rejected('must be "auth-file" or "auth-map"')
    const v = value.trim()
    return v === 'auth-file' || v === 'auth-map' ? COMPANION : denied('must be exactly "auth-file" or "auth-map"')
  },
  'auth-realm': checkedCompanion(basicAuthOn, CHARS_WITH_SPACE, rejected('may hold only letters, digits, spaces and - . _ ~ / :')),
  'auth-url': (value, draft, all) => {
    if (!URL_WITH_NGINX_VARIABLE(value)) return rejected(`${URL_CHARS_TEXT} (and $ for nginx variables)`)
    // Spaces pass the validator; parseString then finds nothing left, and Extract drops it.
    if (value.trim() === '') return {status: 'ignored', note: 'blank: no external authentication'}
    // parser/main.go StringToURL: a scheme and a host, and no ".." in the host.
    let url: URL
    try {
      url = new URL(value.trim())
    } catch {
      return denied('must be an absolute URL, e.g. http://auth.default.svc/verify')
    }
    // Go's url.Parse finds a host only after `//` (WHATWG's URL reads http:/x as host x).
    const goHost = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^/?#@]*@)?([^/?#]*)/.exec(value.trim())?.[1] ?? ''
    if (goHost === '' || goHost.includes('..')) return denied('must name a host, e.g. http://auth.default.svc/verify')
    draft.externalAuth = {
      url: url.toString(),
      // Empty is no method, as in ingress-nginx (authreq/main.go: the template's `if $externalAuth.Method`).
      method: valid(all, 'auth-method', AUTH_METHOD)?.trim() ?? null,
      responseHeaders: parseList(all[`${NGINX_PREFIX}auth-response-headers`] ?? ''),
      signin: valid(all, 'auth-signin', URL_WITH_NGINX_VARIABLE)?.trim() ?? null,
    }
    return ok
  },
  'auth-method': checkedCompanion(externalAuthOn, AUTH_METHOD, denied('must be one upper-case HTTP method, e.g. GET')),
  'auth-response-headers': checkedCompanion(externalAuthOn, (v) => HEADERS_VARIABLE(v) && parseList(v).every((h) => HEADER_NAME.test(h)), denied(HEADER_LIST_TEXT)),
  'auth-signin': checkedCompanion(externalAuthOn, URL_WITH_NGINX_VARIABLE, invalid(`${URL_CHARS_TEXT} (and $ for nginx variables)`, 'answers 401 instead of redirecting to a sign-in page')),
}
