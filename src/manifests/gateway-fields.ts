import type {FieldErrors} from './field-error.js'
import type {LabelSelector, LabelSelectorRequirement} from './gateway-model.js'
import {isRecord} from './schema.js'

/**
 * The Gateway API CRDs' OpenAPI checks (apis/v1/shared_types.go kubebuilder markers), worded as the
 * API server prints OpenAPI schema errors: `<field>: Invalid value: "x": <field> in body should match '<pattern>'`.
 */

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'
export const PATTERNS = {
  hostname: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  preciseHostname: DNS_SUBDOMAIN,
  sectionName: DNS_SUBDOMAIN,
  namespace: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  group: '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  kind: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$',
  headerName: "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$",
  duration: '^([0-9]{1,5}(h|m|s|ms)){1,4}$',
  controllerName: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$",
  protocol: '^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9]+$',
} as const

const compiled = new Map<string, RegExp>()
function re(pattern: string): RegExp {
  let hit = compiled.get(pattern)
  if (!hit) compiled.set(pattern, (hit = new RegExp(pattern)))
  return hit
}

export interface StringRule {
  readonly min?: number
  readonly max?: number
  readonly pattern?: string
  readonly enum?: readonly string[]
}

export const RULES = {
  objectName: {min: 1, max: 253},
  hostname: {min: 1, max: 253, pattern: PATTERNS.hostname},
  preciseHostname: {min: 1, max: 253, pattern: PATTERNS.preciseHostname},
  sectionName: {min: 1, max: 253, pattern: PATTERNS.sectionName},
  namespace: {min: 1, max: 63, pattern: PATTERNS.namespace},
  group: {max: 253, pattern: PATTERNS.group},
  kind: {min: 1, max: 63, pattern: PATTERNS.kind},
  headerName: {min: 1, max: 256, pattern: PATTERNS.headerName},
  duration: {pattern: PATTERNS.duration},
} as const satisfies Record<string, StringRule>

/** A present string field: its length, pattern and enum. `undefined`/absent fields are not checked here. */
export function checkString(errors: FieldErrors, field: string, value: string, rule: StringRule): boolean {
  const before = errors.count
  if (rule.enum && !rule.enum.includes(value)) {
    errors.notSupported(field, value, rule.enum)
    return false
  }
  if (rule.min !== undefined && value.length < rule.min) errors.invalid(field, value, `${field} in body should be at least ${rule.min} chars long`)
  else if (rule.max !== undefined && value.length > rule.max) errors.tooLong(field, rule.max)
  else if (rule.pattern !== undefined && !re(rule.pattern).test(value)) errors.invalid(field, value, `${field} in body should match '${rule.pattern}'`)
  return errors.count === before
}

/** A required string: Required value when absent or empty (the CRDs' MinLength=1). */
export function requiredString(errors: FieldErrors, obj: Record<string, unknown>, key: string, field: string, rule: StringRule): string | null {
  const value = obj[key]
  if (typeof value !== 'string') {
    if (value === undefined || value === null) errors.required(field)
    return null
  }
  if (value === '' && (rule.min ?? 0) > 0) {
    errors.required(field)
    return null
  }
  return checkString(errors, field, value, rule) ? value : null
}

/** An optional string: null when absent; undefined when present but invalid. */
export function optionalString(errors: FieldErrors, obj: Record<string, unknown>, key: string, field: string, rule: StringRule): string | null | undefined {
  const value = obj[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') return undefined
  return checkString(errors, field, value, rule) ? value : undefined
}

export function checkInteger(errors: FieldErrors, field: string, value: number, min: number, max?: number): boolean {
  if (value < min) {
    errors.invalid(field, value, `${field} in body should be greater than or equal to ${min}`)
    return false
  }
  if (max !== undefined && value > max) {
    errors.invalid(field, value, `${field} in body should be less than or equal to ${max}`)
    return false
  }
  return true
}

/** An optional port (1–65535): null when absent, undefined when invalid. */
export function optionalPort(errors: FieldErrors, obj: Record<string, unknown>, key: string, field: string): number | null | undefined {
  const value = obj[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined
  return checkInteger(errors, field, value, 1, 65535) ? value : undefined
}

/** A list with MinItems/MaxItems; items that are not mappings become `{}` (the shape check reports them). */
export function listOf(errors: FieldErrors, obj: Record<string, unknown>, key: string, field: string, max: number, min = 0): Record<string, unknown>[] {
  const value = obj[key]
  const list = Array.isArray(value) ? value : []
  if (min > 0 && list.length < min) {
    if (value === undefined || value === null) errors.required(field)
    else errors.invalid(field, list.length, `${field} in body should have at least ${min} items`)
  }
  if (list.length > max) errors.tooMany(field, list.length, max)
  return list.map((item) => (isRecord(item) ? item : {}))
}

/** A CEL rule's message, as the API server prints an x-kubernetes-validations failure. */
export function celError(errors: FieldErrors, field: string, on: 'object' | 'array' | 'string', message: string, positionPath = field): void {
  errors.invalid(field, on, message, positionPath)
}

const OPERATORS: readonly LabelSelectorRequirement['operator'][] = ['In', 'NotIn', 'Exists', 'DoesNotExist']

/** metav1.LabelSelector as ValidateLabelSelector checks it. */
export function labelSelector(errors: FieldErrors, value: Record<string, unknown>, field: string): LabelSelector | null {
  const before = errors.count
  const matchLabels: Record<string, string> = {}
  if (isRecord(value.matchLabels)) for (const [k, v] of Object.entries(value.matchLabels)) if (typeof v === 'string') matchLabels[k] = v
  const matchExpressions: LabelSelectorRequirement[] = []
  listOf(errors, value, 'matchExpressions', `${field}.matchExpressions`, Number.MAX_SAFE_INTEGER).forEach((entry, i) => {
    const at = `${field}.matchExpressions[${i}]`
    const key = typeof entry.key === 'string' ? entry.key : ''
    if (key === '') errors.required(`${at}.key`)
    const operator = entry.operator
    const values = Array.isArray(entry.values) ? entry.values.filter((v): v is string => typeof v === 'string') : []
    if (typeof operator !== 'string') return errors.required(`${at}.operator`)
    if (!OPERATORS.includes(operator as LabelSelectorRequirement['operator'])) return errors.notSupported(`${at}.operator`, operator, OPERATORS)
    const op = operator as LabelSelectorRequirement['operator']
    if ((op === 'In' || op === 'NotIn') && values.length === 0) errors.required(`${at}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\'')
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) errors.forbidden(`${at}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'')
    matchExpressions.push({key, operator: op, values})
  })
  return errors.count > before ? null : {matchLabels, matchExpressions}
}

/** The `metadata.generation` a client wrote, if any (status echoes it as observedGeneration). */
export function generationOf(value: Record<string, unknown>): number | null {
  const metadata = isRecord(value.metadata) ? value.metadata : {}
  return typeof metadata.generation === 'number' && Number.isInteger(metadata.generation) ? metadata.generation : null
}
