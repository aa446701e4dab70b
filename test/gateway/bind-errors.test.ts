import {describe, expect, it} from 'vitest'

import {planGatewaySockets, type GatewayAddressing} from '../../src/gateway/addresses.js'
import {gatewayBindMessage} from '../../src/gateway/bind-errors.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {snapshotFrom} from './support.js'

/**
 * What `up` says when a Gateway's socket cannot be bound (SessionGateways.openSocket turns the
 * listener's PortUnavailableError into this message). The platform is an argument, so macOS's
 * answer is checked here on any machine: there only 127.0.0.1 exists until `ifconfig lo0 alias`.
 */

const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: shop, namespace: default}
spec:
  gatewayClassName: kingress
  addresses: [{type: IPAddress, value: 127.0.0.2}]
  listeners: [{name: web, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: admin, namespace: default}
spec:
  gatewayClassName: kingress
  listeners: [{name: web, port: 80, protocol: HTTP}]
`
const table = compileGatewayTable(snapshotFrom({'test.yaml': yaml}).snapshot)

function messageFor(gateway: string, platform: NodeJS.Platform, more: Partial<GatewayAddressing> = {}, failure: 'EADDRNOTAVAIL' | 'EADDRINUSE' = 'EADDRNOTAVAIL'): string {
  const plan = planGatewaySockets(table, '127.0.0.1', {addresses: new Map(), listenerPorts: new Map(), platform, ...more})
  const planned = plan.sockets.find((s) => !s.ingress && s.gateways.includes(gateway))
  if (planned === undefined) throw new Error(`no socket of its own for ${gateway}`)
  return gatewayBindMessage(plan, planned, 80, failure, null, platform)
}

describe('a Gateway socket that cannot be bound', () => {
  it('macOS, an unaliased spec.addresses IP: names the Gateway and spec.addresses, and gives the alias command and the 127.0.0.1 flag', () => {
    expect(messageFor('default/shop', 'darwin')).toBe(
      'cannot listen on 127.0.0.2:80 for Gateway listener default/shop/web (HTTP port 80, the --http-port port): address not available. ' +
        'Gateway default/shop asks for 127.0.0.2 in spec.addresses, and macOS answers only on 127.0.0.1 until an address is added to lo0. ' +
        'To fix it, add the address to the loopback interface: `sudo ifconfig lo0 alias 127.0.0.2 up`, or serve it on 127.0.0.1 meanwhile with --gateway-address default/shop=127.0.0.1.',
    )
  })

  it('elsewhere the same failure still names spec.addresses and the flag, without the macOS command', () => {
    const message = messageFor('default/shop', 'linux')
    expect(message).toContain('Gateway default/shop asks for 127.0.0.2 in spec.addresses, and this machine has no such address.')
    expect(message).toContain('--gateway-address default/shop=127.0.0.1')
    expect(message).not.toContain('ifconfig')
  })

  it('an address --gateway-address gave is not blamed on spec.addresses', () => {
    const message = messageFor('default/admin', 'darwin', {addresses: new Map([['default/admin', '127.0.0.3']])})
    expect(message).not.toContain('spec.addresses')
    expect(message).toContain('To fix it, add the address to the loopback interface: `sudo ifconfig lo0 alias 127.0.0.3 up`, or give the Gateway another address with --gateway-address default/admin=IP.')
  })

  it('a port in use is about the port, whatever the address came from', () => {
    const message = messageFor('default/shop', 'darwin', {}, 'EADDRINUSE')
    expect(message).toContain('address already in use. To fix it, choose the HTTP port with --http-port, or give the Gateway another address with --gateway-address default/shop=IP.')
  })
})
