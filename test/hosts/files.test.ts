import {spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {isUserError} from '../../src/errors.js'
import {atomicWriteFile} from '../../src/hosts/atomic-write.js'
import {HostsFormatError, HostsLockedError, HostsOwnedError, HostsPermissionError} from '../../src/hosts/errors.js'
import {acquireLock} from '../../src/hosts/lock.js'
import {cleanHosts, readHostsState, syncHosts, type SyncOptions} from '../../src/hosts/sync.js'
import {deadPid, extraFiles, isRoot, liveProcess, makeTempDir, removeTempDir, runWorker, works} from './support/helpers.js'

const HOSTS = ['blue.example.com', 'green.example.com']
const ORIGINAL = '# Static table lookup for hostnames.\r\n#\tSee hosts(5).\r\n127.0.0.1\tlocalhost # loopback\r\n::1     localhost ip6-localhost ip6-loopback\r\n\r\n10.0.0.5 db.internal'

let dir: string
let file: string
beforeEach(() => {
  dir = makeTempDir()
  file = join(dir, 'hosts')
  writeFileSync(file, ORIGINAL, 'latin1')
})
afterEach(() => removeTempDir(dir))

const read = (path = file): string => readFileSync(path, 'latin1')
const sync = (over: Partial<SyncOptions> = {}) => syncHosts({hostsFile: file, hosts: HOSTS, owner: 'static', ...over})
const identity = (path = file) => {
  const s = statSync(path, {bigint: true})
  return {ino: s.ino, mtime: s.mtimeNs, ctime: s.ctimeNs, size: s.size}
}
/** Outside the block, every byte is the original's. */
const outsideBlock = (text: string): string => text.replace(/\r\n# BEGIN kingress\r\n[\s\S]*# END kingress\r\n$/, '')

describe('sync and clean on a real file', () => {
  it('adds one block with the file\'s CRLF endings and leaves every other byte alone; clean restores it exactly', async () => {
    const report = await sync({ipv6: true})
    expect(report.changed).toBe(true)
    const text = read()
    expect(text.startsWith(ORIGINAL + '\r\n# BEGIN kingress\r\n')).toBe(true)
    expect(text).toContain('127.0.0.1\tblue.example.com\r\n::1\tblue.example.com\r\n')
    expect(text.replaceAll('\r\n', '')).not.toContain('\n')
    expect(outsideBlock(text)).toBe(ORIGINAL)

    const cleaned = await cleanHosts({hostsFile: file})
    expect(cleaned.changed).toBe(true)
    expect(cleaned.removed.map((e) => e.host)).toEqual(['blue.example.com', 'blue.example.com', 'green.example.com', 'green.example.com'])
    expect(readFileSync(file).equals(Buffer.from(ORIGINAL, 'latin1'))).toBe(true)
  })

  // A Gateway on an address of its own: ::1 would send its hosts to the --ip proxy (the Ingresses) instead.
  it('with --ipv6, only the hosts on --ip also get ::1; a Gateway host on its own address gets that address alone', async () => {
    await sync({ipv6: true, hosts: ['blue.example.com', 'shop.b.test'], addresses: new Map([['shop.b.test', '127.0.0.2']])})
    const text = read()
    expect(text).toContain('127.0.0.1\tblue.example.com\r\n::1\tblue.example.com\r\n')
    expect(text).toContain('127.0.0.2\tshop.b.test\r\n')
    expect(text).not.toContain('::1\tshop.b.test')
  })

  it.each([
    ['empty', ''],
    ['LF with final newline', '127.0.0.1 localhost\n'],
    ['LF without final newline', '127.0.0.1 localhost'],
    ['non-UTF-8 bytes', '# \xe9t\xe9 \xff\n127.0.0.1 localhost\n'],
  ])('round-trips byte for byte through sync, re-sync and clean: %s', async (_, original) => {
    writeFileSync(file, original, 'latin1')
    await sync()
    await sync({hosts: ['other.example.com']})
    await cleanHosts({hostsFile: file})
    expect(readFileSync(file).equals(Buffer.from(original, 'latin1'))).toBe(true)
  })

  it('is idempotent: the second sync does not write (same inode, mtime, ctime) and leaves no lock or temp file', async () => {
    await sync()
    const before = identity()
    const text = read()
    await sleep(20)
    const again = await sync({hosts: [...HOSTS].reverse()})
    expect(again.changed).toBe(false)
    expect(again.write).toBeNull()
    expect(again.diff).toBe('')
    expect(identity()).toEqual(before)
    expect(read()).toBe(text)
    expect(extraFiles(dir, ['hosts', 'hosts.kingress-backup'])).toEqual([])
  })

  it('makes a one-time backup of the original, and never overwrites it', async () => {
    const first = await sync()
    expect(first.backup).toBe(join(dir, 'hosts.kingress-backup'))
    expect(read(first.backup!)).toBe(ORIGINAL)
    const second = await sync({hosts: ['x.example.com']})
    expect(second.backup).toBeNull()
    expect(read(join(dir, 'hosts.kingress-backup'))).toBe(ORIGINAL)
  })

  it('keeps the file\'s mode, and its owner (chown, as root)', async () => {
    chmodSync(file, 0o640)
    if (isRoot) chownSync(file, 1234, 5678)
    const report = await sync()
    expect(report.write?.method).toBe('rename')
    const after = statSync(file)
    expect(after.mode & 0o7777).toBe(0o640)
    if (isRoot) expect([after.uid, after.gid]).toEqual([1234, 5678])
  })

  it('writes through a symlink to its target, keeping the link', async () => {
    const real = join(dir, 'real-hosts')
    writeFileSync(real, ORIGINAL, 'latin1')
    const link = join(dir, 'link-hosts')
    symlinkSync(real, link)
    await syncHosts({hostsFile: link, hosts: HOSTS, owner: 'static'})
    expect(lstatSync(link).isSymbolicLink()).toBe(true)
    expect(read(real)).toContain('# BEGIN kingress')
  })

  it('leaves a host the user maps outside the block alone, and reports it', async () => {
    writeFileSync(file, '10.9.9.9\tgreen.example.com # staging\n', 'latin1')
    const report = await sync()
    expect(report.userMapped).toEqual([{host: 'green.example.com', addresses: ['10.9.9.9'], lines: [1], pointsToProxy: false}])
    expect(report.entries).toEqual([{ip: '127.0.0.1', host: 'blue.example.com'}])
    expect(read().startsWith('10.9.9.9\tgreen.example.com # staging\n# BEGIN kingress\n')).toBe(true)
  })

  it('--dry-run returns a diff and changes nothing: no write, no backup, no lock', async () => {
    const before = identity()
    const report = await sync({dryRun: true})
    expect(report.changed).toBe(true)
    expect(report.diff).toContain('+# BEGIN kingress')
    expect(report.diff).toContain('\\ No newline at end of file')
    expect(identity()).toEqual(before)
    expect(readdirSync(dir)).toEqual(['hosts'])
    const clean = await cleanHosts({hostsFile: file, dryRun: true})
    expect(clean.skipped).toBe('no-block')
  })

  it('refuses a damaged block, naming the file, and writes nothing', async () => {
    writeFileSync(file, '127.0.0.1 localhost\n# BEGIN kingress\n127.0.0.1 a.test\n', 'latin1')
    const before = identity()
    const error = await sync().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HostsFormatError)
    expect((error as Error).message).toContain(`${file} has "# BEGIN kingress" at line 2`)
    expect(identity()).toEqual(before)
    expect(readdirSync(dir)).toEqual(['hosts'])
  })

  it('a missing file or a UTF-16 file is a user error', async () => {
    await expect(syncHosts({hostsFile: join(dir, 'nope'), hosts: HOSTS, owner: 'static'})).rejects.toThrow(/no such file/)
    writeFileSync(file, Buffer.from('\ufeff127.0.0.1 localhost', 'utf16le'))
    await expect(sync()).rejects.toThrow(/UTF-16/)
  })

  it('rejects an --ip that is not an address', async () => {
    await expect(sync({ip: 'localhost'})).rejects.toThrow(/not an IPv4 or IPv6 address/)
  })
})

describe('block ownership', () => {
  const sessionBlock = (pid: number, since = new Date().toISOString()) =>
    `127.0.0.1 localhost\n# BEGIN kingress\n# kingress-meta: owner=session pid=${pid} since=${since}\n127.0.0.1\told.example.com\n# END kingress\n`

  it('replaces a stale block whose owner died (e.g. kingress up killed with -9)', async () => {
    const pid = deadPid()
    writeFileSync(file, sessionBlock(pid), 'latin1')
    const report = await sync()
    expect(report.replaced).toEqual({owner: 'session', pid, reason: 'stale'})
    expect(report.removed).toEqual(['old.example.com'])
    const text = read()
    expect(text.match(/# BEGIN kingress/g)).toHaveLength(1)
    expect(text).not.toContain('old.example.com')
  })

  it('treats a block written before the last boot as stale, even if its pid runs now', async () => {
    const other = liveProcess()
    try {
      writeFileSync(file, sessionBlock(other.pid, '2000-01-01T00:00:00.000Z'), 'latin1')
      expect((await sync()).replaced?.reason).toBe('stale')
    } finally {
      other.stop()
    }
  })

  it('does not touch the block of a live session other than us; --force takes it over', async () => {
    const other = liveProcess()
    try {
      writeFileSync(file, sessionBlock(other.pid), 'latin1')
      const before = identity()
      const error = await sync().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(HostsOwnedError)
      expect((error as Error).message).toContain(`pid ${other.pid}`)
      expect(identity()).toEqual(before)
      expect((await sync({force: true})).replaced?.reason).toBe('forced')
    } finally {
      other.stop()
    }
  })

  it('a session cleans only its own block on exit', async () => {
    await sync({owner: 'session', pid: process.pid})
    const notMine = await cleanHosts({hostsFile: file, pid: process.pid + 1})
    expect(notMine.skipped).toBe('other-owner')
    expect(read()).toContain('# BEGIN kingress')
    const mine = await cleanHosts({hostsFile: file, pid: process.pid})
    expect(mine.changed).toBe(true)
    expect(read()).toBe(ORIGINAL)
  })

  it('readHostsState reports a session block\'s owner as dead or alive', async () => {
    writeFileSync(file, sessionBlock(deadPid()), 'latin1')
    expect((await readHostsState(file)).ownerAlive).toBe(false)
    writeFileSync(file, sessionBlock(process.pid), 'latin1')
    expect((await readHostsState(file)).ownerAlive).toBe(true)
  })
})

describe('atomic write', () => {
  it('falls back to an in-place write when rename is refused (EBUSY, as for Docker\'s bind-mounted /etc/hosts)', async () => {
    const before = identity()
    const busy = async (): Promise<void> => {
      throw Object.assign(new Error('resource busy'), {code: 'EBUSY'})
    }
    const report = await sync({hooks: {rename: busy}})
    expect(report.write).toEqual({method: 'in-place', fallbackReason: 'rename failed with EBUSY'})
    expect(report.warnings.join()).toContain('in place')
    expect(identity().ino).toBe(before.ino)
    expect(outsideBlock(read())).toBe(ORIGINAL)
    expect(extraFiles(dir, ['hosts', 'hosts.kingress-backup'])).toEqual([])
  })

  const canBindMount = isRoot && works('unshare', ['-m', 'true'])
  it.skipIf(!canBindMount)('really bind-mounted: rename gives EBUSY, the content is written in place (in a private mount namespace)', async () => {
    const source = join(dir, 'bind-source')
    writeFileSync(source, ORIGINAL, 'latin1')
    // `unshare -m` keeps the bind mount private to the child: nothing to unmount, nothing leaks.
    const result = await runWorker(
      {op: 'sync', hostsFile: file, hosts: HOSTS},
      {wrap: ['unshare', '-m', 'sh', '-c', 'mount --bind "$0" "$1" && shift && exec "$@"', source, file]},
    )
    expect(result.stderr).toBe('')
    const report = JSON.parse(result.stdout) as {write: {method: string; fallbackReason: string}}
    expect(report.write).toEqual({method: 'in-place', fallbackReason: 'rename failed with EBUSY'})
    expect(outsideBlock(read(source))).toBe(ORIGINAL)
    expect(read(source)).toContain('127.0.0.1\tblue.example.com')
    expect(read(file)).toBe(ORIGINAL)
  })

  it.each(['afterTempWrite', 'midTempWrite'] as const)('a process killed (SIGKILL) %s leaves the file whole; the next sync recovers', async (crash) => {
    const result = await runWorker({op: 'sync', hostsFile: file, hosts: HOSTS, crash})
    expect(result.signal).toBe('SIGKILL')
    // The original, byte for byte: never a truncated or half-written file.
    expect(read()).toBe(ORIGINAL)
    const leftovers = extraFiles(dir, ['hosts', 'hosts.kingress-backup'])
    expect(leftovers).toContain('hosts.kingress-lock')
    expect(leftovers.some((n) => n.endsWith('.tmp'))).toBe(true)
    // The lock's pid is dead: it is broken at once; the dead process's temp file is swept.
    const report = await sync({lock: {timeoutMs: 2000}})
    expect(report.sweptTempFiles).toHaveLength(1)
    expect(outsideBlock(read())).toBe(ORIGINAL)
    expect(extraFiles(dir, ['hosts', 'hosts.kingress-backup'])).toEqual([])
  })

  it('the temp file is fully written and synced before the rename (seen from the hook)', async () => {
    let seen = ''
    await atomicWriteFile(file, Buffer.from('new content\n'), {
      afterTempWrite: (temp) => {
        seen = readFileSync(temp, 'latin1')
        expect(statSync(temp).mode & 0o777).toBe(statSync(file).mode & 0o777)
      },
    })
    expect(seen).toBe('new content\n')
    expect(read()).toBe('new content\n')
  })
})

describe('locking', {timeout: 120_000}, () => {
  it('two syncs in parallel worker processes leave exactly one valid block', async () => {
    const sets = [['a.example.com'], ['b.example.com', 'c.example.com'], ['d.example.com'], HOSTS]
    const results = await Promise.all(sets.map((hosts) => runWorker({op: 'sync', hostsFile: file, hosts, afterReadDelayMs: 150})))
    for (const result of results) expect(result.code, result.stderr).toBe(0)
    const text = read()
    expect(text.match(/^# BEGIN kingress\r$/gm)).toHaveLength(1)
    expect(text.match(/^# END kingress\r$/gm)).toHaveLength(1)
    expect(outsideBlock(text)).toBe(ORIGINAL)
    const state = await readHostsState(file)
    expect(sets.map((s) => [...s].sort().join())).toContain([...new Set(state.block!.entries.map((e) => e.host))].join())
    expect(extraFiles(dir, ['hosts', 'hosts.kingress-backup'])).toEqual([])
    // Each one saw the previous one's block under the lock: all of them wrote, none lost the block.
    expect(results.filter((r) => (JSON.parse(r.stdout) as {changed: boolean}).changed)).toHaveLength(4)
  })

  it('parallel calls in one process serialise too', async () => {
    const sets = Array.from({length: 6}, (_, i) => [`h${i}.example.com`])
    await Promise.all(sets.map((hosts) => sync({hosts, hooks: {afterRead: () => sleep(20)}})))
    expect(read().match(/# BEGIN kingress/g)).toHaveLength(1)
    expect(outsideBlock(read())).toBe(ORIGINAL)
  })

  it('waits for a live holder, then times out with a clear error and no change', async () => {
    const other = liveProcess()
    try {
      writeFileSync(`${file}.kingress-lock`, `pid=${other.pid} token=x since=${new Date().toISOString()}\n`)
      const started = Date.now()
      const error = await sync({lock: {timeoutMs: 400}}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(HostsLockedError)
      expect((error as Error).message).toContain(`pid ${other.pid}`)
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
      expect(read()).toBe(ORIGINAL)
    } finally {
      other.stop()
    }
  })

  it('proceeds once the holder releases', async () => {
    const held = await acquireLock(file)
    setTimeout(() => void held.release(), 300)
    const report = await sync({lock: {timeoutMs: 5000}})
    expect(report.changed).toBe(true)
  })

  it('breaks a lock of a dead pid at once, and an old one of a live pid after staleMs', async () => {
    const lock = `${file}.kingress-lock`
    writeFileSync(lock, `pid=${deadPid()} token=x\n`)
    await sync({lock: {timeoutMs: 300}})
    expect(existsSync(lock)).toBe(false)

    const other = liveProcess()
    try {
      writeFileSync(lock, `pid=${other.pid} token=y\n`)
      const hourAgo = new Date(Date.now() - 3600_000)
      utimesSync(lock, hourAgo, hourAgo)
      await sync({hosts: ['z.example.com'], lock: {timeoutMs: 300, staleMs: 60_000}})
      expect(read()).toContain('z.example.com')
    } finally {
      other.stop()
    }
  })

  it('notices a program that ignores the lock writing between read and write, and redoes the change', async () => {
    let edits = 0
    const report = await sync({
      hooks: {
        afterRead: () => {
          if (edits++ === 0) writeFileSync(file, ORIGINAL + '\r\n10.1.1.1 edited.example.com', 'latin1')
        },
      },
    })
    expect(report.changed).toBe(true)
    expect(read()).toContain('10.1.1.1 edited.example.com\r\n# BEGIN kingress')
  })
})

describe('no permission: a clear error and nothing written', () => {
  // As root, permission bits do not stop writes. Two realistic ways that do:
  // the immutable flag (chattr +i: even root gets EPERM), and running the writer as `nobody`.
  const canChattr = (() => {
    if (!isRoot) return false
    const dir = makeTempDir()
    try {
      writeFileSync(join(dir, 'f'), '')
      return works('chattr', ['+i', join(dir, 'f')])
    } finally {
      removeTempDir(dir)
    }
  })()

  it.skipIf(!canChattr)('an immutable hosts file (chattr +i): HostsPermissionError with the command to run, file untouched, nothing left behind', async () => {
    await sync() // a block to replace and a backup already there
    const text = read()
    spawnSync('chattr', ['+i', file])
    const before = identity()
    const error = await sync({hosts: ['new.example.com'], rerun: 'kingress hosts sync app.yaml'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HostsPermissionError)
    expect(isUserError(error)).toBe(true)
    expect((error as HostsPermissionError).errno).toBe('EPERM')
    expect((error as Error).message).toContain('Nothing was changed')
    expect((error as Error).message).toContain('sudo kingress hosts sync app.yaml')
    expect((error as Error).message).toContain('immutable')
    expect(identity()).toEqual(before)
    expect(read()).toBe(text)
    expect(extraFiles(dir, ['hosts', 'hosts.kingress-backup'])).toEqual([])
  })

  const canSetpriv = isRoot && works('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'])

  it.skipIf(!canSetpriv)('as a normal user (nobody) on a root-owned file: EACCES on the lock, no write', async () => {
    chmodSync(dir, 0o755)
    chmodSync(file, 0o644)
    const result = await runWorker({op: 'sync', hostsFile: file, hosts: HOSTS, rerun: 'kingress hosts sync app.yaml'}, {asUser: 65534})
    expect(result.code, result.stderr).toBe(1)
    const out = JSON.parse(result.stdout) as {error: string; message: string}
    expect(out.error).toBe('HOSTS_PERMISSION')
    expect(out.message).toContain('EACCES creating the lock file')
    expect(out.message).toContain('sudo kingress hosts sync app.yaml')
    expect(read()).toBe(ORIGINAL)
    expect(readdirSync(dir)).toEqual(['hosts'])
  })

  it.skipIf(!canSetpriv)('as a normal user in a writable folder but with a read-only file: refused (a rename would have replaced root\'s file)', async () => {
    chmodSync(dir, 0o777)
    chmodSync(file, 0o644)
    const result = await runWorker({op: 'sync', hostsFile: file, hosts: HOSTS}, {asUser: 65534})
    expect(result.code, result.stderr).toBe(1)
    expect((JSON.parse(result.stdout) as {message: string}).message).toContain('EACCES opening it for writing')
    expect(read()).toBe(ORIGINAL)
    expect(statSync(file).uid).toBe(0)
    expect(readdirSync(dir)).toEqual(['hosts'])
  })

  it.skipIf(!canSetpriv)('as a normal user, a sync with nothing to change succeeds (no lock taken), and a dry run says that writing needs sudo', async () => {
    chmodSync(dir, 0o755)
    await sync()
    const text = read()
    const upToDate = await runWorker({op: 'sync', hostsFile: file, hosts: HOSTS}, {asUser: 65534})
    expect(upToDate.code, upToDate.stdout + upToDate.stderr).toBe(0)
    expect((JSON.parse(upToDate.stdout) as {changed: boolean}).changed).toBe(false)
    const dry = await runWorker({op: 'sync', hostsFile: file, hosts: ['new.example.com'], dryRun: true, rerun: 'kingress hosts sync app.yaml --dry-run'}, {asUser: 65534})
    expect(dry.code, dry.stdout + dry.stderr).toBe(0)
    expect((JSON.parse(dry.stdout) as {warnings: string[]}).warnings).toEqual([`writing ${file} needs more rights than this user has: sudo kingress hosts sync app.yaml`])
    expect(read()).toBe(text)
    expect(extraFiles(dir, ['hosts', 'hosts.kingress-backup'])).toEqual([])
  })
})
