import type {Diagnostic} from './diagnostic.js'
import {FieldErrors} from './field-error.js'
import * as names from './k8s-names.js'
import {celError, checkInteger, checkString, generationOf, labelSelector, listOf, optionalString, PATTERNS, requiredString, RULES} from './gateway-fields.js'
import {GATEWAY_GROUP, type AllowedRoutes, type FromNamespaces, type Gateway, type GatewayClass, type GatewaySpecAddress, type Listener, type ListenerTLS, type Located, type Namespace, type ReferenceGrant, type RouteGroupKind, type SecretObjectReference} from './gateway-model.js'
import {gatewayClassSchema, gatewaySchema, referenceGrantSchema} from './gateway-schema.js'
import type {RawObject} from './load.js'
import {decodeMeta} from './meta.js'
import {checkSchema, isRecord, type Schema} from './schema.js'

/**
 * GatewayClass, Gateway and ReferenceGrant validated as the API server validates the Gateway API
 * CRDs (apis/v1/gateway_types.go, gatewayclass_types.go, referencegrant_types.go: OpenAPI markers
 * and CEL rules), with defaults applied. Objects with errors are left out (null).
 */

const SERVED_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  GatewayClass: ['v1', 'v1beta1'],
  Gateway: ['v1', 'v1beta1'],
  HTTPRoute: ['v1', 'v1beta1'],
  ReferenceGrant: ['v1', 'v1beta1'],
}

/** Shared start of every Gateway API decoder: the served version, the shape, metadata. */
export function beginGatewayObject(raw: RawObject, schema: Schema, errors: FieldErrors): boolean {
  const versions = SERVED_VERSIONS[raw.kind] ?? ['v1']
  const [group, version] = raw.apiVersion.split('/')
  if (group !== GATEWAY_GROUP || version === undefined || !versions.includes(version)) {
    errors.custom('apiVersion', `${raw.kind} is served as ${versions.map((v) => `${GATEWAY_GROUP}/${v}`).join(' or ')} (standard channel); write apiVersion: ${GATEWAY_GROUP}/v1`)
    return false
  }
  checkSchema(raw.value, schema, '', errors)
  return true
}

function finish<T>(errors: FieldErrors, diagnostics: Diagnostic[], value: T | null): T | null {
  diagnostics.push(...[...errors.diagnostics].sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col))
  return errors.count > 0 ? null : value
}

function specOf(raw: RawObject, errors: FieldErrors): Record<string, unknown> {
  if (!isRecord(raw.value.spec)) {
    errors.required('spec')
    return {}
  }
  return raw.value.spec
}

function located(raw: RawObject, field: string): Located {
  return {at: raw.positions.at(field), field}
}

export function decodeGatewayClass(raw: RawObject, diagnostics: Diagnostic[]): GatewayClass | null {
  const errors = new FieldErrors(raw.positions)
  if (!beginGatewayObject(raw, gatewayClassSchema, errors)) return finish(errors, diagnostics, null)
  const meta = decodeMeta(raw, errors)
  const spec = specOf(raw, errors)
  const controllerName = requiredString(errors, spec, 'controllerName', 'spec.controllerName', {min: 1, max: 253, pattern: PATTERNS.controllerName})
  if (typeof spec.description === 'string' && spec.description.length > 64) errors.tooLong('spec.description', 64)
  return finish(errors, diagnostics, {kind: 'GatewayClass', meta: {...meta, namespace: ''}, generation: generationOf(raw.value), controllerName: controllerName ?? ''})
}

const TLS_MODES = ['Terminate', 'Passthrough'] as const
const FROM: readonly FromNamespaces[] = ['All', 'Selector', 'Same']

export function decodeGateway(raw: RawObject, diagnostics: Diagnostic[]): Gateway | null {
  const errors = new FieldErrors(raw.positions)
  if (!beginGatewayObject(raw, gatewaySchema, errors)) return finish(errors, diagnostics, null)
  const meta = decodeMeta(raw, errors)
  const spec = specOf(raw, errors)
  const className = requiredString(errors, spec, 'gatewayClassName', 'spec.gatewayClassName', RULES.objectName)
  const items = listOf(errors, spec, 'listeners', 'spec.listeners', 64, 1)
  const listeners: Listener[] = []
  items.forEach((item, i) => {
    const listener = decodeListener(raw, item, `spec.listeners[${i}]`, errors)
    if (listener) listeners.push(listener)
  })
  listenerRules(items, errors)
  const addresses = listOf(errors, spec, 'addresses', 'spec.addresses', 16)
  addressRules(addresses, errors)
  return finish(errors, diagnostics, {kind: 'Gateway', apiVersion: raw.apiVersion, meta, generation: generationOf(raw.value), className: className ?? '', listeners, parametersRef: parametersRefOf(spec), addresses: addresses.map((a, i) => specAddressOf(raw, a, i))})
}

function decodeListener(raw: RawObject, item: Record<string, unknown>, field: string, errors: FieldErrors): Listener | null {
  const before = errors.count
  const name = requiredString(errors, item, 'name', `${field}.name`, RULES.sectionName)
  const hostname = optionalString(errors, item, 'hostname', `${field}.hostname`, RULES.hostname)
  let port: number | null = null
  if (item.port === undefined || item.port === null) errors.required(`${field}.port`)
  else if (typeof item.port === 'number' && Number.isInteger(item.port) && checkInteger(errors, `${field}.port`, item.port, 1, 65535)) port = item.port
  const protocol = requiredString(errors, item, 'protocol', `${field}.protocol`, {min: 1, max: 255, pattern: PATTERNS.protocol})
  const tls = isRecord(item.tls) ? decodeListenerTls(raw, item.tls, `${field}.tls`, errors) : null
  const allowedRoutes = decodeAllowedRoutes(raw, isRecord(item.allowedRoutes) ? item.allowedRoutes : {}, `${field}.allowedRoutes`, errors)
  if (errors.count > before || name === null || port === null || protocol === null || hostname === undefined || allowedRoutes === null) return null
  return {...located(raw, field), name, hostname, port, protocol, tls, allowedRoutes}
}

function decodeListenerTls(raw: RawObject, tls: Record<string, unknown>, field: string, errors: FieldErrors): ListenerTLS {
  let mode: ListenerTLS['mode'] = 'Terminate'
  if (typeof tls.mode === 'string') {
    if ((TLS_MODES as readonly string[]).includes(tls.mode)) mode = tls.mode as ListenerTLS['mode']
    else errors.notSupported(`${field}.mode`, tls.mode, TLS_MODES)
  }
  const certificateRefs: SecretObjectReference[] = []
  listOf(errors, tls, 'certificateRefs', `${field}.certificateRefs`, 64).forEach((ref, j) => {
    const decoded = secretReference(raw, ref, `${field}.certificateRefs[${j}]`, errors)
    if (decoded) certificateRefs.push(decoded)
  })
  const options = isRecord(tls.options) ? Object.keys(tls.options).length : 0
  if (options > 16) errors.invalid(`${field}.options`, options, `${field}.options in body should have at most 16 properties`)
  const refCount = Array.isArray(tls.certificateRefs) ? tls.certificateRefs.length : 0
  if (mode === 'Terminate' && refCount === 0 && options === 0) celError(errors, field, 'object', 'certificateRefs or options must be specified when mode is Terminate')
  return {mode, certificateRefs}
}

export function secretReference(raw: RawObject, ref: Record<string, unknown>, field: string, errors: FieldErrors): SecretObjectReference | null {
  const before = errors.count
  const group = optionalString(errors, ref, 'group', `${field}.group`, RULES.group)
  const kind = optionalString(errors, ref, 'kind', `${field}.kind`, RULES.kind)
  const name = requiredString(errors, ref, 'name', `${field}.name`, RULES.objectName)
  const namespace = optionalString(errors, ref, 'namespace', `${field}.namespace`, RULES.namespace)
  if (errors.count > before || group === undefined || kind === undefined || name === null || namespace === undefined) return null
  return {...located(raw, field), group: group ?? '', kind: kind ?? 'Secret', name, namespace}
}

function decodeAllowedRoutes(raw: RawObject, value: Record<string, unknown>, field: string, errors: FieldErrors): AllowedRoutes | null {
  const before = errors.count
  const namespaces = isRecord(value.namespaces) ? value.namespaces : {}
  let from: FromNamespaces = 'Same'
  if (typeof namespaces.from === 'string') {
    if ((FROM as readonly string[]).includes(namespaces.from)) from = namespaces.from as FromNamespaces
    else errors.notSupported(`${field}.namespaces.from`, namespaces.from, FROM)
  }
  const selector = isRecord(namespaces.selector) ? labelSelector(errors, namespaces.selector, `${field}.namespaces.selector`) : null
  let kinds: (RouteGroupKind & Located)[] | null = null
  if (Array.isArray(value.kinds)) {
    kinds = []
    for (const [k, entry] of listOf(errors, value, 'kinds', `${field}.kinds`, 8).entries()) {
      const at = `${field}.kinds[${k}]`
      const group = optionalString(errors, entry, 'group', `${at}.group`, RULES.group)
      const kind = requiredString(errors, entry, 'kind', `${at}.kind`, RULES.kind)
      if (group !== undefined && kind !== null) kinds.push({...located(raw, at), group: group ?? GATEWAY_GROUP, kind})
    }
  }
  return errors.count > before ? null : {from, selector, kinds}
}

/** The CEL rules on spec.listeners (gateway_types.go, GatewaySpec.Listeners). */
function listenerRules(items: readonly Record<string, unknown>[], errors: FieldErrors): void {
  const field = 'spec.listeners'
  const first = (test: (l: Record<string, unknown>) => boolean, message: string): void => {
    const i = items.findIndex(test)
    if (i >= 0) celError(errors, field, 'array', message, `${field}[${i}]`)
  }
  const tlsMode = (l: Record<string, unknown>): unknown => (isRecord(l.tls) ? l.tls.mode : undefined)
  first((l) => ['HTTP', 'TCP', 'UDP'].includes(String(l.protocol)) && l.tls !== undefined && l.tls !== null, "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']")
  first((l) => l.protocol === 'HTTPS' && isRecord(l.tls) && tlsMode(l) !== undefined && tlsMode(l) !== '' && tlsMode(l) !== 'Terminate', 'tls mode must be Terminate for protocol HTTPS')
  first((l) => l.protocol === 'TLS' && (!isRecord(l.tls) || tlsMode(l) === undefined || tlsMode(l) === ''), 'tls mode must be set for protocol TLS')
  first((l) => ['TCP', 'UDP'].includes(String(l.protocol)) && l.hostname !== undefined && l.hostname !== '', "hostname must not be specified for protocols ['TCP', 'UDP']")
  const names = items.map((l) => l.name)
  first((l) => names.filter((n) => n === l.name).length > 1 && names.indexOf(l.name) !== items.indexOf(l), 'Listener name must be unique within the Gateway')
  const combo = (l: Record<string, unknown>): string => JSON.stringify([l.port, l.protocol, l.hostname ?? null])
  const combos = items.map(combo)
  first((l) => combos.filter((c) => c === combo(l)).length > 1 && combos.indexOf(combo(l)) !== items.indexOf(l), 'Combination of port, protocol and hostname must be unique for each listener')
}

export function decodeReferenceGrant(raw: RawObject, diagnostics: Diagnostic[]): ReferenceGrant | null {
  const errors = new FieldErrors(raw.positions)
  if (!beginGatewayObject(raw, referenceGrantSchema, errors)) return finish(errors, diagnostics, null)
  const meta = decodeMeta(raw, errors)
  const spec = specOf(raw, errors)
  const from: ReferenceGrant['from'][number][] = []
  listOf(errors, spec, 'from', 'spec.from', 16, 1).forEach((entry, i) => {
    const at = `spec.from[${i}]`
    const group = requiredGroup(errors, entry, `${at}.group`)
    const kind = requiredString(errors, entry, 'kind', `${at}.kind`, RULES.kind)
    const namespace = requiredString(errors, entry, 'namespace', `${at}.namespace`, RULES.namespace)
    if (group !== null && kind !== null && namespace !== null) from.push({group, kind, namespace})
  })
  const to: ReferenceGrant['to'][number][] = []
  listOf(errors, spec, 'to', 'spec.to', 16, 1).forEach((entry, i) => {
    const at = `spec.to[${i}]`
    const group = requiredGroup(errors, entry, `${at}.group`)
    const kind = requiredString(errors, entry, 'kind', `${at}.kind`, RULES.kind)
    const name = optionalString(errors, entry, 'name', `${at}.name`, RULES.objectName)
    if (group !== null && kind !== null && name !== undefined) to.push({group, kind, name})
  })
  return finish(errors, diagnostics, {kind: 'ReferenceGrant', meta, from, to})
}

/** `group` is required but may be "" (the core API group). */
function requiredGroup(errors: FieldErrors, entry: Record<string, unknown>, field: string): string | null {
  if (typeof entry.group !== 'string') {
    if (entry.group === undefined || entry.group === null) errors.required(field)
    return null
  }
  return optionalString(errors, entry, 'group', field, RULES.group) ?? null
}

export function decodeNamespace(raw: RawObject, diagnostics: Diagnostic[]): Namespace | null {
  const errors = new FieldErrors(raw.positions)
  const meta = decodeMeta(raw, errors, names.dns1123Label)
  return finish(errors, diagnostics, {kind: 'Namespace', meta: {...meta, namespace: ''}})
}

/** spec.addresses (GatewaySpecAddress): type defaults to IPAddress; the CEL rules on values. */
function addressRules(addresses: readonly Record<string, unknown>[], errors: FieldErrors): void {
  const seen = new Set<string>()
  addresses.forEach((address, i) => {
    const field = `spec.addresses[${i}]`
    const type = typeof address.type === 'string' ? address.type : 'IPAddress'
    const value = typeof address.value === 'string' ? address.value : null
    if (typeof address.type === 'string') checkString(errors, `${field}.type`, address.type, {min: 1, max: 253, pattern: '^Hostname|IPAddress|NamedAddress|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&\'()*+,;=:]+$'})
    if (value !== null && value.length > 253) errors.tooLong(`${field}.value`, 253)
    if (type === 'Hostname' && value !== null && !new RegExp(PATTERNS.hostname).test(value)) {
      celError(errors, field, 'object', 'Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)')
    }
    if (value !== null && (type === 'IPAddress' || type === 'Hostname')) {
      const key = `${type}/${value}`
      if (seen.has(key)) celError(errors, 'spec.addresses', 'array', `${type} values must be unique`, field)
      seen.add(key)
    }
  })
}

function specAddressOf(raw: RawObject, address: Record<string, unknown>, i: number): GatewaySpecAddress {
  const value = typeof address.value === 'string' && address.value !== '' ? address.value : null
  return {...located(raw, `spec.addresses[${i}]`), type: typeof address.type === 'string' ? address.type : 'IPAddress', value}
}

function parametersRefOf(spec: Record<string, unknown>): Gateway['parametersRef'] {
  const infrastructure = spec.infrastructure
  if (!isRecord(infrastructure) || !isRecord(infrastructure.parametersRef)) return null
  const ref = infrastructure.parametersRef
  return {group: typeof ref.group === 'string' ? ref.group : '', kind: typeof ref.kind === 'string' ? ref.kind : '', name: typeof ref.name === 'string' ? ref.name : ''}
}
