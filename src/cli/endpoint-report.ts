import type {GatewayTable} from '../gateway/route-table.js'
import {HealthRegistry} from '../backends/health.js'
import {resolveBackends, type BackendTable, type ResolvedBackend} from '../backends/resolver.js'
import {formatAddress, type Endpoint} from '../backends/types.js'
import type {Snapshot} from '../manifests/model.js'
import type {RouteTable} from '../routing/table.js'
import {buildProviders} from '../runtime/providers.js'

export interface EndpointReportOptions {
  /** `--backend [NS/]S[:P]=HOST:PORT` values. */
  readonly backends: readonly string[]
  /** False with `--no-docker`. */
  readonly docker: boolean
}

export interface EndpointReport {
  readonly table: BackendTable
  /** Lines the Docker provider said (engine not reachable, and what to do). */
  readonly notes: readonly string[]
}

/**
 * Resolves every backend of the table once, through the same providers `up` uses (flags,
 * EndpointSlices, one Docker listing), so `routes` and `explain` can say which endpoint would answer
 * and how it is dialled. Read-only: nothing listens, no container is touched.
 */
export async function resolveEndpointsOnce(table: RouteTable, snapshot: Snapshot, options: EndpointReportOptions, gateways?: GatewayTable): Promise<EndpointReport> {
  const notes: string[] = []
  const docker = async () => {
    const {createDockerProvider} = await import('../backends/docker/index.js')
    return createDockerProvider({onWarning: (line) => notes.push(line)})
  }
  const providers = await buildProviders(options, docker)
  try {
    return {table: resolveBackends(table, snapshot, providers, new HealthRegistry(), gateways), notes}
  } finally {
    await Promise.all(providers.map((p) => p.close().catch(() => {})))
  }
}

/** `blue-1 (127.0.0.1:32768 published)`, `blue-2 (172.17.0.3:80 bridge, not ready: …)`, `127.0.0.1:3000 (--backend)` */
export function describeEndpoint(endpoint: Endpoint): string {
  const address = formatAddress(endpoint.host, endpoint.port)
  const via = endpoint.via === 'endpoint-slice' ? 'EndpointSlice' : endpoint.via === 'static' ? '--backend' : endpoint.via
  const state = endpoint.ready ? '' : `, not ready: ${endpoint.notReadyReason ?? 'unknown reason'}`
  return endpoint.name === address ? `${address} (${via}${state})` : `${endpoint.name} (${address} ${via}${state})`
}

/** `webserver-blue-svc:80 → blue-1 (127.0.0.1:32768 published), blue-2 (…)` or the backend's problem. */
export function describeBackend(backend: ResolvedBackend): string {
  const endpoints = backend.endpoints.map(describeEndpoint).join(', ')
  if (backend.problem !== null) return `${backend.label} → ${endpoints ? `${endpoints}; ` : ''}${backend.problem}`
  return `${backend.label} → ${endpoints}`
}

export function backendsAsText(report: EndpointReport): string {
  const lines = ['BACKENDS', ...report.table.all.map((b) => `  ${describeBackend(b)}`)]
  for (const note of report.notes) lines.push(`  note: ${note}`)
  return lines.join('\n')
}

export function backendAsJson(backend: ResolvedBackend): Record<string, unknown> {
  return {
    backend: backend.label,
    source: backend.source,
    problem: backend.problem,
    endpoints: backend.endpoints.map((e) => ({name: e.name, host: e.host, port: e.port, via: e.via, ready: e.ready, notReadyReason: e.notReadyReason})),
  }
}
