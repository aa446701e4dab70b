import {randomBytes} from 'node:crypto'
import {link, open, readFile, rename, stat, unlink} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'

import {errnoCode, HostsLockedError} from './errors.js'
import {isProcessAlive} from './process.js'

/**
 * A lock file next to the hosts file (`<file>.kingress-lock`), created with O_EXCL and holding
 * `pid=… token=… since=…`, so that two kingress processes never interleave a read-modify-write.
 * Tools other than kingress don't know it; sync.ts re-reads the file just before writing to catch
 * them.
 */

export interface LockOptions {
  /** A lock older than this is stale even if its pid is alive (pid reuse, hung process). */
  readonly staleMs?: number
  /** Give up waiting after this long (HostsLockedError). */
  readonly timeoutMs?: number
  readonly pid?: number
}

export interface HeldLock {
  readonly path: string
  release(): Promise<void>
}

export const LOCK_SUFFIX = '.kingress-lock'
const DEFAULT_STALE_MS = 30_000
const DEFAULT_TIMEOUT_MS = 10_000

export function lockPathFor(realPath: string): string {
  return realPath + LOCK_SUFFIX
}

interface LockInfo {
  readonly ino: number
  readonly mtimeMs: number
  readonly pid: number | null
}

async function inspect(path: string): Promise<LockInfo | null> {
  try {
    const [info, content] = await Promise.all([stat(path), readFile(path, 'utf8')])
    const pid = /pid=(\d+)/.exec(content)?.[1]
    return {ino: info.ino, mtimeMs: info.mtimeMs, pid: pid ? Number(pid) : null}
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null
    throw error
  }
}

/**
 * A lock is stale when its pid is dead, or when it is older than staleMs. An empty lock (its
 * creator is between open and write) is judged by age only.
 */
function isStale(info: LockInfo, staleMs: number): boolean {
  if (info.pid !== null && !isProcessAlive(info.pid)) return true
  return Date.now() - info.mtimeMs > staleMs
}

/**
 * Moves a stale lock aside. The rename succeeds for one process only; the inode check catches the
 * case where the stale lock was already replaced by a live one between inspect() and rename(), and
 * puts that one back.
 */
async function breakStale(path: string, info: LockInfo): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
  try {
    await rename(path, aside)
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return
    throw error
  }
  try {
    const moved = await stat(aside)
    if (moved.ino !== info.ino) {
      await link(aside, path).catch(() => {})
    }
  } finally {
    await unlink(aside).catch(() => {})
  }
}

/** Waits (bounded exponential backoff with jitter) until the lock is ours. */
export async function acquireLock(realPath: string, options: LockOptions = {}): Promise<HeldLock> {
  const path = lockPathFor(realPath)
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const pid = options.pid ?? process.pid
  const token = randomBytes(8).toString('hex')
  const content = `pid=${pid} token=${token} since=${new Date().toISOString()} (kingress: lock for ${realPath}; safe to delete when no kingress runs)\n`
  const started = Date.now()
  let delay = 10
  for (;;) {
    try {
      const handle = await open(path, 'wx', 0o644)
      try {
        await handle.writeFile(content)
      } catch (error) {
        await handle.close()
        await unlink(path).catch(() => {})
        throw error
      }
      await handle.close()
      return {path, release: () => releaseLock(path, token)}
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error
    }
    const info = await inspect(path)
    if (info === null) continue
    if (isStale(info, staleMs)) {
      await breakStale(path, info)
      continue
    }
    const waited = Date.now() - started
    if (waited >= timeoutMs) throw new HostsLockedError(path, info.pid, waited)
    await sleep(Math.min(delay, timeoutMs - waited) + Math.random() * delay)
    delay = Math.min(delay * 2, 250)
  }
}

async function releaseLock(path: string, token: string): Promise<void> {
  try {
    // Someone broke our lock (we were too slow)? Then it is theirs now: leave it.
    if ((await readFile(path, 'utf8')).includes(`token=${token}`)) await unlink(path)
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error
  }
}

export async function withLock<T>(realPath: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(realPath, options)
  try {
    return await fn()
  } finally {
    await lock.release()
  }
}
