import {UserError} from '../errors.js'
import {parseGatewayAddress, parseListenerPort, type GatewayAddressing} from '../gateway/addresses.js'

/** --gateway-address values, checked: a wrong value (or a Gateway given two addresses) is a UserError naming the flag. */
export function gatewayAddressesOf(values: readonly string[] | undefined): Map<string, string> {
  const addresses = new Map<string, string>()
  for (const text of values ?? []) {
    const parsed = parseGatewayAddress(text)
    if (typeof parsed === 'string') throw new UserError('BAD_FLAG', parsed)
    if (addresses.has(parsed[0]) && addresses.get(parsed[0]) !== parsed[1]) throw new UserError('BAD_FLAG', `--gateway-address ${parsed[0]} is given twice (${addresses.get(parsed[0])} and ${parsed[1]}).`)
    addresses.set(parsed[0], parsed[1])
  }
  return addresses
}

/** --gateway-address and --listener-port, checked: a wrong value is a UserError naming the flag. */
export function gatewayAddressing(flags: {readonly 'gateway-address'?: readonly string[]; readonly 'listener-port'?: readonly string[]}, platform: NodeJS.Platform = process.platform): GatewayAddressing {
  const addresses = gatewayAddressesOf(flags['gateway-address'])
  const listenerPorts = new Map<number, number>()
  for (const text of flags['listener-port'] ?? []) {
    const parsed = parseListenerPort(text)
    if (typeof parsed === 'string') throw new UserError('BAD_FLAG', parsed)
    listenerPorts.set(parsed[0], parsed[1])
  }
  return {addresses, listenerPorts, platform}
}
