import type {RawObject} from './load.js'
import {isRecord} from './schema.js'

const LEGACY_VERSIONS = new Set(['extensions/v1beta1', 'networking.k8s.io/v1beta1'])

/** The message for an Ingress that is not networking.k8s.io/v1: for the old betas, the v1 form to write. */
export function legacyIngressMessage(raw: RawObject): string {
  if (!LEGACY_VERSIONS.has(raw.apiVersion) && !hasLegacyBackend(raw.value)) {
    return `Ingress ${JSON.stringify(raw.apiVersion)} is not a served version: write apiVersion: networking.k8s.io/v1`
  }
  const example = firstLegacyBackend(raw.value)
  const lines = [
    LEGACY_VERSIONS.has(raw.apiVersion)
      ? `${raw.apiVersion} Ingress was removed in Kubernetes 1.22; write apiVersion: networking.k8s.io/v1.`
      : 'serviceName/servicePort is the removed v1beta1 backend form; networking.k8s.io/v1 does not accept it.',
    'In v1 every path needs a pathType (v1beta1 defaulted to ImplementationSpecific) and backends name the Service like this:',
  ]
  const name = example?.serviceName ?? 'my-service'
  const port = example?.servicePort ?? 80
  const portLine = typeof port === 'number' || /^\d+$/.test(String(port)) ? `number: ${port}` : `name: ${String(port)}`
  lines.push(
    `    - path: ${example?.path ?? '/'}`,
    '      pathType: ImplementationSpecific',
    '      backend:',
    '        service:',
    `          name: ${name}`,
    '          port:',
    `            ${portLine}`,
    `instead of serviceName: ${name} / servicePort: ${String(port)}` + (example ? '' : ' (and spec.backend becomes spec.defaultBackend)'),
  )
  return lines.join('\n')
}

interface LegacyBackend {
  readonly path?: string
  readonly serviceName?: string
  readonly servicePort?: unknown
}

function firstLegacyBackend(value: Record<string, unknown>): LegacyBackend | null {
  const spec = isRecord(value.spec) ? value.spec : {}
  const rules = Array.isArray(spec.rules) ? spec.rules : []
  for (const rule of rules) {
    if (!isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) continue
    for (const path of rule.http.paths) {
      if (isRecord(path) && isRecord(path.backend) && typeof path.backend.serviceName === 'string') {
        return {path: typeof path.path === 'string' ? path.path : undefined, serviceName: path.backend.serviceName, servicePort: path.backend.servicePort}
      }
    }
  }
  if (isRecord(spec.backend) && typeof spec.backend.serviceName === 'string') return {serviceName: spec.backend.serviceName, servicePort: spec.backend.servicePort}
  return null
}

/** serviceName/servicePort anywhere a backend can be: the v1beta1 shape, whatever apiVersion says. */
export function hasLegacyBackend(value: Record<string, unknown>): boolean {
  return firstLegacyBackend(value) !== null
}
