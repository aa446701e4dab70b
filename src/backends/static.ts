import {isIP} from 'node:net'

import {UserError} from '../errors.js'
import type {ServicePortRef} from '../manifests/model.js'
import {formatAddress, type BackendTarget, type Endpoint, type EndpointProvider, type ServiceRef} from './types.js'

/** One `--backend [NS/]S[:P]=HOST:PORT` flag. */
export interface StaticBackend {
  /** The Service's namespace when the flag names one (exact); null: the Service in every namespace. */
  readonly namespace: string | null
  readonly service: string
  /** The Service port the flag is for; null serves every port of the Service. */
  readonly port: ServicePortRef | null
  readonly host: string
  readonly targetPort: number
  readonly flag: string
}

export class BackendFlagError extends UserError {
  constructor(flag: string, why: string) {
    super('BAD_BACKEND_FLAG', `--backend ${flag}: ${why}. Write it as [NAMESPACE/]SERVICE[:PORT]=HOST:PORT, e.g. --backend webserver-blue-svc=127.0.0.1:3000`)
  }
}

const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Parses `[NS/]S[:P]=HOST:PORT`; `S=PORT` is short for `S=127.0.0.1:PORT`. */
export function parseBackendFlag(flag: string): StaticBackend {
  const eq = flag.indexOf('=')
  if (eq <= 0) throw new BackendFlagError(flag, 'missing "=" between the Service and the address')
  let left = flag.slice(0, eq)
  let namespace: string | null = null
  const slash = left.indexOf('/')
  if (slash !== -1) {
    namespace = left.slice(0, slash)
    left = left.slice(slash + 1)
    if (!SERVICE_NAME.test(namespace)) throw new BackendFlagError(flag, `"${namespace}" is not a namespace name (lower-case letters, digits and "-")`)
  }
  const right = flag.slice(eq + 1)
  const colon = left.indexOf(':')
  const service = colon === -1 ? left : left.slice(0, colon)
  if (!SERVICE_NAME.test(service)) throw new BackendFlagError(flag, `"${service}" is not a Service name (lower-case letters, digits and "-")`)
  let port: ServicePortRef | null = null
  if (colon !== -1) {
    const p = left.slice(colon + 1)
    if (/^\d+$/.test(p)) port = {number: parsePort(flag, p)}
    else if (PORT_NAME.test(p)) port = {name: p}
    else throw new BackendFlagError(flag, `"${p}" is neither a port number nor a port name`)
  }
  const {host, targetPort} = parseAddress(flag, right)
  return {namespace, service, port, host, targetPort, flag}
}

function parseAddress(flag: string, address: string): {host: string; targetPort: number} {
  if (/^\d+$/.test(address)) return {host: '127.0.0.1', targetPort: parsePort(flag, address)}
  let host: string
  let port: string
  if (address.startsWith('[')) {
    const end = address.indexOf(']')
    if (end === -1 || address[end + 1] !== ':') throw new BackendFlagError(flag, `"${address}" needs a port: [ADDRESS]:PORT`)
    host = address.slice(1, end)
    port = address.slice(end + 2)
    if (isIP(host) !== 6) throw new BackendFlagError(flag, `"${host}" is not an IPv6 address`)
  } else {
    const colon = address.lastIndexOf(':')
    if (colon <= 0) throw new BackendFlagError(flag, `"${address}" needs a port: HOST:PORT`)
    host = address.slice(0, colon)
    port = address.slice(colon + 1)
    if (host.includes(':')) throw new BackendFlagError(flag, `write an IPv6 address in brackets, e.g. [::1]:3000`)
  }
  if (!/^\d+$/.test(port)) throw new BackendFlagError(flag, `"${port}" is not a port number`)
  return {host, targetPort: parsePort(flag, port)}
}

function parsePort(flag: string, text: string): number {
  const port = Number(text)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new BackendFlagError(flag, `port ${text} is not between 1 and 65535`)
  return port
}

function portMatches(flagPort: ServicePortRef, ref: ServicePortRef): boolean {
  if ('number' in flagPort) return 'number' in ref && ref.number === flagPort.number
  return 'name' in ref && ref.name === flagPort.name
}

/** Endpoints from `--backend` flags: first in the resolution order, in every namespace unless the flag names one. */
export class StaticProvider implements EndpointProvider {
  readonly name = 'static'

  constructor(readonly backends: readonly StaticBackend[]) {}

  resolve(ref: ServiceRef): BackendTarget | undefined {
    const forService = this.backends.filter((b) => b.service === ref.service && (b.namespace === null || b.namespace === ref.namespace))
    if (forService.length === 0) return undefined
    const specific = forService.filter((b) => b.port !== null && portMatches(b.port, ref.port))
    const chosen = specific.length > 0 ? specific : forService.filter((b) => b.port === null)
    if (chosen.length === 0) return undefined
    const seen = new Set<string>()
    const endpoints: Endpoint[] = []
    for (const b of chosen) {
      const id = formatAddress(b.host, b.targetPort)
      if (seen.has(id)) continue
      seen.add(id)
      endpoints.push({id, host: b.host, port: b.targetPort, name: id, via: 'static', ready: true, notReadyReason: null})
    }
    return {ref, endpoints, source: `--backend ${chosen.map((b) => b.flag).join(' --backend ')}`, problem: null}
  }

  onChange(): () => void {
    return () => {}
  }

  async close(): Promise<void> {}
}
