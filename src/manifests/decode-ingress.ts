import type {Diagnostic} from './diagnostic.js'
import {FieldErrors} from './field-error.js'
import * as names from './k8s-names.js'
import {hasLegacyBackend, legacyIngressMessage} from './legacy.js'
import type {RawObject} from './load.js'
import {decodeMeta} from './meta.js'
import type {BackendRef, Ingress, IngressPath, IngressRule, IngressTLS, PathType, ServicePortRef} from './model.js'
import {checkSchema, ingressSchema, isRecord} from './schema.js'

const PATH_TYPES: readonly PathType[] = ['Exact', 'ImplementationSpecific', 'Prefix']
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F']
const INVALID_PATH_SUFFIXES = ['/..', '/.']
export const CLASS_ANNOTATION = 'kubernetes.io/ingress.class'

/**
 * Validates one Ingress as the API server would on create (same checks, same order, same
 * wording) and returns the typed Ingress, or null when it has errors. Every finding, errors and
 * kingress's own warnings, goes to `diagnostics`.
 */
export function decodeIngress(raw: RawObject, diagnostics: Diagnostic[]): Ingress | null {
  const errors = new FieldErrors(raw.positions)
  try {
    if (raw.apiVersion !== 'networking.k8s.io/v1' || hasLegacyBackend(raw.value)) {
      errors.custom('apiVersion', legacyIngressMessage(raw))
      return null
    }
    // Shape errors do not stop validation: the user sees every problem in one run.
    checkSchema(raw.value, ingressSchema, '', errors)
    return validate(raw, errors)
  } finally {
    diagnostics.push(...inFileOrder(errors.diagnostics))
  }
}

function validate(raw: RawObject, errors: FieldErrors): Ingress | null {
  const meta = decodeMeta(raw, errors)
  const spec = isRecord(raw.value.spec) ? raw.value.spec : {}

  const rulesValue = Array.isArray(spec.rules) ? spec.rules : null
  const defaultValue = isRecord(spec.defaultBackend) ? spec.defaultBackend : null
  if ((rulesValue === null || rulesValue.length === 0) && defaultValue === null) {
    const shown = rulesValue === null ? '[]networking.IngressRule(nil)' : '[]networking.IngressRule{}'
    errors.invalidRendered('spec', shown, 'either `defaultBackend` or `rules` must be specified')
  }

  const defaultBackend = defaultValue ? backend(defaultValue, 'spec.defaultBackend', errors) : null
  const rules = (rulesValue ?? []).map((rule, i) => decodeRule(isRecord(rule) ? rule : {}, `spec.rules[${i}]`, raw, errors))
  const tls = (Array.isArray(spec.tls) ? spec.tls : []).map((entry, i) => decodeTls(isRecord(entry) ? entry : {}, `spec.tls[${i}]`, raw, errors))

  let className: string | null = null
  if (typeof spec.ingressClassName === 'string') {
    for (const message of names.dns1123Subdomain(spec.ingressClassName)) errors.invalid('spec.ingressClassName', spec.ingressClassName, message)
    className = spec.ingressClassName
  }
  const annotationClass = meta.annotations[CLASS_ANNOTATION]
  if (annotationClass !== undefined) {
    if (className !== null && annotationClass !== className) {
      errors.invalid(`annotations.${CLASS_ANNOTATION}`, annotationClass, 'must match `ingressClassName` when both are specified', `metadata.annotations[${CLASS_ANNOTATION}]`)
    }
    className ??= annotationClass
  }

  if (errors.count > 0 || meta.name === '') return null
  return {
    kind: 'Ingress',
    meta,
    className,
    defaultBackend,
    defaultBackendAt: defaultValue ? raw.positions.at('spec.defaultBackend') : null,
    rules,
    tls,
  }
}

function decodeRule(rule: Record<string, unknown>, field: string, raw: RawObject, errors: FieldErrors): IngressRule {
  const host = typeof rule.host === 'string' && rule.host !== '' ? rule.host : null
  if (host !== null) {
    for (const message of names.ingressHost(host)) errors.invalid(`${field}.host`, host, message)
  }
  const paths: IngressPath[] = []
  if (isRecord(rule.http)) {
    const list = Array.isArray(rule.http.paths) ? rule.http.paths : []
    if (list.length === 0) errors.required(`${field}.http.paths`)
    list.forEach((entry, j) => {
      const decoded = decodePath(isRecord(entry) ? entry : {}, `${field}.http.paths[${j}]`, raw, errors)
      if (decoded) paths.push(decoded)
    })
  }
  return {host, paths, at: raw.positions.at(field), field}
}

function decodePath(entry: Record<string, unknown>, field: string, raw: RawObject, errors: FieldErrors): IngressPath | null {
  const path = typeof entry.path === 'string' ? entry.path : ''
  const pathType = entry.pathType
  if (typeof pathType !== 'string') {
    errors.required(`${field}.pathType`, 'pathType must be specified')
    return null
  }
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!path.startsWith('/')) errors.invalid(`${field}.path`, path, 'must be an absolute path')
    if (path.length > 0) {
      for (const sequence of INVALID_PATH_SEQUENCES) if (path.includes(sequence)) errors.invalid(`${field}.path`, path, `must not contain '${sequence}'`)
      for (const suffix of INVALID_PATH_SUFFIXES) if (path.endsWith(suffix)) errors.invalid(`${field}.path`, path, `cannot end with '${suffix}'`)
    }
  } else if (pathType === 'ImplementationSpecific') {
    if (path.length > 0 && !path.startsWith('/')) errors.invalid(`${field}.path`, path, 'must be an absolute path')
  } else {
    errors.notSupported(`${field}.pathType`, pathType, PATH_TYPES)
  }
  const target = backend(isRecord(entry.backend) ? entry.backend : {}, `${field}.backend`, errors)
  if (!target || !PATH_TYPES.includes(pathType as PathType)) return null
  return {path, pathType: pathType as PathType, backend: target, at: raw.positions.at(field), field}
}

function backend(value: Record<string, unknown>, field: string, errors: FieldErrors): BackendRef | null {
  const service = isRecord(value.service) ? value.service : null
  const resource = isRecord(value.resource) ? value.resource : null
  if (service && resource) {
    errors.invalid(field, '', 'cannot set both resource and service backends')
    return null
  }
  if (resource) return resourceBackend(resource, field, errors)
  if (!service) {
    errors.invalid(field, '', 'resource or service backend is required')
    return null
  }
  const before = errors.count
  const name = typeof service.name === 'string' ? service.name : ''
  if (name === '') errors.required(`${field}.service.name`)
  else for (const message of names.dns1035Label(name)) errors.invalid(`${field}.service.name`, name, message)
  const port = servicePort(isRecord(service.port) ? service.port : {}, field, errors)
  if (errors.count > before || port === null) return null
  return {kind: 'service', service: name, port}
}

function servicePort(port: Record<string, unknown>, field: string, errors: FieldErrors): ServicePortRef | null {
  const name = typeof port.name === 'string' ? port.name : ''
  const number = typeof port.number === 'number' ? port.number : 0
  if (name !== '' && number !== 0) {
    errors.invalid(field, '', 'cannot set both port name & port number')
    return null
  }
  if (name !== '') {
    const problems = names.portName(name)
    for (const message of problems) errors.invalid(`${field}.service.port.name`, name, message)
    return problems.length === 0 ? {name} : null
  }
  if (number !== 0) {
    if (number < 1 || number > 65535) {
      errors.invalid(`${field}.service.port.number`, number, 'must be between 1 and 65535, inclusive')
      return null
    }
    return {number}
  }
  errors.required(field, 'port name or number is required')
  return null
}

function resourceBackend(resource: Record<string, unknown>, field: string, errors: FieldErrors): BackendRef | null {
  const before = errors.count
  const apiGroup = typeof resource.apiGroup === 'string' ? resource.apiGroup : null
  if (apiGroup !== null) for (const message of names.dns1123Subdomain(apiGroup)) errors.invalid(`${field}.resource.apiGroup`, apiGroup, message)
  const kind = typeof resource.kind === 'string' ? resource.kind : ''
  const name = typeof resource.name === 'string' ? resource.name : ''
  if (kind === '') errors.required(`${field}.resource.kind`)
  else for (const message of names.pathSegmentName(kind)) errors.invalid(`${field}.resource.kind`, kind, message)
  if (name === '') errors.required(`${field}.resource.name`)
  else for (const message of names.pathSegmentName(name)) errors.invalid(`${field}.resource.name`, name, message)
  if (errors.count > before) return null
  return {kind: 'resource', apiGroup, resourceKind: kind, name}
}

function decodeTls(entry: Record<string, unknown>, field: string, raw: RawObject, errors: FieldErrors): IngressTLS {
  const hosts = (Array.isArray(entry.hosts) ? entry.hosts : []).filter((h): h is string => typeof h === 'string')
  hosts.forEach((host, k) => {
    const problems = host.includes('*') ? names.wildcardDns1123Subdomain(host) : names.dns1123Subdomain(host)
    for (const message of problems) errors.invalid(`${field}.hosts[${k}]`, host, message)
  })
  const secretName = typeof entry.secretName === 'string' && entry.secretName !== '' ? entry.secretName : null
  if (secretName !== null) for (const message of names.dns1123Subdomain(secretName)) errors.invalid(`${field}.secretName`, secretName, message)
  return {hosts, secretName, at: raw.positions.at(field), field}
}

function inFileOrder(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col)
}
