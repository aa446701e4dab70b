import {isIP} from 'node:net'

import type {Gateway, GatewaySpecAddress} from '../manifests/model.js'
import {objectKey} from '../manifests/model.js'

/**
 * What kingress makes of a Gateway's spec.addresses (gateway_types.go GatewaySpec.Addresses;
 * conformance GatewayStaticAddresses, GatewayOptionalAddressValue). `kingress up` serves a Gateway
 * on one address of this machine's loopback: the first IPAddress in 127.0.0.0/8 (or ::1) it lists.
 * Pure.
 */
export interface SpecAddresses {
  /** The loopback address asked for; null: kingress picks (no addresses, or IPAddress without a value). */
  readonly requested: string | null
  /** Of a type kingress does not serve on (Hostname, NamedAddress, a domain-prefixed type): the Gateway is not accepted. */
  readonly unsupported: readonly GatewaySpecAddress[]
  /** IPAddress values kingress cannot serve on, each with why: the Gateway is served elsewhere and not Programmed. */
  readonly unusable: readonly {readonly address: GatewaySpecAddress; readonly why: string}[]
}

export function specAddressesOf(gateway: Gateway): SpecAddresses {
  let requested: string | null = null
  const unsupported: GatewaySpecAddress[] = []
  const unusable: {address: GatewaySpecAddress; why: string}[] = []
  for (const address of gateway.addresses) {
    if (address.type !== 'IPAddress') unsupported.push(address)
    else if (address.value === null) continue
    else if (isIP(address.value) === 0) unusable.push({address, why: 'it is not an IP address'})
    else if (!isLoopback(address.value)) unusable.push({address, why: `it is not a loopback address; \`kingress up\` serves on 127.0.0.0/8 and ::1 unless --gateway-address ${objectKey(gateway.meta)}=${address.value} asks for it`})
    else if (requested !== null) unusable.push({address, why: `kingress serves a Gateway on one address, and ${requested} comes first`})
    else requested = address.value
  }
  return {requested, unsupported, unusable}
}

/** 127.0.0.0/8 or ::1 (also as ::ffff:127.x.x.x): on every machine, reachable from it alone. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.toLowerCase().replace(/^::ffff:/, '')
  if (isIP(v4) === 4) return v4.startsWith('127.')
  // The URL parser writes an IPv6 address in its shortest form: 0:0:0:0:0:0:0:1 is [::1].
  return isIP(ip) === 6 && new URL(`http://[${ip}]/`).hostname === '[::1]'
}

/** For a condition message: `spec.addresses[1] 10.0.0.5 (it is not …)`, joined. */
export function describeUnusable(unusable: SpecAddresses['unusable']): string {
  return unusable.map((u) => `${u.address.field} ${u.address.value} (${u.why})`).join('; ')
}
