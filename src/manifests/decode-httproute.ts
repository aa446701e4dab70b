import {beginGatewayObject} from './decode-gateway.js'
import type {Diagnostic} from './diagnostic.js'
import {FieldErrors} from './field-error.js'
import {celError, checkInteger, checkString, generationOf, listOf, optionalPort, optionalString, requiredString, RULES} from './gateway-fields.js'
import {
  GATEWAY_GROUP,
  type BackendObjectReference,
  type HTTPBackendRef,
  type HTTPPathMatch,
  type HTTPRoute,
  type HTTPRouteFilter,
  type HTTPRouteFilterType,
  type HTTPRouteMatch,
  type HTTPRouteRule,
  type HTTPValueMatch,
  type ParentReference,
  type PathMatchType,
} from './gateway-model.js'
import {httpRouteSchema} from './gateway-schema.js'
import type {RawObject} from './load.js'
import {decodeMeta} from './meta.js'
import {isRecord} from './schema.js'

/**
 * HTTPRoute validated as the API server validates the standard-channel CRD
 * (apis/v1/httproute_types.go and shared_types.go: OpenAPI markers and CEL rules), with the
 * CRD's defaults applied: a rule without matches matches PathPrefix "/", a backendRef weighs 1.
 */

const PATH_TYPES: readonly PathMatchType[] = ['Exact', 'PathPrefix', 'RegularExpression']
const VALUE_MATCH_TYPES = ['Exact', 'RegularExpression'] as const
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const
const FILTER_TYPES: readonly HTTPRouteFilterType[] = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror', 'RequestRedirect', 'URLRewrite', 'ExtensionRef', 'CORS']
const FILTER_FIELD: Readonly<Record<HTTPRouteFilterType, string>> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
}
const CORS_ORIGIN = '(^\\*$)|(^(http(s)?):\\/\\/(((\\*\\.)?([a-zA-Z0-9\\-]+\\.)*[a-zA-Z0-9-]+|\\*)(:([0-9]{1,5}))?)$)'
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/
const DEFAULT_MATCH: HTTPRouteMatch = {path: {type: 'PathPrefix', value: '/'}, headers: [], queryParams: [], method: null}

export function decodeHTTPRoute(raw: RawObject, diagnostics: Diagnostic[]): HTTPRoute | null {
  const errors = new FieldErrors(raw.positions)
  const done = (route: HTTPRoute | null): HTTPRoute | null => {
    diagnostics.push(...[...errors.diagnostics].sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col))
    return errors.count > 0 ? null : route
  }
  if (!beginGatewayObject(raw, httpRouteSchema, errors)) return done(null)
  const meta = decodeMeta(raw, errors)
  const spec = isRecord(raw.value.spec) ? raw.value.spec : {}
  if (!isRecord(raw.value.spec)) errors.required('spec')

  const parentRefs: ParentReference[] = []
  listOf(errors, spec, 'parentRefs', 'spec.parentRefs', 32).forEach((ref, i) => {
    const decoded = parentReference(raw, ref, `spec.parentRefs[${i}]`, errors)
    if (decoded) parentRefs.push(decoded)
  })

  const hostnames: string[] = []
  ;(Array.isArray(spec.hostnames) ? spec.hostnames : []).forEach((h, i) => {
    if (typeof h === 'string' && checkString(errors, `spec.hostnames[${i}]`, h, RULES.hostname)) hostnames.push(h)
  })
  if (Array.isArray(spec.hostnames) && spec.hostnames.length > 16) errors.tooMany('spec.hostnames', spec.hostnames.length, 16)

  const rules: HTTPRouteRule[] = []
  if (spec.rules === undefined || spec.rules === null) {
    // +kubebuilder:default={{matches: {{path: {type: "PathPrefix", value: "/"}}}}}
    rules.push({at: raw.positions.at('spec'), field: 'spec.rules[0]', name: null, matches: [DEFAULT_MATCH], filters: [], backendRefs: [], timeouts: {request: null, backendRequest: null}})
  } else {
    const items = listOf(errors, spec, 'rules', 'spec.rules', 16, 1)
    items.forEach((rule, i) => rules.push(decodeRule(raw, rule, `spec.rules[${i}]`, errors)))
    const total = items.reduce((sum, rule) => sum + (Array.isArray(rule.matches) && rule.matches.length > 0 ? rule.matches.length : 1), 0)
    if (total > 128) celError(errors, 'spec.rules', 'array', 'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128')
    const names = rules.map((r) => r.name).filter((n): n is string => n !== null)
    const twice = rules.find((r, i) => r.name !== null && names.indexOf(r.name) !== names.lastIndexOf(r.name) && rules.findIndex((o) => o.name === r.name) !== i)
    if (twice) errors.warn(`${twice.field}.name`, `rule name "${twice.name}" is used by another rule of this route; names must be unique within a route (policies and status name rules by it)`)
  }

  return done({kind: 'HTTPRoute', apiVersion: raw.apiVersion, meta, generation: generationOf(raw.value), parentRefs, hostnames, rules})
}

function parentReference(raw: RawObject, ref: Record<string, unknown>, field: string, errors: FieldErrors): ParentReference | null {
  const before = errors.count
  const group = optionalString(errors, ref, 'group', `${field}.group`, RULES.group)
  const kind = optionalString(errors, ref, 'kind', `${field}.kind`, RULES.kind)
  const namespace = optionalString(errors, ref, 'namespace', `${field}.namespace`, RULES.namespace)
  const name = requiredString(errors, ref, 'name', `${field}.name`, RULES.objectName)
  const sectionName = optionalString(errors, ref, 'sectionName', `${field}.sectionName`, RULES.sectionName)
  const port = optionalPort(errors, ref, 'port', `${field}.port`)
  if (errors.count > before || group === undefined || kind === undefined || namespace === undefined || name === null || sectionName === undefined || port === undefined) return null
  return {at: raw.positions.at(field), field, group: group ?? GATEWAY_GROUP, kind: kind ?? 'Gateway', namespace, name, sectionName, port}
}

function decodeRule(raw: RawObject, rule: Record<string, unknown>, field: string, errors: FieldErrors): HTTPRouteRule {
  const name = optionalString(errors, rule, 'name', `${field}.name`, RULES.sectionName) ?? null
  const listed = listOf(errors, rule, 'matches', `${field}.matches`, 64)
  const matches = listed.length === 0 ? [DEFAULT_MATCH] : listed.map((m, j) => decodeMatch(m, `${field}.matches[${j}]`, errors))
  const filters = decodeFilters(raw, rule, field, errors)
  const backendRefs: HTTPBackendRef[] = []
  listOf(errors, rule, 'backendRefs', `${field}.backendRefs`, 16).forEach((ref, k) => {
    const at = `${field}.backendRefs[${k}]`
    const target = backendReference(raw, ref, at, errors)
    let weight = 1
    if (typeof ref.weight === 'number' && Number.isInteger(ref.weight)) {
      if (checkInteger(errors, `${at}.weight`, ref.weight, 0, 1_000_000)) weight = ref.weight
    }
    const refFilters = decodeFilters(raw, ref, at, errors)
    for (const f of refFilters) if (f.type === 'RequestRedirect' && replacesPrefix(f)) prefixMatchRule(matches, `${at}`, 'Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified', errors, field)
    for (const f of refFilters) if (f.type === 'URLRewrite' && replacesPrefix(f)) prefixMatchRule(matches, `${at}`, 'Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified', errors, field)
    if (target) backendRefs.push({...target, weight, filters: refFilters})
  })

  // The CEL rules on HTTPRouteRule.
  if (backendRefs.length > 0 && filters.some((f) => f.type === 'RequestRedirect')) celError(errors, field, 'object', 'RequestRedirect filter must not be used together with backendRefs')
  if (filters.some((f) => f.type === 'RequestRedirect' && replacesPrefix(f))) prefixMatchRule(matches, field, 'When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified', errors)
  if (filters.some((f) => f.type === 'URLRewrite' && replacesPrefix(f))) prefixMatchRule(matches, field, 'When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified', errors)

  const timeouts = {request: null as string | null, backendRequest: null as string | null}
  if (isRecord(rule.timeouts)) {
    timeouts.request = optionalString(errors, rule.timeouts, 'request', `${field}.timeouts.request`, RULES.duration) ?? null
    timeouts.backendRequest = optionalString(errors, rule.timeouts, 'backendRequest', `${field}.timeouts.backendRequest`, RULES.duration) ?? null
    if (timeouts.request !== null && timeouts.backendRequest !== null) {
      const request = durationMs(timeouts.request)
      if (request !== 0 && durationMs(timeouts.backendRequest) > request) celError(errors, `${field}.timeouts`, 'object', 'backendRequest timeout cannot be longer than request timeout')
    }
  }
  return {at: raw.positions.at(field), field, name, matches, filters, backendRefs, timeouts}
}

function prefixMatchRule(matches: readonly HTTPRouteMatch[], field: string, message: string, errors: FieldErrors, ruleField = field): void {
  if (matches.length !== 1 || matches[0]!.path.type !== 'PathPrefix') celError(errors, ruleField, 'object', message, field)
}

function replacesPrefix(filter: HTTPRouteFilter): boolean {
  const path = filter.config.path
  return isRecord(path) && path.type === 'ReplacePrefixMatch' && typeof path.replacePrefixMatch === 'string'
}

/** Gateway API Duration (GEP-2257): up to four `<n>(h|m|s|ms)` parts. */
export function durationMs(value: string): number {
  let total = 0
  for (const [, n, unit] of value.matchAll(/([0-9]{1,5})(h|ms|m|s)/g)) {
    total += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1)
  }
  return total
}

function decodeMatch(match: Record<string, unknown>, field: string, errors: FieldErrors): HTTPRouteMatch {
  let path: HTTPPathMatch = {type: 'PathPrefix', value: '/'}
  if (isRecord(match.path)) {
    const at = `${field}.path`
    const rawType = match.path.type
    let type: PathMatchType = 'PathPrefix'
    if (typeof rawType === 'string') {
      if ((PATH_TYPES as readonly string[]).includes(rawType)) type = rawType as PathMatchType
      else errors.notSupported(`${at}.type`, rawType, PATH_TYPES)
    }
    const value = typeof match.path.value === 'string' ? match.path.value : '/'
    if (value.length > 1024) errors.tooLong(`${at}.value`, 1024)
    if (type === 'Exact' || type === 'PathPrefix') {
      const rule = (ok: boolean, message: string): void => {
        if (!ok) celError(errors, at, 'object', message, `${at}.value`)
      }
      const types = " when type one of ['Exact', 'PathPrefix']"
      rule(value.startsWith('/'), `value must be an absolute path and start with '/'${types}`)
      for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) rule(!value.includes(bad), `must not contain '${bad}'${types}`)
      for (const end of ['/..', '/.']) rule(!value.endsWith(end), `must not end with '${end}'${types}`)
      rule(PATH_CHARS.test(value), "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']")
    } else {
      try {
        new RegExp(value)
      } catch (error) {
        errors.warn(`${at}.value`, `not a regular expression kingress can evaluate (${error instanceof Error ? error.message : String(error)}); RegularExpression syntax is implementation-specific`)
      }
    }
    path = {type, value}
  }
  const headers = valueMatches(match, 'headers', field, 4096, errors)
  const queryParams = valueMatches(match, 'queryParams', field, 1024, errors)
  let method: string | null = null
  if (typeof match.method === 'string') {
    if ((METHODS as readonly string[]).includes(match.method)) method = match.method
    else errors.notSupported(`${field}.method`, match.method, METHODS)
  }
  return {path, headers, queryParams, method}
}

function valueMatches(match: Record<string, unknown>, key: 'headers' | 'queryParams', field: string, maxValue: number, errors: FieldErrors): HTTPValueMatch[] {
  const out: HTTPValueMatch[] = []
  const seen = new Set<string>()
  listOf(errors, match, key, `${field}.${key}`, 16).forEach((entry, k) => {
    const at = `${field}.${key}[${k}]`
    let type: HTTPValueMatch['type'] = 'Exact'
    if (typeof entry.type === 'string') {
      if ((VALUE_MATCH_TYPES as readonly string[]).includes(entry.type)) type = entry.type as HTTPValueMatch['type']
      else errors.notSupported(`${at}.type`, entry.type, VALUE_MATCH_TYPES)
    }
    const name = requiredString(errors, entry, 'name', `${at}.name`, RULES.headerName)
    const value = requiredString(errors, entry, 'value', `${at}.value`, {min: 1, max: maxValue})
    if (name === null || value === null) return
    // listType=map, listMapKey=name; header names compare case-insensitively (the spec: first one wins).
    const keyName = key === 'headers' ? name.toLowerCase() : name
    if (seen.has(keyName)) errors.duplicate(at, {name})
    seen.add(keyName)
    out.push({type, name, value})
  })
  return out
}

function decodeFilters(raw: RawObject, owner: Record<string, unknown>, ownerField: string, errors: FieldErrors): HTTPRouteFilter[] {
  const field = `${ownerField}.filters`
  const out: HTTPRouteFilter[] = []
  const items = listOf(errors, owner, 'filters', field, 16)
  items.forEach((entry, k) => {
    const at = `${field}[${k}]`
    const type = entry.type
    if (typeof type !== 'string') {
      if (type === undefined) errors.required(`${at}.type`)
      return
    }
    if (!(FILTER_TYPES as readonly string[]).includes(type)) return errors.notSupported(`${at}.type`, type, FILTER_TYPES)
    const filterType = type as HTTPRouteFilterType
    for (const other of FILTER_TYPES) {
      const key = FILTER_FIELD[other]
      if (other !== filterType && entry[key] !== undefined) celError(errors, at, 'object', `filter.${key} must be nil if the filter.type is not ${other}`)
    }
    const key = FILTER_FIELD[filterType]
    const config = isRecord(entry[key]) ? (entry[key] as Record<string, unknown>) : null
    if (config === null) return celError(errors, at, 'object', `filter.${key} must be specified for ${filterType} filter.type`)
    const mirrorBackendRef = filterConfig(raw, filterType, config, `${at}.${key}`, errors)
    out.push({at: raw.positions.at(at), field: at, type: filterType, config, mirrorBackendRef})
  })
  const count = (t: HTTPRouteFilterType): number => items.filter((f) => f.type === t).length
  if (count('RequestRedirect') > 0 && count('URLRewrite') > 0) celError(errors, field, 'array', 'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both')
  for (const t of ['CORS', 'RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'] as const) {
    if (count(t) > 1) celError(errors, field, 'array', `${t} filter cannot be repeated`)
  }
  return out
}

/**
 * httproute_types.go HTTPHeader.Value: the experimental channel's pattern ^[!-~]+([\t ]?[!-~]+)*$
 * (the standard channel has none), written so that a backtracking engine takes linear time: the
 * optional separator made a failing value cost 2^length steps.
 */
const PRINTABLE_HEADER_VALUE = /^[!-~]+(?:[\t ][!-~]+)*$/

/** A filter's header value the standard channel accepts but that is not printable US-ASCII: what kingress does with it. */
function headerValueWarning(value: string, field: string, errors: FieldErrors): void {
  if (PRINTABLE_HEADER_VALUE.test(value)) return
  const pattern = 'the experimental channel refuses it: ^[!-~]+([\\t ]?[!-~]+)*$'
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) errors.warn(field, `has a control character, which no HTTP field may carry (${pattern}); requests this filter applies to are answered 502`)
  else if (/[^\x00-\x7f]/.test(value)) errors.warn(field, `is not US-ASCII (${pattern}); kingress sends its UTF-8 bytes`)
  else errors.warn(field, `has leading, trailing or repeated spaces or tabs (${pattern}); kingress sends it as written`)
}

/** The checks inside one filter's own field; answers RequestMirror's backendRef. */
function filterConfig(raw: RawObject, type: HTTPRouteFilterType, config: Record<string, unknown>, field: string, errors: FieldErrors): BackendObjectReference | null {
  switch (type) {
    case 'RequestHeaderModifier':
    case 'ResponseHeaderModifier':
      for (const key of ['set', 'add']) {
        const seen = new Set<string>()
        listOf(errors, config, key, `${field}.${key}`, 16).forEach((header, k) => {
          const at = `${field}.${key}[${k}]`
          const name = requiredString(errors, header, 'name', `${at}.name`, RULES.headerName)
          const value = requiredString(errors, header, 'value', `${at}.value`, {min: 1, max: 4096})
          if (value !== null) headerValueWarning(value, `${at}.value`, errors)
          // listType=map, listMapKey=name; header names compare case-insensitively.
          if (name !== null && seen.has(name.toLowerCase())) errors.duplicate(at, {name})
          if (name !== null) seen.add(name.toLowerCase())
        })
      }
      {
        const remove = Array.isArray(config.remove) ? config.remove : []
        if (remove.length > 16) errors.tooMany(`${field}.remove`, remove.length, 16)
        remove.forEach((name, k) => {
          if (typeof name === 'string' && remove.indexOf(name) !== k) errors.duplicate(`${field}.remove[${k}]`, name)
        })
      }
      return null
    case 'RequestRedirect':
      if (typeof config.scheme === 'string') checkString(errors, `${field}.scheme`, config.scheme, {enum: ['http', 'https']})
      optionalString(errors, config, 'hostname', `${field}.hostname`, RULES.preciseHostname)
      optionalPort(errors, config, 'port', `${field}.port`)
      if (typeof config.statusCode === 'number' && ![301, 302, 303, 307, 308].includes(config.statusCode)) errors.notSupported(`${field}.statusCode`, config.statusCode, ['301', '302', '303', '307', '308'])
      pathModifier(config, `${field}.path`, errors)
      return null
    case 'URLRewrite':
      optionalString(errors, config, 'hostname', `${field}.hostname`, RULES.preciseHostname)
      pathModifier(config, `${field}.path`, errors)
      return null
    case 'RequestMirror': {
      if (config.percent !== undefined && config.fraction !== undefined) celError(errors, field, 'object', 'Only one of percent or fraction may be specified in HTTPRequestMirrorFilter')
      if (typeof config.percent === 'number') checkInteger(errors, `${field}.percent`, config.percent, 0, 100)
      if (isRecord(config.fraction)) {
        const {numerator, denominator = 100} = config.fraction
        if (typeof numerator === 'number') checkInteger(errors, `${field}.fraction.numerator`, numerator, 0)
        else errors.required(`${field}.fraction.numerator`)
        if (typeof denominator === 'number' && checkInteger(errors, `${field}.fraction.denominator`, denominator, 1) && typeof numerator === 'number' && numerator > denominator) {
          celError(errors, `${field}.fraction`, 'object', 'numerator must be less than or equal to denominator')
        }
      }
      if (!isRecord(config.backendRef)) {
        errors.required(`${field}.backendRef`)
        return null
      }
      return backendReference(raw, config.backendRef, `${field}.backendRef`, errors)
    }
    case 'ExtensionRef':
      requiredString(errors, config, 'group', `${field}.group`, RULES.group)
      requiredString(errors, config, 'kind', `${field}.kind`, RULES.kind)
      requiredString(errors, config, 'name', `${field}.name`, RULES.objectName)
      return null
    case 'CORS':
      ;(Array.isArray(config.allowOrigins) ? config.allowOrigins : []).forEach((origin, k) => {
        if (typeof origin === 'string') checkString(errors, `${field}.allowOrigins[${k}]`, origin, {min: 1, max: 253, pattern: CORS_ORIGIN})
      })
      for (const key of ['allowOrigins', 'allowMethods', 'allowHeaders']) {
        const list = Array.isArray(config[key]) ? (config[key] as unknown[]) : []
        if (list.includes('*') && list.length > 1) celError(errors, `${field}.${key}`, 'array', `${key[0]!.toUpperCase()}${key.slice(1)} cannot contain '*' alongside other ${key === 'allowOrigins' ? 'origins' : 'methods'}`)
      }
      if (typeof config.maxAge === 'number') checkInteger(errors, `${field}.maxAge`, config.maxAge, 1)
      return null
  }
}

function pathModifier(config: Record<string, unknown>, field: string, errors: FieldErrors): void {
  const path = config.path
  if (!isRecord(path)) return
  const type = path.type
  if (typeof type !== 'string') return errors.required(`${field}.type`)
  if (!checkString(errors, `${field}.type`, type, {enum: ['ReplaceFullPath', 'ReplacePrefixMatch']})) return
  for (const [t, key] of [['ReplaceFullPath', 'replaceFullPath'], ['ReplacePrefixMatch', 'replacePrefixMatch']] as const) {
    if (type === t && path[key] === undefined) celError(errors, field, 'object', `${key} must be specified when type is set to '${t}'`)
    if (type !== t && path[key] !== undefined) celError(errors, field, 'object', `type must be '${t}' when ${key} is set`)
    if (typeof path[key] === 'string' && (path[key] as string).length > 1024) errors.tooLong(`${field}.${key}`, 1024)
  }
}

export function backendReference(raw: RawObject, ref: Record<string, unknown>, field: string, errors: FieldErrors): BackendObjectReference | null {
  const before = errors.count
  const group = optionalString(errors, ref, 'group', `${field}.group`, RULES.group)
  const kind = optionalString(errors, ref, 'kind', `${field}.kind`, RULES.kind)
  const name = requiredString(errors, ref, 'name', `${field}.name`, RULES.objectName)
  const namespace = optionalString(errors, ref, 'namespace', `${field}.namespace`, RULES.namespace)
  const port = optionalPort(errors, ref, 'port', `${field}.port`)
  if (errors.count > before || group === undefined || kind === undefined || name === null || namespace === undefined || port === undefined) return null
  const resolved = {at: raw.positions.at(field), field, group: group ?? '', kind: kind ?? 'Service', name, namespace, port}
  if (resolved.group === '' && resolved.kind === 'Service' && port === null) {
    celError(errors, field, 'object', 'Must have port for Service reference')
    return null
  }
  return resolved
}
