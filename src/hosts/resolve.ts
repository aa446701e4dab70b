import {lookup as dnsLookup} from 'node:dns/promises'

import {errnoCode} from './errors.js'

/**
 * Asks the OS resolver (getaddrinfo, the one browsers and curl use) where a host goes now. That
 * reveals what the hosts file alone does not: a DNS or mDNS answer, a VPN's resolver, or an
 * earlier hosts-file line that shadows the kingress entry.
 */

export type ResolutionState =
  /** Every address is one kingress wrote: requests reach the proxy. */
  | 'proxy'
  /** Some addresses are the proxy's, some are not: clients may go either way. */
  | 'mixed'
  /** Resolves, but not to the proxy. */
  | 'elsewhere'
  /** Does not resolve. */
  | 'unresolved'

export interface HostResolution {
  readonly host: string
  readonly addresses: readonly string[]
  readonly state: ResolutionState
  /** The resolver's error code when unresolved (ENOTFOUND, EAI_AGAIN, TIMEOUT). */
  readonly error?: string
}

export type LookupAll = (host: string) => Promise<readonly string[]>

const osLookup: LookupAll = async (host) => (await dnsLookup(host, {all: true, verbatim: true})).map((a) => a.address)

export function classifyResolution(addresses: readonly string[], proxyAddresses: readonly string[]): ResolutionState {
  if (addresses.length === 0) return 'unresolved'
  const proxy = new Set(proxyAddresses.map(normalizeAddress))
  const hits = addresses.filter((a) => proxy.has(normalizeAddress(a))).length
  if (hits === addresses.length) return 'proxy'
  return hits === 0 ? 'elsewhere' : 'mixed'
}

function normalizeAddress(address: string): string {
  const lower = address.toLowerCase()
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower
}

export async function checkResolution(
  hosts: readonly string[],
  proxyAddresses: readonly string[],
  options: {readonly lookup?: LookupAll; readonly timeoutMs?: number} = {},
): Promise<HostResolution[]> {
  const lookup = options.lookup ?? osLookup
  const timeoutMs = options.timeoutMs ?? 3000
  return Promise.all(
    hosts.map(async (host): Promise<HostResolution> => {
      let timer: NodeJS.Timeout | undefined
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), {code: 'TIMEOUT'})), timeoutMs)
        })
        const addresses = [...new Set(await Promise.race([lookup(host), timeout]))]
        return {host, addresses, state: classifyResolution(addresses, proxyAddresses)}
      } catch (error) {
        return {host, addresses: [], state: 'unresolved', error: errnoCode(error) ?? String(error)}
      } finally {
        clearTimeout(timer)
      }
    }),
  )
}
