import type {Diagnostic} from '../manifests/diagnostic.js'
import type {Ingress, Service} from '../manifests/model.js'

/** Semantic findings that are legal for the API server but surprising on a laptop. */

interface HasHost {
  readonly host: string | null
}

/** A TLS host that no rule of any Ingress serves gets a certificate and nothing else. */
export function tlsWarnings(ingresses: readonly Ingress[], hosts: ReadonlyMap<string, HasHost>): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const ingress of ingresses) {
    ingress.tls.forEach((tls) => {
      tls.hosts.forEach((host, index) => {
        const lower = host.toLowerCase()
        if (hosts.has(lower) || ruleUnderWildcard(lower, hosts)) return
        out.push({
          severity: 'warning',
          at: tls.at,
          field: `${tls.field}.hosts[${index}]`,
          message: `TLS host "${host}" is not the host of any rule, so requests for it get only the 404 page. Add a rule with host: ${host}, or remove it from spec.tls.`,
        })
      })
    })
  }
  return out
}

function ruleUnderWildcard(tlsHost: string, hosts: ReadonlyMap<string, HasHost>): boolean {
  if (!tlsHost.startsWith('*.')) return false
  const suffix = tlsHost.slice(1)
  for (const key of hosts.keys()) {
    if (key.endsWith(suffix) && !key.slice(0, -suffix.length).includes('.')) return true
  }
  return false
}

const SURPRISING_TLDS: ReadonlyArray<readonly [string, string]> = [
  ['.dev', 'every .dev name is on the browsers\' HSTS preload list: browsers refuse plain HTTP and any untrusted certificate for it. Run `kingress ca install` first, or use a name under .test or .localhost'],
  ['.local', '.local is resolved by multicast DNS (Bonjour/Avahi) on macOS and many Linux systems, which can add seconds to every lookup or bypass the hosts file. Prefer a name under .test or .localhost'],
]

export function hostWarnings(ingresses: readonly Ingress[]): Diagnostic[] {
  const out: Diagnostic[] = []
  const warned = new Set<string>()
  for (const ingress of ingresses) {
    for (const rule of ingress.rules) {
      const host = rule.host?.toLowerCase()
      if (!host || warned.has(host)) continue
      for (const [tld, why] of SURPRISING_TLDS) {
        if (host.endsWith(tld)) {
          warned.add(host)
          out.push({severity: 'warning', at: rule.at, field: `${rule.field}.host`, message: `"${rule.host}": ${why}.`})
        }
      }
    }
  }
  return out
}

/** A backend naming a Service that is loaded but has no such port will never get an endpoint. */
export function serviceWarnings(ingresses: readonly Ingress[], services: readonly Service[]): Diagnostic[] {
  const out: Diagnostic[] = []
  const byKey = new Map(services.map((s) => [`${s.meta.namespace}/${s.meta.name}`, s]))
  for (const ingress of ingresses) {
    const check = (backend: Ingress['defaultBackend'], at: Diagnostic['at'], field: string): void => {
      if (!backend || backend.kind !== 'service') return
      const service = byKey.get(`${ingress.meta.namespace}/${backend.service}`)
      if (!service) return
      const port = backend.port
      const found = 'number' in port ? service.ports.some((p) => p.port === port.number) : service.ports.some((p) => p.name === port.name)
      if (found) return
      const wanted = 'number' in port ? `port ${port.number}` : `a port named "${port.name}"`
      const has = service.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ') || 'no ports'
      out.push({
        severity: 'warning',
        at,
        field: `${field}.service.port`,
        message: `Service "${backend.service}" (${service.meta.at.file}:${service.meta.at.line}) has no ${wanted}; it has ${has}. Use one of those in the Ingress, or add the port to the Service.`,
      })
    }
    if (ingress.defaultBackendAt) check(ingress.defaultBackend, ingress.defaultBackendAt, 'spec.defaultBackend')
    for (const rule of ingress.rules) for (const path of rule.paths) check(path.backend, path.at, `${path.field}.backend`)
  }
  return out
}
