import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {parseGatewayAddress, parseListenerPort, planGatewaySockets, socketSignature, type GatewayAddressing} from '../../src/gateway/addresses.js'
import {compileGatewayTable} from '../../src/gateway/route-table.js'
import {isLoopback} from '../../src/gateway/spec-addresses.js'
import {CONFORMANCE, snapshotFrom} from './support.js'

/** The pure plan of `up`'s Gateway sockets: which address each Gateway gets, which socket each listener port. */

const gateway = (name: string, listeners: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: default}
spec:
  gatewayClassName: kingress
  listeners:
${listeners}---
`

function tableOf(yaml: string) {
  return compileGatewayTable(snapshotFrom({'test.yaml': yaml}).snapshot)
}

const addressing = (more: Partial<GatewayAddressing> = {}): GatewayAddressing => ({addresses: new Map(), listenerPorts: new Map(), platform: 'linux', ...more})

describe('planGatewaySockets', () => {
  const three = tableOf(readFileSync(join(CONFORMANCE, 'base.yaml'), 'utf8'))

  it('Linux: the first Gateway by namespace/name on --bind, the next on 127.0.0.2, 127.0.0.3', () => {
    const plan = planGatewaySockets(three, '127.0.0.1', addressing())
    expect([...plan.addresses]).toEqual([
      ['gateway-conformance-infra/all-namespaces', '127.0.0.1'],
      ['gateway-conformance-infra/backend-namespaces', '127.0.0.2'],
      ['gateway-conformance-infra/same-namespace', '127.0.0.3'],
    ])
    const http = plan.sockets.find((s) => s.ingress && s.scheme === 'http')!
    expect(http.gateways).toEqual(['gateway-conformance-infra/all-namespaces'])
    expect(plan.sockets.filter((s) => !s.ingress).map((s) => `${s.address} ${s.port}`)).toEqual(['127.0.0.2 http', '127.0.0.3 http'])
    expect(plan.warnings).toEqual([])
  })

  it('--gateway-address takes its address out of the automatic ones', () => {
    const plan = planGatewaySockets(three, '127.0.0.1', addressing({addresses: new Map([['gateway-conformance-infra/same-namespace', '127.0.0.2']])}))
    expect(plan.addresses.get('gateway-conformance-infra/same-namespace')).toBe('127.0.0.2')
    expect(plan.addresses.get('gateway-conformance-infra/backend-namespaces')).toBe('127.0.0.3')
  })

  it('a --gateway-address for a Gateway that is not loaded is a warning', () => {
    const plan = planGatewaySockets(three, '127.0.0.1', addressing({addresses: new Map([['default/nope', '127.0.0.9']])}))
    expect(plan.warnings).toEqual(['--gateway-address default/nope=127.0.0.9: no Gateway default/nope with an accepted HTTP or HTTPS listener is loaded.'])
  })

  it('macOS and a wildcard --bind: every Gateway shares --bind', () => {
    for (const [bind, platform] of [['127.0.0.1', 'darwin'], ['0.0.0.0', 'linux']] as const) {
      const plan = planGatewaySockets(three, bind, addressing({platform}))
      expect(new Set(plan.addresses.values())).toEqual(new Set([bind]))
      expect(plan.sockets.filter((s) => !s.ingress)).toEqual([])
    }
    expect(planGatewaySockets(three, '127.0.0.1', addressing({platform: 'darwin'})).warnings.join('\n')).toContain('sudo ifconfig lo0 alias 127.0.0.2 up')
  })

  it('ports: 80 and 443 follow --http-port/--https-port, others their own number or --listener-port', () => {
    const table = tableOf(
      gateway('a', '  - {name: web, port: 80, protocol: HTTP}\n  - {name: alt, port: 8000, protocol: HTTP}\n  - {name: other, port: 9000, protocol: HTTP}\n  - name: tls\n    port: 443\n    protocol: HTTPS\n    tls: {certificateRefs: [{name: c}]}\n'),
    )
    const plan = planGatewaySockets(table, '127.0.0.1', addressing({listenerPorts: new Map([[8000, 18000]])}))
    expect(plan.sockets.map((s) => [s.port, s.scheme, s.gatewayPort, s.ingress, s.gateways.length])).toEqual([
      ['http', 'http', 80, true, 1],
      ['https', 'https', 443, true, 1],
      [18000, 'http', 8000, false, 1],
      [9000, 'http', 9000, false, 1],
    ])
  })

  it('two listener ports mapped onto one socket: the second is not served, and said so', () => {
    const table = tableOf(gateway('a', '  - {name: alt, port: 8000, protocol: HTTP}\n  - {name: other, port: 9000, protocol: HTTP}\n'))
    const plan = planGatewaySockets(table, '127.0.0.1', addressing({listenerPorts: new Map([[8000, 9000]])}))
    expect(plan.sockets.filter((s) => !s.ingress)).toHaveLength(1)
    expect(plan.warnings).toEqual([expect.stringContaining('Gateway listener default/a/other (HTTP port 9000) is not served: port 9000 on 127.0.0.1 already serves HTTP port 8000 (default/a/alt)')])
  })

  it('listener ports mapped to 0 (any free port): a socket each, not one shared', () => {
    const table = tableOf(gateway('a', '  - {name: alt, port: 8000, protocol: HTTP}\n  - {name: other, port: 9000, protocol: HTTP}\n'))
    const plan = planGatewaySockets(table, '127.0.0.1', addressing({listenerPorts: new Map([[8000, 0], [9000, 0]])}))
    expect(plan.sockets.filter((s) => !s.ingress).map((s) => [s.port, s.gatewayPort])).toEqual([
      [0, 8000],
      [0, 9000],
    ])
    expect(plan.warnings).toEqual([])
  })

  describe('spec.addresses', () => {
    const withAddresses = (name: string, addresses: string) => gateway(name, '  - {name: web, port: 80, protocol: HTTP}\n').replace('  listeners:', `  addresses:\n${addresses}  listeners:`)
    const table = tableOf(withAddresses('a', '  - {type: IPAddress, value: 127.0.0.9}\n') + gateway('b', '  - {name: web, port: 80, protocol: HTTP}\n') + withAddresses('c', '  - {value: 192.0.2.10}\n  - {type: IPAddress}\n'))

    it('a loopback IPAddress is where the Gateway is served; the automatic addresses skip it', () => {
      const plan = planGatewaySockets(table, '127.0.0.1', addressing())
      expect([...plan.addresses]).toEqual([
        ['default/a', '127.0.0.9'],
        ['default/b', '127.0.0.1'],
        ['default/c', '127.0.0.2'],
      ])
      expect(plan.sockets.filter((s) => !s.ingress).map((s) => s.address)).toEqual(['127.0.0.9', '127.0.0.2'])
    })

    it('an address kingress cannot use is a warning, and the Gateway gets the address kingress picks', () => {
      const plan = planGatewaySockets(table, '127.0.0.1', addressing())
      expect(plan.warnings).toEqual([expect.stringMatching(/^Gateway default\/c: spec\.addresses\[0\] 192\.0\.2\.10 is not used: it is not a loopback address.*--gateway-address default\/c=192\.0\.2\.10.*Served on 127\.0\.0\.2 instead \(status: Programmed False, AddressNotUsable\)\.$/)])
    })

    it('--gateway-address wins over spec.addresses, and says so', () => {
      const plan = planGatewaySockets(table, '127.0.0.1', addressing({addresses: new Map([['default/a', '127.0.0.3'], ['default/c', '192.0.2.10']])}))
      expect(plan.addresses.get('default/a')).toBe('127.0.0.3')
      expect(plan.addresses.get('default/c')).toBe('192.0.2.10')
      expect(plan.warnings).toEqual(['Gateway default/a: --gateway-address default/a=127.0.0.3 is used, not spec.addresses 127.0.0.9.'])
    })

    it('macOS: a Gateway with a loopback spec address keeps it; only the others share --bind', () => {
      const plan = planGatewaySockets(table, '127.0.0.1', addressing({platform: 'darwin'}))
      expect(plan.addresses.get('default/a')).toBe('127.0.0.9')
      expect(plan.addresses.get('default/c')).toBe('127.0.0.1')
    })

    it('a reload that adds a spec address moves the Gateway there; the others keep theirs', () => {
      const before = planGatewaySockets(tableOf(gateway('a', '  - {name: web, port: 80, protocol: HTTP}\n') + gateway('b', '  - {name: web, port: 80, protocol: HTTP}\n')), '127.0.0.1', addressing())
      expect(before.addresses.get('default/b')).toBe('127.0.0.2')
      const after = planGatewaySockets(tableOf(gateway('a', '  - {name: web, port: 80, protocol: HTTP}\n') + withAddresses('b', '  - {value: "::1"}\n')), '127.0.0.1', addressing(), before.addresses)
      expect([...after.addresses]).toEqual([
        ['default/a', '127.0.0.1'],
        ['default/b', '::1'],
      ])
    })

    it('loopback is 127.0.0.0/8 and ::1, in any spelling', () => {
      expect(['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.2'].map(isLoopback)).toEqual([true, true, true, true, true])
      expect(['128.0.0.1', '192.0.2.10', '::2', 'fe80::1', 'localhost', '10.0.0.1'].map(isLoopback)).toEqual([false, false, false, false, false, false])
    })
  })

  it('Gateways sharing an address: a warning for listeners of the same port and hostname', () => {
    const table = tableOf(gateway('a', '  - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}\n') + gateway('b', '  - {name: web, port: 80, protocol: HTTP, hostname: shop.example.com}\n  - {name: other, port: 80, protocol: HTTP, hostname: b.example.com}\n'))
    const shared = planGatewaySockets(table, '127.0.0.1', addressing({addresses: new Map([['default/a', '127.0.0.5'], ['default/b', '127.0.0.5']])}))
    expect(shared.warnings).toEqual([expect.stringContaining('Gateway listeners default/a/web and default/b/web share 127.0.0.5 port 80 and hostname shop.example.com')])
    // --bind given to one Gateway: the automatic ones start at 127.0.0.2, nobody shares.
    expect(planGatewaySockets(table, '127.0.0.1', addressing({addresses: new Map([['default/b', '127.0.0.1']])})).addresses.get('default/a')).toBe('127.0.0.2')
    expect(planGatewaySockets(table, '127.0.0.1', addressing()).warnings).toEqual([])
  })

  it('the signature changes when a Gateway is added, not when only routes change', () => {
    const one = gateway('a', '  - {name: web, port: 80, protocol: HTTP}\n')
    const route = 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r, namespace: default}\nspec:\n  parentRefs: [{name: a}]\n  rules: [{backendRefs: [{name: s, port: 80}]}]\n'
    const sig = (yaml: string) => socketSignature(planGatewaySockets(tableOf(yaml), '127.0.0.1', addressing()))
    expect(sig(one + route)).toBe(sig(one))
    expect(sig(one + gateway('b', '  - {name: web, port: 80, protocol: HTTP}\n'))).not.toBe(sig(one))
  })
})

describe('the flags', () => {
  it.each([
    ['default/shop=127.0.0.2', ['default/shop', '127.0.0.2']],
    ['shop=127.0.0.2', 'expected NAMESPACE/NAME=IP'],
    ['default/shop=localhost', 'localhost is not an IP address'],
  ] as const)('--gateway-address %s', (text, expected) => {
    const parsed = parseGatewayAddress(text)
    if (typeof expected === 'string') expect(parsed).toContain(expected)
    else expect(parsed).toEqual(expected)
  })

  it.each([
    ['8000=18000', [8000, 18000]],
    ['8000=0', [8000, 0]],
    ['80=8081', 'served on --http-port'],
    ['443=8444', 'served on --https-port'],
    ['8000', 'expected LISTENER_PORT=LOCAL_PORT'],
    ['70000=1', 'expected LISTENER_PORT=LOCAL_PORT'],
  ] as const)('--listener-port %s', (text, expected) => {
    const parsed = parseListenerPort(text)
    if (typeof expected === 'string') expect(parsed).toContain(expected)
    else expect(parsed).toEqual(expected)
  })
})
