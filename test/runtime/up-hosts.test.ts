import {copyFile, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {startServingCli, type ServingCli} from '../support/cli.js'
import {FIXTURES} from '../proxy/helpers.js'

const ORIGINAL = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# a comment the user wrote\n'

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('kingress up --hosts', () => {
  let dir = ''
  let cli: ServingCli | null = null
  afterEach(async () => {
    cli?.kill()
    cli = null
    if (dir) await rm(dir, {recursive: true, force: true})
  })

  it('writes a session block while up, follows manifest edits, and restores the file on exit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kingress-up-hosts-'))
    const hostsFile = join(dir, 'hosts')
    const manifest = join(dir, 'ingress.yaml')
    await writeFile(hostsFile, ORIGINAL)
    await copyFile(join(FIXTURES, 'virtual-host-ingress.yaml'), manifest)
    cli = await startServingCli(['up', manifest, '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--hosts', '--hosts-file', hostsFile])

    const during = await readFile(hostsFile, 'utf8')
    expect(during.startsWith(ORIGINAL)).toBe(true)
    expect(during).toMatch(/# BEGIN kingress[^\n]*\n/)
    expect(during).toMatch(/^127\.0\.0\.1\s+blue\.example\.com$/m)
    expect(during).toMatch(/^127\.0\.0\.1\s+green\.example\.com$/m)
    expect(cli.stderr()).toContain('hosts:')

    // A new host in the manifest reaches the hosts file on the next reload.
    const text = await readFile(manifest, 'utf8')
    await writeFile(manifest, text.replaceAll('green.example.com', 'teal.example.com'))
    await waitFor('teal.example.com in the hosts file', async () => (await readFile(hostsFile, 'utf8')).includes('teal.example.com'))
    expect(await readFile(hostsFile, 'utf8')).not.toContain('green.example.com')

    expect(await cli.stop('SIGINT')).toBe(0)
    expect(await readFile(hostsFile, 'utf8')).toBe(ORIGINAL)
    expect(cli.stderr()).toMatch(/removed 2 hosts from /)
  })

  it('after a crash (SIGKILL), the next up replaces the stale block and still restores the file', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kingress-up-hosts-'))
    const hostsFile = join(dir, 'hosts')
    await writeFile(hostsFile, ORIGINAL)
    const args = ['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--hosts', '--hosts-file', hostsFile]
    const crashed = await startServingCli(args)
    await crashed.stop('SIGKILL')
    expect(await readFile(hostsFile, 'utf8')).toContain('# BEGIN kingress')

    cli = await startServingCli(args)
    expect(cli.stderr()).toMatch(/replaced a stale kingress block left by `kingress up --hosts` \(pid \d+, no longer running\)/)
    expect(await cli.stop('SIGTERM')).toBe(0)
    expect(await readFile(hostsFile, 'utf8')).toBe(ORIGINAL)
  })

  it('a hosts file it cannot write: exit 1 with what to run, nothing served', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kingress-up-hosts-'))
    const missingDir = join(dir, 'no-such-dir', 'hosts')
    const result = await startServingCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--hosts', '--hosts-file', missingDir]).then(
      () => 'served',
      (error: Error) => error.message,
    )
    expect(result).toMatch(/exited \(1\) before ready/)
    expect(result).toContain(missingDir)
    expect(result).not.toMatch(/\n\s+at /)
  })
  it("maps a Gateway's route and listener hostnames to its address, Ingress hosts to --bind; the ready line lists each Gateway", async () => {
    dir = await mkdtemp(join(tmpdir(), 'kingress-up-hosts-'))
    const hostsFile = join(dir, 'hosts')
    const manifest = join(dir, 'app.yaml')
    await writeFile(hostsFile, ORIGINAL)
    const gateway = (name: string, hostname: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: ${name}, namespace: default}\nspec:\n  gatewayClassName: kingress\n  listeners:\n  - {name: http, port: 80, protocol: HTTP, hostname: ${hostname}}\n---\n`
    const route = (name: string, gw: string, host: string) =>
      `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: default}\nspec:\n  parentRefs: [{name: ${gw}}]\n  hostnames: [${host}]\n  rules:\n  - backendRefs: [{name: web, port: 80}]\n---\n`
    await writeFile(
      manifest,
      gateway('a', 'a.example.com') + gateway('b', 'shop.example.com') + route('ra', 'a', 'a.example.com') + route('rb', 'b', 'shop.example.com') +
        'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: default}\nspec:\n  rules:\n  - host: blue.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n',
    )
    cli = await startServingCli(['up', manifest, '--http-port', '0', '--https-port', '0', '--no-docker', '--no-dashboard', '--hosts', '--hosts-file', hostsFile, '--gateway-address', 'default/b=127.0.0.5'])
    const during = await readFile(hostsFile, 'utf8')
    expect(during).toMatch(/^127\.0\.0\.1\s+blue\.example\.com$/m)
    expect(during).toMatch(/^127\.0\.0\.1\s+a\.example\.com$/m)
    expect(during).toMatch(/^127\.0\.0\.5\s+shop\.example\.com$/m)
    expect(during).not.toMatch(/^127\.0\.0\.1\s+shop\.example\.com$/m)
    expect(cli.ready).toMatch(/ gateway default\/a http:\/\/127\.0\.0\.1:\d+ gateway default\/b http:\/\/127\.0\.0\.5:\d+$/)
    expect(await cli.stop('SIGINT')).toBe(0)
    expect(await readFile(hostsFile, 'utf8')).toBe(ORIGINAL)
  })

  it('a malformed --gateway-address: exit 1 naming the flag, nothing served', async () => {
    const result = await startServingCli(['up', join(FIXTURES, 'virtual-host-ingress.yaml'), '--http-port', '0', '--no-docker', '--no-dashboard', '--gateway-address', 'shop=127.0.0.2']).then(
      () => 'served',
      (error: Error) => error.message,
    )
    expect(result).toMatch(/exited \(1\) before ready/)
    expect(result).toContain('--gateway-address shop=127.0.0.2: expected NAMESPACE/NAME=IP')
    expect(result).not.toMatch(/\n\s+at /)
  })
})
