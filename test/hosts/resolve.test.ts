import {describe, expect, it} from 'vitest'

import {flushDnsCache} from '../../src/hosts/dns-flush.js'
import {defaultHostsFile, isWsl, WSL_WINDOWS_HOSTS_FILE} from '../../src/hosts/hosts-file.js'
import {renderHostsList, wslNote} from '../../src/hosts/render.js'
import {checkResolution, classifyResolution} from '../../src/hosts/resolve.js'
import {HostsPermissionError} from '../../src/hosts/errors.js'
import {parseHostsText} from '../../src/hosts/block.js'

import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

describe('classifyResolution', () => {
  it('says whether the OS answer is the proxy, partly, elsewhere or nothing', () => {
    expect(classifyResolution(['127.0.0.1'], ['127.0.0.1', '::1'])).toBe('proxy')
    expect(classifyResolution(['::1', '127.0.0.1'], ['127.0.0.1', '::1'])).toBe('proxy')
    expect(classifyResolution(['::ffff:127.0.0.1'], ['127.0.0.1'])).toBe('proxy')
    expect(classifyResolution(['127.0.0.1', '93.184.215.14'], ['127.0.0.1'])).toBe('mixed')
    expect(classifyResolution(['10.0.0.5'], ['127.0.0.1'])).toBe('elsewhere')
    expect(classifyResolution([], ['127.0.0.1'])).toBe('unresolved')
  })
})

describe('checkResolution', () => {
  it('asks the real OS resolver (dns.lookup): localhost is loopback', async () => {
    const [localhost] = await checkResolution(['localhost'], ['127.0.0.1', '::1'])
    expect(localhost).toMatchObject({host: 'localhost', state: 'proxy'})
  })

  it('reports a name that does not resolve with the resolver\'s code', async () => {
    const [result] = await checkResolution(['no-such-host.invalid'], ['127.0.0.1'])
    expect(result).toMatchObject({state: 'unresolved', addresses: []})
    expect(result!.error).toMatch(/^E[A-Z_]+$/)
  })

  it('reveals a shadowing entry (a lookup answering another address) and times out slow lookups', async () => {
    const lookup = async (host: string): Promise<string[]> => {
      if (host === 'slow.test') return new Promise(() => {})
      return ['10.0.0.5', '10.0.0.5']
    }
    const results = await checkResolution(['shadowed.test', 'slow.test'], ['127.0.0.1'], {lookup, timeoutMs: 100})
    expect(results).toEqual([
      {host: 'shadowed.test', addresses: ['10.0.0.5'], state: 'elsewhere'},
      {host: 'slow.test', addresses: [], state: 'unresolved', error: 'TIMEOUT'},
    ])
  })
})

describe('renderHostsList', () => {
  it('shows each managed host, its address and what the resolver says; warns about shadowed hosts for the system file', () => {
    const text = '# BEGIN kingress\n# kingress-meta: owner=static pid=1 since=2025-01-01T00:00:00.000Z\n127.0.0.1\ta.test\n::1\ta.test\n127.0.0.1\tb.test\n# END kingress\n'
    const block = parseHostsText(text).block
    const rendered = renderHostsList(
      {hostsFile: '/etc/hosts', realPath: '/etc/hosts', block, ownerAlive: null, userMappings: []},
      [
        {host: 'a.test', addresses: ['127.0.0.1'], state: 'proxy'},
        {host: 'b.test', addresses: ['10.0.0.5'], state: 'elsewhere'},
      ],
      {systemFile: true},
    )
    expect(rendered.out[0]).toBe('/etc/hosts: kingress block at lines 1-6 (written by `kingress hosts sync` at 2025-01-01T00:00:00.000Z)')
    expect(rendered.out[1]).toMatch(/^ {2}HOST +MAPPED TO +PROXY NOW +OS RESOLVER SAYS$/)
    expect(rendered.out[2]).toMatch(/^ {2}a\.test +127\.0\.0\.1, ::1 +yes +127\.0\.0\.1$/)
    expect(rendered.out[3]).toMatch(/^ {2}b\.test +127\.0\.0\.1 +NO +10\.0\.0\.5$/)
    expect(rendered.warnings).toEqual(['b.test resolves to 10.0.0.5: an earlier hosts line or a DNS entry shadows the kingress entry.'])
  })
})

describe('platform details', () => {
  it('flushes the macOS DNS cache with dscacheutil and mDNSResponder; a failure is a warning', async () => {
    const ran: string[] = []
    const ok = await flushDnsCache('darwin', async (command, args) => {
      ran.push([command, ...args].join(' '))
    })
    expect(ran).toEqual(['dscacheutil -flushcache', 'killall -HUP mDNSResponder'])
    expect(ok).toEqual({ok: true, message: 'flushed the DNS cache (dscacheutil -flushcache; killall -HUP mDNSResponder)'})
    const failed = await flushDnsCache('darwin', async (command) => {
      if (command === 'killall') throw new Error('Operation not permitted')
    })
    expect(failed?.ok).toBe(false)
    expect(failed?.message).toContain('sudo dscacheutil -flushcache; killall -HUP mDNSResponder')
    expect(await flushDnsCache('linux', async () => {
      throw new Error('must not run')
    })).toBeNull()
  })

  it('knows each platform\'s hosts file', () => {
    expect(defaultHostsFile('linux')).toBe('/etc/hosts')
    expect(defaultHostsFile('darwin')).toBe('/etc/hosts')
    expect(defaultHostsFile('win32', {SystemRoot: 'D:\\Win'})).toBe('D:\\Win\\System32\\drivers\\etc\\hosts')
    expect(defaultHostsFile('win32', {})).toBe('C:\\Windows\\System32\\drivers\\etc\\hosts')
  })

  it('detects WSL from /proc/version and points at the Windows hosts file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kingress-wsl-'))
    try {
      writeFileSync(join(dir, 'wsl'), 'Linux version 5.15.153.1-microsoft-standard-WSL2 (root@65c7) #1 SMP\n')
      writeFileSync(join(dir, 'plain'), 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)\n')
      expect(await isWsl(join(dir, 'wsl'), 'linux')).toBe(true)
      expect(await isWsl(join(dir, 'plain'), 'linux')).toBe(false)
      expect(await isWsl(join(dir, 'missing'), 'linux')).toBe(false)
      expect(await isWsl(join(dir, 'wsl'), 'darwin')).toBe(false)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
    expect(wslNote('/etc/hosts', `kingress hosts sync app.yaml --hosts-file ${WSL_WINDOWS_HOSTS_FILE}`)).toContain(
      `Run as administrator" and run:\n  kingress hosts sync app.yaml --hosts-file /mnt/c/Windows/System32/drivers/etc/hosts`,
    )
    expect(wslNote(WSL_WINDOWS_HOSTS_FILE, 'x')).toContain('the one Windows browsers use')
  })

  it('permission messages fit the platform', () => {
    const linux = new HostsPermissionError('EACCES', {hostsFile: '/etc/hosts', action: 'creating the lock file', rerun: 'kingress hosts sync a.yaml', platform: 'linux'})
    expect(linux.message).toBe(
      'cannot change /etc/hosts: permission denied (EACCES creating the lock file). Nothing was changed.\n' +
        'The hosts file belongs to root. Run:\n  sudo kingress hosts sync a.yaml\n' +
        '(if sudo cannot find kingress, e.g. with nvm: sudo env "PATH=$PATH" kingress hosts sync a.yaml)',
    )
    const wsl = new HostsPermissionError('EACCES', {hostsFile: WSL_WINDOWS_HOSTS_FILE, action: 'replacing it', rerun: 'kingress hosts sync a.yaml', platform: 'linux'})
    expect(wsl.message).toContain('sudo inside WSL does not help')
    const windows = new HostsPermissionError('EPERM', {hostsFile: 'C:\\Windows\\System32\\drivers\\etc\\hosts', action: 'replacing it', platform: 'win32'})
    expect(windows.message).toContain('Run as administrator')
    const readOnly = new HostsPermissionError('EROFS', {hostsFile: '/etc/hosts', action: 'replacing it', platform: 'linux'})
    expect(readOnly.message).toContain('read-only file system')
    expect(readOnly.message).not.toContain('sudo')
  })
})
