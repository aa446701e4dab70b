import type {Diagnostic} from './diagnostic.js'
import {FieldErrors} from './field-error.js'
import * as names from './k8s-names.js'
import type {RawObject} from './load.js'
import {decodeMeta} from './meta.js'
import type {EndpointSet, Secret, Service, ServicePort} from './model.js'
import {isRecord} from './schema.js'

/** The objects that feed backends and certificates. Checked for what kingress relies on, no more. */

export function decodeService(raw: RawObject, diagnostics: Diagnostic[]): Service | null {
  const errors = new FieldErrors(raw.positions)
  const meta = decodeMeta(raw, errors, names.dns1035Label)
  const spec = isRecord(raw.value.spec) ? raw.value.spec : {}
  const selector = isRecord(spec.selector) ? stringRecord(spec.selector) : null
  const ports: ServicePort[] = []
  const list = Array.isArray(spec.ports) ? spec.ports : []
  list.forEach((entry, i) => {
    const field = `spec.ports[${i}]`
    const port = isRecord(entry) ? entry : {}
    const number = port.port
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
      errors.invalid(`${field}.port`, number ?? 0, 'must be between 1 and 65535, inclusive')
      return
    }
    const name = typeof port.name === 'string' && port.name !== '' ? port.name : null
    if (name === null && list.length > 1) errors.required(`${field}.name`)
    const target = port.targetPort
    const targetPort = typeof target === 'number' || (typeof target === 'string' && target !== '') ? (typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : target) : number
    ports.push({name, port: number, targetPort, protocol: typeof port.protocol === 'string' ? port.protocol : 'TCP'})
  })
  diagnostics.push(...errors.diagnostics)
  if (errors.count > 0) return null
  return {kind: 'Service', meta, selector: selector && Object.keys(selector).length > 0 ? selector : null, ports}
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

export function decodeEndpointSlice(raw: RawObject, diagnostics: Diagnostic[]): EndpointSet | null {
  const errors = new FieldErrors(raw.positions)
  const meta = decodeMeta(raw, errors)
  const serviceName = meta.labels[SERVICE_NAME_LABEL]
  if (!serviceName) {
    errors.custom(`metadata.labels`, `an EndpointSlice needs the label ${SERVICE_NAME_LABEL}: <service name> to say which Service it belongs to`)
  }
  const ports = portList(raw.value.ports, 'ports', errors)
  const addresses: {ip: string; ready: boolean}[] = []
  const endpoints = Array.isArray(raw.value.endpoints) ? raw.value.endpoints : []
  endpoints.forEach((entry, i) => {
    const endpoint = isRecord(entry) ? entry : {}
    const conditions = isRecord(endpoint.conditions) ? endpoint.conditions : {}
    // A nil `ready` means ready, as the EndpointSlice API documents.
    const ready = conditions.ready !== false
    const list = Array.isArray(endpoint.addresses) ? endpoint.addresses : []
    if (list.length === 0) errors.required(`endpoints[${i}].addresses`)
    for (const ip of list) if (typeof ip === 'string') addresses.push({ip, ready})
  })
  diagnostics.push(...errors.diagnostics)
  if (errors.count > 0 || !serviceName) return null
  return {kind: 'EndpointSlice', meta, serviceName, ports, addresses}
}

/** Endpoints subsets are flattened: every address with every port (enough for one-port dev servers). */
export function decodeEndpoints(raw: RawObject, diagnostics: Diagnostic[]): EndpointSet | null {
  const errors = new FieldErrors(raw.positions)
  const meta = decodeMeta(raw, errors, names.dns1035Label)
  const ports: EndpointSet['ports'][number][] = []
  const addresses: {ip: string; ready: boolean}[] = []
  const subsets = Array.isArray(raw.value.subsets) ? raw.value.subsets : []
  subsets.forEach((entry, i) => {
    const subset = isRecord(entry) ? entry : {}
    for (const [key, ready] of [['addresses', true], ['notReadyAddresses', false]] as const) {
      const list = Array.isArray(subset[key]) ? (subset[key] as unknown[]) : []
      for (const address of list) if (isRecord(address) && typeof address.ip === 'string') addresses.push({ip: address.ip, ready})
    }
    ports.push(...portList(subset.ports, `subsets[${i}].ports`, errors))
  })
  diagnostics.push(...errors.diagnostics)
  if (errors.count > 0) return null
  return {kind: 'Endpoints', meta, serviceName: meta.name, ports, addresses}
}

function portList(value: unknown, field: string, errors: FieldErrors): {name: string | null; port: number}[] {
  const out: {name: string | null; port: number}[] = []
  const list = Array.isArray(value) ? value : []
  list.forEach((entry, i) => {
    const port = isRecord(entry) ? entry : {}
    if (typeof port.port !== 'number' || port.port < 1 || port.port > 65535) {
      errors.invalid(`${field}[${i}].port`, port.port ?? 0, 'must be between 1 and 65535, inclusive')
      return
    }
    out.push({name: typeof port.name === 'string' && port.name !== '' ? port.name : null, port: port.port})
  })
  return out
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/

export function decodeSecret(raw: RawObject, diagnostics: Diagnostic[]): Secret | null {
  const errors = new FieldErrors(raw.positions)
  const meta = decodeMeta(raw, errors)
  const type = typeof raw.value.type === 'string' ? raw.value.type : 'Opaque'
  const data: Record<string, string> = {}
  const encoded = isRecord(raw.value.data) ? raw.value.data : {}
  for (const [key, value] of Object.entries(encoded)) {
    if (typeof value !== 'string' || !BASE64.test(value)) {
      errors.invalid(`data[${key}]`, typeof value === 'string' ? value.slice(0, 20) + (value.length > 20 ? '…' : '') : value, 'must be base64-encoded (use stringData: for plain text)')
      continue
    }
    data[key] = Buffer.from(value, 'base64').toString('utf8')
  }
  const plain = isRecord(raw.value.stringData) ? raw.value.stringData : {}
  for (const [key, value] of Object.entries(plain)) if (typeof value === 'string') data[key] = value
  if (type === 'kubernetes.io/tls') {
    for (const key of ['tls.crt', 'tls.key']) if (!(key in data)) errors.required(`data[${key}]`, `a kubernetes.io/tls Secret needs ${key}`)
  }
  diagnostics.push(...errors.diagnostics)
  if (errors.count > 0) return null
  return {kind: 'Secret', meta, type, data}
}

function stringRecord(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out[key] = String(item)
  return out
}
