import {describe, expect, it} from 'vitest'

import {parseHostsText, type BlockMeta} from '../../src/hosts/block.js'
import {HostsOwnedError} from '../../src/hosts/errors.js'
import {hostsOfSnapshot} from '../../src/hosts/snapshot-hosts.js'
import {normalizeHosts, planClean, planSync, type SyncPlanInput} from '../../src/hosts/sync.js'
import {ingressYaml, snapshotOf} from '../support/manifests.js'

const ME = 1000
const alive = new Set<number>([ME, 2000])
const input = (over: Partial<SyncPlanInput> = {}): SyncPlanInput => ({
  hosts: ['blue.example.com', 'green.example.com'],
  ips: ['127.0.0.1'],
  owner: 'static',
  pid: ME,
  since: '2025-06-01T00:00:00.000Z',
  removeCommand: 'kingress hosts clean',
  force: false,
  isOwnerAlive: (meta: BlockMeta) => meta.pid !== null && alive.has(meta.pid),
  ...over,
})

const sync = (text: string, over: Partial<SyncPlanInput> = {}) => planSync(parseHostsText(text), input(over))
const blockOf = (owner: 'static' | 'session', pid: number, hosts = ['old.example.com']): string =>
  ['# BEGIN kingress', `# kingress-meta: owner=${owner} pid=${pid} since=2025-01-01T00:00:00.000Z`, ...hosts.map((h) => `127.0.0.1\t${h}`), '# END kingress', ''].join('\n')

describe('planSync', () => {
  it('adds a block with one line per host and address', () => {
    const plan = sync('127.0.0.1 localhost\n', {ips: ['127.0.0.1', '::1']})
    expect(plan.added).toEqual(['blue.example.com', 'green.example.com'])
    expect(plan.entries).toEqual([
      {ip: '127.0.0.1', host: 'blue.example.com'},
      {ip: '::1', host: 'blue.example.com'},
      {ip: '127.0.0.1', host: 'green.example.com'},
      {ip: '::1', host: 'green.example.com'},
    ])
    expect(plan.newText.startsWith('127.0.0.1 localhost\n# BEGIN kingress\n')).toBe(true)
  })

  it("a host with an address of its own (kingress up: a Gateway's) gets that address, the others the proxy's", () => {
    const own = new Map([['green.example.com', '127.0.0.2']])
    const plan = sync('127.0.0.1 localhost\n', {ips: ['127.0.0.1', '127.0.0.2'], ipsOf: (host) => (own.has(host) ? [own.get(host)!] : ['127.0.0.1'])})
    expect(plan.entries).toEqual([
      {ip: '127.0.0.1', host: 'blue.example.com'},
      {ip: '127.0.0.2', host: 'green.example.com'},
    ])
  })

  it('is idempotent: a second plan with the same hosts changes nothing, even from another pid', () => {
    const first = sync('# hosts\n').newText
    expect(sync(first).newText).toBe(first)
    expect(sync(first, {pid: 2000, since: '2030-01-01T00:00:00.000Z'}).newText).toBe(first)
  })

  it('rewrites when the hosts or the address change', () => {
    const first = sync('# hosts\n').newText
    const fewer = sync(first, {hosts: ['blue.example.com']})
    expect(fewer.removed).toEqual(['green.example.com'])
    expect(fewer.unchanged).toEqual(['blue.example.com'])
    expect(sync(first, {ips: ['127.0.0.2']}).newText).not.toBe(first)
  })

  it('leaves hosts the user maps outside the block alone and reports them', () => {
    const plan = sync('10.0.0.5 green.example.com # staging\n127.0.0.1 blue.example.com alias\n')
    expect(plan.entries).toEqual([])
    expect(plan.userMapped).toEqual([
      {host: 'blue.example.com', addresses: ['127.0.0.1'], lines: [2], pointsToProxy: true},
      {host: 'green.example.com', addresses: ['10.0.0.5'], lines: [1], pointsToProxy: false},
    ])
    expect(plan.newText).toBe('10.0.0.5 green.example.com # staging\n127.0.0.1 blue.example.com alias\n')
  })

  it('removes the block when no host is left to map', () => {
    const text = '# a\n' + blockOf('static', 5)
    expect(sync(text, {hosts: []}).newText).toBe('# a\n')
  })

  it('replaces a static block', () => {
    expect(sync(blockOf('static', 2000)).replaced).toEqual({owner: 'static', pid: 2000, reason: 'static'})
  })

  it('replaces a session block whose process is dead (stale)', () => {
    const plan = sync('# a\n' + blockOf('session', 999999))
    expect(plan.replaced).toEqual({owner: 'session', pid: 999999, reason: 'stale'})
    expect(plan.newText).toContain('owner=static')
    expect(plan.newText).not.toContain('old.example.com')
  })

  it('refuses to take the block of a live session, unless forced', () => {
    const text = blockOf('session', 2000)
    expect(() => sync(text)).toThrow(HostsOwnedError)
    expect(() => sync(text)).toThrow(/pid 2000/)
    expect(sync(text, {force: true}).replaced?.reason).toBe('forced')
  })

  it('a session re-syncs its own block; the same hosts write nothing', () => {
    const own = sync('', {owner: 'session'}).newText
    expect(sync(own, {owner: 'session'}).newText).toBe(own)
    expect(sync(own, {owner: 'session', hosts: ['x.test']}).replaced?.reason).toBe('own')
  })

  it('treats a block without meta line as replaceable', () => {
    expect(sync('# BEGIN kingress\n127.0.0.1 a.test\n# END kingress\n').replaced?.reason).toBe('unmarked')
  })

  it('keeps the "added a final newline" record across replacements, so clean still restores exactly', () => {
    const original = '127.0.0.1 localhost'
    const first = sync(original).newText
    const second = sync(first, {hosts: ['x.test']}).newText
    expect(planClean(parseHostsText(second), {isOwnerAlive: () => false}).newText).toBe(original)
  })
})

describe('planClean', () => {
  const isOwnerAlive = (meta: BlockMeta) => meta.pid !== null && alive.has(meta.pid)

  it('removes the block and reports its entries', () => {
    const plan = planClean(parseHostsText('# a\n' + blockOf('static', 5)), {isOwnerAlive})
    expect(plan.newText).toBe('# a\n')
    expect(plan.removed).toEqual([{ip: '127.0.0.1', host: 'old.example.com'}])
  })

  it('reports when there is no block', () => {
    expect(planClean(parseHostsText('# a\n'), {isOwnerAlive}).skipped).toBe('no-block')
  })

  it('with a pid (a session exiting), removes only that session\'s block', () => {
    const other = '# a\n' + blockOf('static', ME)
    expect(planClean(parseHostsText(other), {pid: ME, isOwnerAlive}).skipped).toBe('other-owner')
    const mine = '# a\n' + blockOf('session', ME)
    expect(planClean(parseHostsText(mine), {pid: ME, isOwnerAlive}).newText).toBe('# a\n')
  })

  it('removes a live session\'s block when asked, and says so', () => {
    const plan = planClean(parseHostsText(blockOf('session', 2000)), {isOwnerAlive})
    expect(plan.newText).toBe('')
    expect(plan.ownedByLiveSession).toBe(true)
  })
})

describe('normalizeHosts', () => {
  it('lower-cases, sorts, de-duplicates; sorts out wildcards, IPs and junk', () => {
    expect(normalizeHosts(['B.test', 'a.test.', 'b.test', '*.wild.test', '10.0.0.1', 'bad host', 'x#y', '-a.test', ''])).toEqual({
      names: ['a.test', 'b.test'],
      wildcards: ['*.wild.test'],
      invalid: [
        {host: '10.0.0.1', reason: 'is an IP address, not a host name'},
        {host: 'bad host', reason: expect.stringContaining('not a valid DNS name')},
        {host: 'x#y', reason: expect.stringContaining('not a valid DNS name')},
        {host: '-a.test', reason: expect.stringContaining('not a valid DNS name')},
        {host: '', reason: expect.stringContaining('not a valid DNS name')},
      ],
    })
  })
})

describe('hostsOfSnapshot', () => {
  it('collects rule hosts and TLS hosts, splits out wildcards, skips host-less rules', () => {
    const p = [{pathType: 'Prefix'}]
    const yaml = [
      ingressYaml('a', [{host: 'blue.example.com', paths: p}, {paths: p}]) +
        ['  tls:', '  - hosts:', '    - secure.example.com', '    - "*.apps.example.com"', '    secretName: tls'].join('\n') + '\n',
      ingressYaml('b', [{host: '*.example.com', paths: p}, {host: 'blue.example.com', paths: [{path: '/x', pathType: 'Prefix'}]}]),
    ].join('---\n')
    const {snapshot, diagnostics} = snapshotOf(yaml)
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([])
    expect(hostsOfSnapshot(snapshot)).toEqual({
      names: ['blue.example.com', 'secure.example.com'],
      wildcards: ['*.apps.example.com', '*.example.com'],
    })
  })

  it('with a class, only that class\'s Ingresses', () => {
    const yaml = [
      ingressYaml('a', [{host: 'a.example.com', paths: [{pathType: 'Exact'}]}], {className: 'nginx'}),
      ingressYaml('b', [{host: 'b.example.com', paths: [{pathType: 'Exact'}]}], {className: 'traefik'}),
    ].join('---\n')
    expect(hostsOfSnapshot(snapshotOf(yaml).snapshot, {className: 'nginx'}).names).toEqual(['a.example.com'])
  })
})
