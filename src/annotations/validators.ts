/**
 * ingress-nginx's annotation validators (internal/ingress/annotations/parser/validators.go), as
 * they accept and refuse values. checkAnnotation runs an annotation's validator on every non-empty
 * value before its parser sees it; what a refusal costs depends on the parser (parse.ts).
 */

export type Validator = (value: string) => boolean

// The character sets validators.go builds its regexes from.
const ALPHANUMERIC = String.raw`\-._~a-zA-Z0-9/:`
const REGEX_CHARS = String.raw`\^$[\](){}*+?|&=\\`
const URL_CHARS = String.raw`,:?&=`

/** ValidateRegex: a match once spaces are removed (when asked), and never a CR or LF. */
function regexValidator(pattern: RegExp, removeSpace: boolean): Validator {
  return (value) => {
    const checked = removeSpace ? value.replaceAll(' ', '') : value
    return pattern.test(checked) && !/[\r\n]/.test(checked)
  }
}

/** ValidateOptions: one of the options exactly, after trimming and, unless case-sensitive, lowercasing. */
function optionsValidator(options: readonly string[], caseSensitive: boolean): Validator {
  return (value) => {
    const trimmed = value.trim()
    return options.includes(caseSensitive ? trimmed : trimmed.toLowerCase())
  }
}

/** ValidateBool: Go's strconv.ParseBool, which neither trims nor accepts other casings. */
export const GO_BOOL: Validator = (value) => GO_BOOL_VALUES.has(value)
const GO_BOOL_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'])

/** The value strconv.ParseBool gives, or null. */
export function goBool(value: string): boolean | null {
  if (!GO_BOOL_VALUES.has(value)) return null
  return value === '1' || value.toLowerCase().startsWith('t')
}

/** ValidateInt: Go's strconv.Atoi (a sign, then decimal digits; no spaces). */
export const GO_INT: Validator = (value) => /^[+-]?\d+$/.test(value) && Number.isSafeInteger(Number(value))

/** The value strconv.Atoi gives, or null. */
export function goInt(value: string): number | null {
  return GO_INT(value) ? Number(value) : null
}

const URL_IS_VALID_REGEX = new RegExp(`^[${ALPHANUMERIC}${URL_CHARS}]*$`)
/** URLIsValidRegex: letters, digits, - . _ ~ / : , ? & = only. No %, #, $, @, + or ;. */
export const URL_IS_VALID: Validator = regexValidator(URL_IS_VALID_REGEX, false)
/** The same, spaces removed first (session-cookie-path). */
export const URL_IS_VALID_SPACES_REMOVED: Validator = regexValidator(URL_IS_VALID_REGEX, true)

/** URLWithNginxVariableRegex: URLIsValidRegex's characters, a space and $ (nginx variables). */
export const URL_WITH_NGINX_VARIABLE: Validator = regexValidator(new RegExp(`^[${ALPHANUMERIC}, ${URL_CHARS}$]*$`), true)

const PATH_WITH_CAPTURE_REGEX = new RegExp(`^/?[${ALPHANUMERIC}/$]*$`)
/** RegexPathWithCapture: a path of letters, digits, - . _ ~ / : and $ (capture references): rewrite-target, app-root. */
export const PATH_WITH_CAPTURE: Validator = regexValidator(PATH_WITH_CAPTURE_REGEX, false)
/** The same, spaces removed first (x-forwarded-prefix). */
export const PATH_WITH_CAPTURE_SPACES_REMOVED: Validator = regexValidator(PATH_WITH_CAPTURE_REGEX, true)

const IS_VALID_REGEX = regexValidator(new RegExp(`^[/${ALPHANUMERIC}${REGEX_CHARS}]*$`), false)
/** ValidateServerName: IsValidRegex on the trimmed value (letters, digits, - . _ ~ / : and regex characters). */
export const SERVER_NAME: Validator = (value) => IS_VALID_REGEX(value.trim())

/** BasicCharsRegex: letters, digits, - . _ ~ / :. */
export const BASIC_CHARS: Validator = regexValidator(new RegExp(`^[/${ALPHANUMERIC}]*$`), true)

/** CharsWithSpace: BasicCharsRegex's characters and a space. */
export const CHARS_WITH_SPACE: Validator = regexValidator(new RegExp(`^[/${ALPHANUMERIC} ]*$`), false)

/** HeadersVariable: header names as a comma list (letters, digits, -, _, comma, space). */
export const HEADERS_VARIABLE: Validator = regexValidator(/^[A-Za-z0-9\-_, ]*$/, true)

/** SizeRegex: digits and an optional unit b, k, m or g, any case. */
export const SIZE: Validator = regexValidator(/^\d+[bkmg]?$/i, true)

/** upstreamhashby/main.go: nginx variables and literals (letters, digits, -, _, $, { and }). */
export const HASH_BY: Validator = regexValidator(/^[A-Za-z0-9\-_${}]*$/, true)

/** authreq/main.go methodsRegex: one upper-case method. */
export const AUTH_METHOD: Validator = regexValidator(/^(GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE)$/, true)

/** auth/main.go authTypeRegex: not anchored, so any value that contains basic or digest passes. */
export const AUTH_TYPE: Validator = regexValidator(/basic|digest/, true)

/** auth/main.go authSecretTypeRegex: not anchored either. */
export const AUTH_SECRET_TYPE: Validator = regexValidator(/auth-file|auth-map/, true)

/** sessionaffinity/main.go affinityCookieExpiresRegex `(^0|-?[1-9]\d*$)`, anchored on one side per branch (session-cookie-max-age). */
export const COOKIE_EXPIRES: Validator = regexValidator(/(^0|-?[1-9]\d*$)/, false)

/** The options validators of backend-protocol, load-balance, proxy-buffering, affinity and affinity-mode. */
export const BACKEND_PROTOCOL: Validator = optionsValidator(['auto_http', 'http', 'https', 'grpc', 'grpcs', 'fcgi'], false)
export const LOAD_BALANCE: Validator = optionsValidator(['round_robin', 'chash', 'chashsubset', 'sticky_balanced', 'sticky_persistent', 'ewma'], true)
export const PROXY_BUFFERING: Validator = optionsValidator(['on', 'off'], true)
export const AFFINITY: Validator = optionsValidator(['cookie'], true)
export const AFFINITY_MODE: Validator = optionsValidator(['balanced', 'persistent'], true)

// cors/main.go's regexes, rewritten without nested repetition: Go's engine is linear, JavaScript's
// backtracks, and a long malformed value must not hang `kingress validate`. Each accepts what its
// original accepts: runs that the original splits into items join into one run here.
/** corsOriginRegexValidator: host characters, commas, `*.`, `:` and a port digit, `://` after a letter; or `*`. */
export const CORS_ORIGINS: Validator = regexValidator(/^(?:\*|(?:[A-Za-z0-9.\-,]|\*\.|(?<=[a-z]):\/\/|:\d)*)$/, true)
/** corsOriginRegex: one origin of the list, checked again when the list is split. */
export const CORS_ORIGIN = /^([a-z]+:\/\/(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|\*|null)?$/
const CORS_METHODS_REGEX = /^[A-Za-z]+(?:(?:,[\t\n\f\r ]?|[\t\n\f\r ])[A-Za-z]+)*(?:,[\t\n\f\r ]?|[\t\n\f\r ])?$/
/** corsMethodsRegex `^([A-Za-z]+,?\s?)+$`. */
export const CORS_METHODS: Validator = regexValidator(CORS_METHODS_REGEX, true)
/** cors/main.go checks the value again, as written (trimmed), after the validator passed. */
export const CORS_METHODS_AS_WRITTEN: Validator = (value) => CORS_METHODS_REGEX.test(value.trim())
/** corsExposeHeadersRegex `^(([A-Za-z0-9\-\_]+|\*),?\s?)+$`. */
const CORS_EXPOSE_HEADERS_REGEX = /^[A-Za-z0-9\-_*]+(?:(?:,[\t\n\f\r ]?|[\t\n\f\r ])[A-Za-z0-9\-_*]+)*(?:,[\t\n\f\r ]?|[\t\n\f\r ])?$/
export const CORS_EXPOSE_HEADERS: Validator = regexValidator(CORS_EXPOSE_HEADERS_REGEX, true)
export const CORS_EXPOSE_HEADERS_AS_WRITTEN: Validator = (value) => CORS_EXPOSE_HEADERS_REGEX.test(value.trim())

/** authreq/main.go ValidHeader: one header name of auth-response-headers. */
export const HEADER_NAME = /^[a-zA-Z\d\-_]+$/
