import {describe, expect, it} from 'vitest'

import {type PlatformInfo, LINUX_LOCAL, chooseAddress} from '../../../src/backends/docker/address.js'
import {factsFromInspect, factsFromListEntry} from '../../../src/backends/docker/containers.js'

const DESKTOP: PlatformInfo = {bridgeReachable: false, dialHost: '127.0.0.1', remote: false, engineLabel: 'Docker Desktop'}
const REMOTE: PlatformInfo = {bridgeReachable: false, dialHost: 'box.lan', remote: true, engineLabel: 'a remote engine (ssh://me@box.lan)'}

function listEntry(ports: object[], extra: object = {}): object {
  return {
    Id: 'f00dbabe00112233',
    Names: ['/blue-2'],
    Labels: {app: 'web'},
    State: 'running',
    Status: 'Up 3 seconds',
    Ports: ports,
    HostConfig: {NetworkMode: 'bridge'},
    NetworkSettings: {Networks: {bridge: {IPAddress: '172.17.0.3', GlobalIPv6Address: ''}}},
    ...extra,
  }
}

describe('chooseAddress', () => {
  it('dials the published port on 127.0.0.1 when bound to 0.0.0.0', () => {
    const entry = listEntry([
      {PrivatePort: 80, PublicPort: 32768, IP: '0.0.0.0', Type: 'tcp'},
      {PrivatePort: 80, PublicPort: 32769, IP: '::', Type: 'tcp'},
    ])
    expect(chooseAddress(entry, 80, LINUX_LOCAL)).toEqual({ok: true, host: '127.0.0.1', port: 32768, via: 'published', note: null})
    expect(chooseAddress(entry, 80, DESKTOP)).toMatchObject({ok: true, host: '127.0.0.1', port: 32768})
  })

  it('prefers the IPv4 binding even when the engine lists `::` first (it may be a different host port)', () => {
    const entry = listEntry([
      {PrivatePort: 80, PublicPort: 32769, IP: '::', Type: 'tcp'},
      {PrivatePort: 80, PublicPort: 32770, IP: '0.0.0.0', Type: 'tcp'},
    ])
    expect(chooseAddress(entry, 80, LINUX_LOCAL)).toMatchObject({host: '127.0.0.1', port: 32770})
  })

  it('an IPv6-only wildcard binding is dialled on ::1, a specific HostIp on that IP', () => {
    expect(chooseAddress(listEntry([{PrivatePort: 80, PublicPort: 8080, IP: '::', Type: 'tcp'}]), 80, LINUX_LOCAL)).toMatchObject({host: '::1', port: 8080})
    expect(chooseAddress(listEntry([{PrivatePort: 80, PublicPort: 8080, IP: '192.168.5.2', Type: 'tcp'}]), 80, LINUX_LOCAL)).toMatchObject({
      host: '192.168.5.2',
      via: 'published',
    })
    expect(chooseAddress(listEntry([{PrivatePort: 80, PublicPort: 8080, IP: '127.0.0.1', Type: 'tcp'}]), 80, DESKTOP)).toMatchObject({host: '127.0.0.1'})
    // Podman reports an empty HostIp for "all interfaces".
    expect(chooseAddress(listEntry([{PrivatePort: 80, PublicPort: 8080, IP: '', Type: 'tcp'}]), 80, LINUX_LOCAL)).toMatchObject({host: '127.0.0.1'})
  })

  it('falls back to the bridge IP on Linux when the port is not published', () => {
    const entry = listEntry([{PrivatePort: 80, Type: 'tcp'}, {PrivatePort: 443, PublicPort: 8443, IP: '0.0.0.0', Type: 'tcp'}])
    expect(chooseAddress(entry, 80, LINUX_LOCAL)).toEqual({ok: true, host: '172.17.0.3', port: 80, via: 'bridge', note: null})
  })

  it('ignores a UDP publication of the same port number', () => {
    const entry = listEntry([{PrivatePort: 80, PublicPort: 5353, IP: '0.0.0.0', Type: 'udp'}])
    expect(chooseAddress(entry, 80, LINUX_LOCAL)).toMatchObject({host: '172.17.0.3', via: 'bridge'})
  })

  it('on Docker Desktop an unpublished port is unreachable, and the reason says how to publish it', () => {
    const result = chooseAddress(listEntry([{PrivatePort: 80, Type: 'tcp'}]), 80, DESKTOP)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.reason).toContain('does not publish port 80')
      expect(result.reason).toContain('Docker Desktop')
      expect(result.reason).toContain('ports: ["8080:80"]')
      expect(result.reason).toContain('80/tcp (exposed, not published)')
    }
  })

  it('a remote engine: 0.0.0.0 means the remote host, its loopback is unreachable', () => {
    expect(chooseAddress(listEntry([{PrivatePort: 80, PublicPort: 9000, IP: '0.0.0.0', Type: 'tcp'}]), 80, REMOTE)).toMatchObject({host: 'box.lan', port: 9000})
    const loopback = chooseAddress(listEntry([{PrivatePort: 80, PublicPort: 9000, IP: '127.0.0.1', Type: 'tcp'}]), 80, REMOTE)
    expect(loopback).toMatchObject({ok: false})
    if (!loopback.ok) expect(loopback.reason).toContain('only on the loopback')
  })

  it('prefers the default bridge network, skips macvlan, and explains a network the host cannot reach', () => {
    const facts = {
      ...factsFromListEntry(listEntry([])),
      networks: [
        {name: 'app_default', ip: '172.20.0.2', ipv6: '', driver: 'bridge'},
        {name: 'bridge', ip: '172.17.0.3', ipv6: '', driver: 'bridge'},
      ],
    }
    expect(chooseAddress(facts, 80, LINUX_LOCAL)).toMatchObject({host: '172.17.0.3', note: 'network bridge'})
    const macvlan = {...facts, networks: [{name: 'lan', ip: '192.168.1.50', ipv6: '', driver: 'macvlan'}]}
    const result = chooseAddress(macvlan, 80, LINUX_LOCAL)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.reason).toContain('lan (macvlan driver)')
  })

  it('host networking dials the engine host directly', () => {
    const entry = listEntry([], {HostConfig: {NetworkMode: 'host'}, NetworkSettings: {Networks: {host: {IPAddress: ''}}}})
    expect(chooseAddress(entry, 3000, LINUX_LOCAL)).toMatchObject({ok: true, host: '127.0.0.1', port: 3000, note: 'host network'})
  })

  it('network_mode container:… cannot be dialled directly', () => {
    const entry = listEntry([], {HostConfig: {NetworkMode: 'container:abc'}, NetworkSettings: {Networks: {}}})
    const result = chooseAddress(entry, 80, LINUX_LOCAL)
    expect(result.ok).toBe(false)
  })

  it('accepts an inspect result as well as a list entry', () => {
    const inspect = {
      Id: 'f00dbabe00112233',
      Name: '/blue-1',
      Config: {Labels: {app: 'web'}, ExposedPorts: {'80/tcp': {}, '9000/tcp': {}}},
      State: {Status: 'running', Running: true, Paused: false, Health: {Status: 'starting'}},
      HostConfig: {NetworkMode: 'default'},
      NetworkSettings: {
        Ports: {'80/tcp': [{HostIp: '0.0.0.0', HostPort: '49153'}], '9000/tcp': null},
        Networks: {bridge: {IPAddress: '172.17.0.9'}},
      },
    }
    expect(chooseAddress(inspect, 80, LINUX_LOCAL)).toMatchObject({host: '127.0.0.1', port: 49153, via: 'published'})
    expect(chooseAddress(inspect, 9000, LINUX_LOCAL)).toMatchObject({host: '172.17.0.9', port: 9000, via: 'bridge'})
    const facts = factsFromInspect(inspect)
    expect(facts).toMatchObject({name: 'blue-1', health: 'starting', state: 'running'})
  })
})

describe('factsFromListEntry', () => {
  it('reads health from the status text (and from Health when the API has it) and strips the slash', () => {
    expect(factsFromListEntry(listEntry([], {Status: 'Up 2 seconds (health: starting)'})).health).toBe('starting')
    expect(factsFromListEntry(listEntry([], {Status: 'Up 2 minutes (unhealthy)'})).health).toBe('unhealthy')
    expect(factsFromListEntry(listEntry([], {Status: 'Up 2 minutes (healthy)'})).health).toBe('healthy')
    expect(factsFromListEntry(listEntry([], {Status: 'Up 2 minutes', Health: {Status: 'unhealthy'}})).health).toBe('unhealthy')
    expect(factsFromListEntry(listEntry([], {Names: ['/other/alias', '/blue-2']})).name).toBe('blue-2')
  })
})
