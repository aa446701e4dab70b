import {isIP} from 'node:net'

import type {BindFailure} from '../proxy/port-help.js'
import {describePort, type GatewayPlan, type PlannedSocket} from './addresses.js'

/**
 * What `up` says when a Gateway socket cannot be bound: the address and the Gateway listeners that
 * wanted it, why, where the address came from when the Gateway asked for it itself
 * (spec.addresses), and the fixes for this platform. Pure: the platform is passed in.
 */
export function gatewayBindMessage(plan: GatewayPlan, planned: PlannedSocket, port: number, failure: BindFailure, owner: string | null, platform: NodeJS.Platform): string {
  const why = failure === 'EACCES' ? 'permission denied' : failure === 'EADDRINUSE' ? `address already in use${owner ? ` (by ${owner})` : ''}` : 'address not available'
  const where = `cannot listen on ${planned.address}:${port} for Gateway listener${planned.listeners.length === 1 ? '' : 's'} ${planned.listeners.join(', ')} (${planned.scheme.toUpperCase()} port ${planned.gatewayPort}, ${describePort(planned.port)}): ${why}.`
  const gateway = planned.gateways[0]!
  const moveAddress = `give the Gateway another address with --gateway-address ${gateway}=IP`
  if (failure !== 'EADDRNOTAVAIL') {
    const movePort = planned.port === 'http' ? 'choose the HTTP port with --http-port' : planned.port === 'https' ? 'choose the HTTPS port with --https-port' : `serve it elsewhere with --listener-port ${planned.gatewayPort}=LOCAL (0: any free port)`
    return `${where} To fix it, ${movePort}, or ${moveAddress}.`
  }
  // Not this machine's address: the port is not the problem.
  const alias = addAddress(planned.address, platform)
  const asked = planned.gateways.filter((g) => plan.sources.get(g) === 'spec.addresses')
  if (asked.length !== 0) {
    const missing = platform === 'darwin' ? 'macOS answers only on 127.0.0.1 until an address is added to lo0' : 'this machine has no such address'
    const share = asked.map((g) => `--gateway-address ${g}=127.0.0.1`).join(' ')
    return `${where} Gateway${asked.length === 1 ? '' : 's'} ${asked.join(', ')} ask${asked.length === 1 ? 's' : ''} for ${planned.address} in spec.addresses, and ${missing}. To fix it, ${alias === null ? '' : `${alias}, or `}serve it on 127.0.0.1 meanwhile with ${share}.`
  }
  return `${where} To fix it, ${alias === null ? '' : `${alias}, or `}${moveAddress}.`
}

/** The command that adds a loopback address, where kingress knows it; null for addresses outside loopback. */
function addAddress(address: string, platform: NodeJS.Platform): string | null {
  if (isIP(address) !== 4 || !address.startsWith('127.')) return null
  if (platform === 'darwin') return `add the address to the loopback interface: \`sudo ifconfig lo0 alias ${address} up\``
  return 'add the address to the loopback interface'
}
