import {chmodSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {deadPid, isRoot, makeTempDir, removeTempDir, runKingress, works} from './support/helpers.js'

/** `kingress hosts …` as a user runs it: the real CLI from sources, real files, exit codes. */

const ORIGINAL = '# /etc/hosts\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n'
const VHOST = 'fixtures/virtual-host-ingress.yaml'
// Each CLI start costs ~2 s (tsx + oclif dev mode), more with the other test files running alongside.
const SLOW = {timeout: 180_000}

let dir: string
let file: string
beforeEach(() => {
  dir = makeTempDir()
  file = join(dir, 'hosts')
  writeFileSync(file, ORIGINAL)
})
afterEach(() => removeTempDir(dir))

const read = (): string => readFileSync(file, 'latin1')
const stamp = () => {
  const s = statSync(file, {bigint: true})
  return [s.ino, s.mtimeNs, s.ctimeNs]
}

describe('kingress hosts sync / list / clean', SLOW, () => {
  // `up` serves each Gateway on its own address (src/gateway/addresses.ts): the hosts file must send its hostnames there.
  it('maps HTTPRoute hostnames too, each to the address `up` serves its Gateway on', async () => {
    const manifests = join(dir, 'gateways.yaml')
    const gateway = (name: string, hostname?: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: default}\nspec:\n  gatewayClassName: kingress\n  listeners: [{name: http, port: 80, protocol: HTTP${hostname ? `, hostname: "${hostname}"` : ''}}]\n`
    const route = (name: string, parent: string, host: string) => `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: default}\nspec:\n  parentRefs: [{name: ${parent}}]\n  hostnames: [${host}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n`
    writeFileSync(manifests, [gateway('a'), gateway('b', '*.b.test'), route('ra', 'a', 'shop.a.test'), route('rb', 'b', 'shop.b.test')].join('---\n'))
    const sync = await runKingress(['hosts', 'sync', manifests, VHOST, '--hosts-file', file])
    expect(sync.code, sync.stderr).toBe(0)
    // The first Gateway shares --ip with the Ingresses, the next is on 127.0.0.2 (Linux).
    expect(read()).toContain('127.0.0.1\tblue.example.com\n127.0.0.1\tgreen.example.com\n127.0.0.1\tshop.a.test\n127.0.0.2\tshop.b.test\n')
    expect(sync.stdout).toContain('+ shop.b.test → 127.0.0.2')
    expect(sync.stdout).toContain('note: *.b.test: a hosts file cannot hold wildcards.')
    const moved = await runKingress(['hosts', 'sync', manifests, VHOST, '--hosts-file', file, '--gateway-address', 'default/b=127.0.0.9'])
    expect(moved.code, moved.stderr).toBe(0)
    expect(read()).toContain('127.0.0.9\tshop.b.test\n')
  })

  it('syncs, is idempotent, lists, and cleans back to the exact original', async () => {
    const first = await runKingress(['hosts', 'sync', VHOST, 'fixtures/fan-out-ingress.yaml', '--hosts-file', file])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('+ blue.example.com → 127.0.0.1')
    expect(first.stdout).toContain('+ green.example.com → 127.0.0.1')
    expect(first.stdout).toContain('+ example.com → 127.0.0.1')
    expect(first.stdout).toContain(`Updated ${file}: 3 hosts → 127.0.0.1.`)
    expect(first.stdout).toContain(`Remove the entries with: kingress hosts clean --hosts-file ${file}`)
    expect(read().startsWith(ORIGINAL + '# BEGIN kingress\n')).toBe(true)
    expect(read()).toContain('127.0.0.1\tblue.example.com\n127.0.0.1\texample.com\n127.0.0.1\tgreen.example.com\n# END kingress\n')

    const before = stamp()
    const second = await runKingress(['hosts', 'sync', 'fixtures/fan-out-ingress.yaml', VHOST, '--hosts-file', file])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toContain(`${file} is up to date: 3 hosts → 127.0.0.1. Nothing written.`)
    expect(stamp()).toEqual(before)

    const list = await runKingress(['hosts', 'list', '--hosts-file', file])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toContain(`${file}: kingress block at lines 4-12 (written by \`kingress hosts sync\``)
    expect(list.stdout).toMatch(/blue\.example\.com +127\.0\.0\.1 +NO +\(E[A-Z_]+\)/)
    expect(list.stdout).toContain('the OS resolver reads the system hosts file')

    const clean = await runKingress(['hosts', 'clean', '--hosts-file', file])
    expect(clean.code, clean.stderr).toBe(0)
    expect(clean.stdout).toContain(`Removed the kingress block (3 hosts) from ${file}`)
    expect(read()).toBe(ORIGINAL)
    const again = await runKingress(['hosts', 'clean', '--hosts-file', file])
    expect(again.stdout).toContain('has no kingress block. Nothing to remove.')
  })

  it('--dry-run prints a unified diff and changes nothing', async () => {
    const before = stamp()
    const result = await runKingress(['hosts', 'sync', VHOST, '--hosts-file', file, '--dry-run', '--ipv6'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain(`--- ${file}\n+++ ${file} (after kingress hosts sync)\n@@ -1,3 +1,13 @@\n # /etc/hosts\n`)
    expect(result.stdout).toContain('+127.0.0.1\tblue.example.com\n+::1\tblue.example.com\n')
    expect(result.stdout).toContain('dry run: ')
    expect(result.stdout).toContain('Nothing written.')
    expect(stamp()).toEqual(before)
    expect(readdirSync(dir)).toEqual(['hosts'])
  })

  it('reports hosts the user already maps, and wildcards with how to reach them', async () => {
    writeFileSync(file, ORIGINAL + '10.0.0.5 green.example.com\n')
    const manifest = join(dir, 'wild.yaml')
    writeFileSync(
      manifest,
      readFileSync(VHOST, 'utf8') +
        '---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: wild\nspec:\n  rules:\n  - host: "*.apps.example.com"\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service:\n            name: s\n            port:\n              number: 80\n',
    )
    const result = await runKingress(['hosts', 'sync', manifest, '--hosts-file', file])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toContain(`warning: green.example.com is already in ${file} outside the kingress block (line 4: 10.0.0.5); left it alone`)
    expect(result.stdout).toContain('--host-resolver-rules="MAP *.apps.example.com 127.0.0.1"')
    expect(read()).toContain('10.0.0.5 green.example.com\n# BEGIN kingress\n')
    expect(read()).not.toContain('\tgreen.example.com')
  })

  it('replaces a stale block left by a crashed session', async () => {
    writeFileSync(file, `${ORIGINAL}# BEGIN kingress\n# kingress-meta: owner=session pid=${deadPid()} since=${new Date().toISOString()}\n127.0.0.1\tgone.example.com\n# END kingress\n`)
    const result = await runKingress(['hosts', 'sync', VHOST, '--hosts-file', file])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/replaced a stale kingress block left by `kingress up --hosts` \(pid \d+, no longer running\)/)
    expect(read()).not.toContain('gone.example.com')
  })

  it('two syncs at once leave exactly one block', async () => {
    const results = await Promise.all([
      runKingress(['hosts', 'sync', VHOST, '--hosts-file', file]),
      runKingress(['hosts', 'sync', 'fixtures/fan-out-ingress.yaml', '--hosts-file', file]),
    ])
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(read().match(/^# BEGIN kingress$/gm)).toHaveLength(1)
    expect(read().match(/^# END kingress$/gm)).toHaveLength(1)
    expect(read().startsWith(ORIGINAL + '# BEGIN kingress\n')).toBe(true)
  })
})

describe('kingress hosts: user errors exit 1 and change nothing', SLOW, () => {
  it('sync without manifests says to give them', async () => {
    const result = await runKingress(['hosts', 'sync', '--hosts-file', file])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('give the Ingress manifests whose hosts to map')
    expect(read()).toBe(ORIGINAL)
  })

  it('invalid manifests: every finding on stderr, file:line first', async () => {
    const result = await runKingress(['hosts', 'sync', 'fixtures/broken/pathtype-typo.yaml', '--hosts-file', file])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^fixtures\/broken\/pathtype-typo\.yaml:\d+:\d+: /m)
    expect(result.stderr).toContain('the hosts file was not changed')
    expect(read()).toBe(ORIGINAL)
  })

  it('a bad --ip, a missing hosts file', async () => {
    const badIp = await runKingress(['hosts', 'sync', VHOST, '--hosts-file', file, '--ip', '300.1.1.1'])
    expect(badIp.code).toBe(1)
    expect(badIp.stderr).toContain('--ip 300.1.1.1: not an IPv4 or IPv6 address')
    const missing = await runKingress(['hosts', 'clean', '--hosts-file', join(dir, 'nope')])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('no such file')
  })

  it('a damaged block is refused with what to fix', async () => {
    writeFileSync(file, ORIGINAL + '# BEGIN kingress\n127.0.0.1 x.test\n')
    const result = await runKingress(['hosts', 'clean', '--hosts-file', file])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`kingress: ${file} has "# BEGIN kingress" at line 4 but no "# END kingress" after it`)
  })

  const canSetpriv = isRoot && works('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'])
  it.skipIf(!canSetpriv)('no permission (run as nobody): exit 1 with the exact sudo command, nothing written', async () => {
    chmodSync(dir, 0o755)
    const result = await runKingress(['hosts', 'sync', VHOST, '--hosts-file', file, '--ipv6'], {asUser: 65534})
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toContain(`kingress: cannot change ${file}: permission denied (EACCES creating the lock file ${file}.kingress-lock). Nothing was changed.`)
    expect(result.stderr).toContain(`  sudo kingress hosts sync ${VHOST} --hosts-file ${file} --ipv6\n`)
    expect(read()).toBe(ORIGINAL)
    expect(readdirSync(dir)).toEqual(['hosts'])
  })
})
