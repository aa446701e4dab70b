import type {FieldErrors} from './field-error.js'
import {childPath} from './position.js'

/**
 * The shape of the objects kingress reads, for the checks `kubectl apply` does before validation
 * proper: unknown fields (strict decoding) and values of the wrong type.
 */
export type Schema =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'string-map'
  | 'any'
  | {readonly object: Readonly<Record<string, Schema>>}
  | {readonly list: Schema}

export const objectMeta: Schema = {
  object: {
    name: 'string',
    namespace: 'string',
    generateName: 'string',
    labels: 'string-map',
    annotations: 'string-map',
    creationTimestamp: 'any',
    uid: 'string',
    resourceVersion: 'string',
    generation: 'integer',
    selfLink: 'string',
    deletionTimestamp: 'any',
    deletionGracePeriodSeconds: 'integer',
    finalizers: {list: 'string'},
    ownerReferences: {list: 'any'},
    managedFields: {list: 'any'},
  },
}

const ingressBackend: Schema = {
  object: {
    service: {object: {name: 'string', port: {object: {name: 'string', number: 'integer'}}}},
    resource: {object: {apiGroup: 'string', kind: 'string', name: 'string'}},
  },
}

export const ingressSchema: Schema = {
  object: {
    apiVersion: 'string',
    kind: 'string',
    metadata: objectMeta,
    spec: {
      object: {
        ingressClassName: 'string',
        defaultBackend: ingressBackend,
        rules: {
          list: {
            object: {
              host: 'string',
              http: {object: {paths: {list: {object: {path: 'string', pathType: 'string', backend: ingressBackend}}}}},
            },
          },
        },
        tls: {list: {object: {hosts: {list: 'string'}, secretName: 'string'}}},
      },
    },
    status: 'any',
  },
}

/** Checks `value` against `schema`; reports each problem once, at the deepest field it concerns. */
export function checkSchema(value: unknown, schema: Schema, field: string, errors: FieldErrors): void {
  if (value === null || value === undefined || schema === 'any') return
  if (schema === 'string') {
    if (typeof value !== 'string') errors.malformedField(field, `${wrongType(value)}, expected a string${quoteHint(value)}`)
  } else if (schema === 'integer') {
    if (typeof value !== 'number' || !Number.isInteger(value)) errors.malformedField(field, `${wrongType(value)}, expected an integer${unquoteHint(value)}`)
  } else if (schema === 'boolean') {
    if (typeof value !== 'boolean') errors.malformedField(field, `${wrongType(value)}, expected true or false`)
  } else if (schema === 'string-map') {
    if (!isRecord(value)) return errors.malformedField(field, `${wrongType(value)}, expected a map of strings`)
    for (const [key, item] of Object.entries(value)) {
      if (typeof item !== 'string') errors.malformedField(childPath(field, key), `${wrongType(item)}, expected a string${quoteHint(item)}`)
    }
  } else if ('list' in schema) {
    if (!Array.isArray(value)) return errors.malformedField(field, `${wrongType(value)}, expected a list (items start with "- ")`)
    value.forEach((item, index) => checkSchema(item, schema.list, childPath(field, index), errors))
  } else {
    if (!isRecord(value)) return errors.malformedField(field, `${wrongType(value)}, expected a mapping`)
    const known = Object.keys(schema.object)
    for (const [key, item] of Object.entries(value)) {
      const sub = schema.object[key]
      const path = childPath(field, key)
      if (sub === undefined) {
        // `pathtype` for `pathType`: the intended field is reported here, not again as missing.
        const meant = known.find((k) => k.toLowerCase() === key.toLowerCase())
        errors.malformedField(path, `unknown field "${key}"${suggest(key, known)}`, meant ? [childPath(field, meant)] : [])
      }
      else checkSchema(item, sub, path, errors)
    }
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function wrongType(value: unknown): string {
  if (Array.isArray(value)) return 'found a list'
  if (isRecord(value)) return 'found a mapping'
  return `found ${typeof value} ${JSON.stringify(value)}`
}

function quoteHint(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? ` (quote it: "${String(value)}")` : ''
}

function unquoteHint(value: unknown): string {
  return typeof value === 'string' && /^\d+$/.test(value) ? ` (write ${value} without quotes)` : ''
}

/** ` (did you mean "pathType"?)` for a near miss: same letters in another case, or one or two edits away. */
export function suggest(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase()
  let best: string | null = null
  let bestDistance = 3
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best ? ` (did you mean "${best}"?)` : ''
}

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}
