import type {FieldErrors} from './field-error.js'
import * as names from './k8s-names.js'
import type {RawObject} from './load.js'
import type {ObjectMeta} from './model.js'
import type {Position} from './position.js'
import {isRecord} from './schema.js'

export const DEFAULT_NAMESPACE = 'default'

/** metadata as ValidateObjectMeta checks it (namespaced object; `nameRule` is the kind's name rule). */
export function decodeMeta(raw: RawObject, errors: FieldErrors, nameRule: (name: string) => string[] = names.dns1123Subdomain): ObjectMeta {
  const metadata = isRecord(raw.value.metadata) ? raw.value.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : ''
  if (name === '') errors.required('metadata.name', 'name or generateName is required')
  else for (const message of nameRule(name)) errors.invalid('metadata.name', name, message)

  let namespace = DEFAULT_NAMESPACE
  if (typeof metadata.namespace === 'string' && metadata.namespace !== '') {
    namespace = metadata.namespace
    for (const message of names.dns1123Label(namespace)) errors.invalid('metadata.namespace', namespace, message)
  }

  const annotations = stringMap(metadata.annotations)
  const annotationPositions: Record<string, Position> = {}
  for (const key of Object.keys(annotations)) {
    annotationPositions[key] = raw.positions.at(`metadata.annotations[${key}]`)
    for (const message of names.qualifiedName(key.toLowerCase())) errors.invalid('metadata.annotations', key, message, `metadata.annotations[${key}]`)
  }

  return {
    name,
    namespace,
    annotations,
    annotationPositions,
    labels: stringMap(metadata.labels),
    creationTimestamp: timestamp(metadata.creationTimestamp),
    at: raw.positions.root,
    loadIndex: raw.loadIndex,
  }
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isRecord(value)) return out
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item
  return out
}

function timestamp(value: unknown): string | null {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return value
  return null
}
