import {randomBytes} from 'node:crypto'
import {link, open, readdir, rename, stat, unlink} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {errnoCode} from './errors.js'
import {isProcessAlive} from './process.js'

/**
 * Replaces a file's content so that a crash at any moment leaves either the old or the new bytes:
 * temp file in the same folder, fsync, rename over the target, fsync the folder. The temp file
 * gets the target's mode and owner first. When rename cannot replace the target — EBUSY for a
 * bind-mounted file (Docker's /etc/hosts), EXDEV, EPERM — or the owner cannot be kept (not root),
 * the content is written in place instead (write, truncate, fsync), which is not crash-safe; the
 * one-time backup covers that case.
 */

export interface WriteHooks {
  /** Runs after the temp file is complete and synced, before the rename. Tests crash here. */
  readonly afterTempWrite?: (tempPath: string) => void | Promise<void>
  /** Runs after half the bytes are in the temp file. Tests crash here. */
  readonly midTempWrite?: (tempPath: string) => void | Promise<void>
  /** Stands in for fs.rename. Tests simulate EBUSY with it. */
  readonly rename?: (from: string, to: string) => Promise<void>
}

export interface WriteResult {
  readonly method: 'rename' | 'in-place'
  /** Why the in-place fallback was used. */
  readonly fallbackReason?: string
}

const RENAME_FALLBACK_CODES = new Set(['EBUSY', 'EXDEV', 'EPERM'])
const TEMP_MARK = '.kingress-'
const TEMP_SUFFIX = '.tmp'

export function tempPathFor(realPath: string, pid = process.pid): string {
  return join(dirname(realPath), `.${basename(realPath)}${TEMP_MARK}${pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`)
}

export async function atomicWriteFile(realPath: string, data: Buffer, hooks: WriteHooks = {}): Promise<WriteResult> {
  const target = await stat(realPath)
  const mode = target.mode & 0o7777
  const temp = tempPathFor(realPath)
  let renamed = false
  try {
    const handle = await open(temp, 'wx', mode & 0o777)
    let ownerKept: boolean
    try {
      if (hooks.midTempWrite) {
        const half = Math.floor(data.length / 2)
        await handle.write(data, 0, half, 0)
        await handle.sync()
        await hooks.midTempWrite(temp)
        await handle.write(data, half, data.length - half, half)
      } else {
        await handle.writeFile(data)
      }
      await handle.chmod(mode) // the umask may have narrowed it
      ownerKept = await keepOwner(handle, target.uid, target.gid)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (!ownerKept) {
      await unlink(temp)
      await writeInPlace(realPath, data)
      return {method: 'in-place', fallbackReason: 'the owner of the file could not be kept (not root)'}
    }
    await hooks.afterTempWrite?.(temp)
    try {
      await (hooks.rename ?? rename)(temp, realPath)
      renamed = true
    } catch (error) {
      const code = errnoCode(error)
      if (!code || !RENAME_FALLBACK_CODES.has(code)) throw error
      await unlink(temp).catch(() => {})
      await writeInPlace(realPath, data)
      return {method: 'in-place', fallbackReason: `rename failed with ${code}`}
    }
    await syncFolder(dirname(realPath))
    return {method: 'rename'}
  } finally {
    if (!renamed) await unlink(temp).catch(() => {})
  }
}

async function keepOwner(handle: Awaited<ReturnType<typeof open>>, uid: number, gid: number): Promise<boolean> {
  const now = await handle.stat()
  if (now.uid === uid && now.gid === gid) return true
  try {
    await handle.chown(uid, gid)
    return true
  } catch (error) {
    if (errnoCode(error) === 'EPERM' || errnoCode(error) === 'EINVAL') return false
    throw error
  }
}

/** Overwrites the file where it is (same inode): new bytes first, then cut the old tail. */
export async function writeInPlace(realPath: string, data: Buffer): Promise<void> {
  const handle = await open(realPath, 'r+')
  try {
    let written = 0
    while (written < data.length) {
      const {bytesWritten} = await handle.write(data, written, data.length - written, written)
      written += bytesWritten
    }
    await handle.truncate(data.length)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // Not every platform can fsync a folder (Windows); the rename is still atomic.
  }
}

/**
 * Creates `path` with `data` only if it does not exist yet, never leaving a half-written file:
 * write a temp file, then hard-link it into place (link fails if the name is taken).
 * Returns false when the file already existed.
 */
export async function createOnce(path: string, data: Buffer, mode: number): Promise<boolean> {
  const temp = tempPathFor(path)
  try {
    const handle = await open(temp, 'wx', mode & 0o777)
    try {
      await handle.writeFile(data)
      await handle.chmod(mode & 0o7777)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await link(temp, path)
      return true
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false
      throw error
    }
  } finally {
    await unlink(temp).catch(() => {})
  }
}

/** Removes temp files that a killed kingress left next to the hosts file (their pid is dead). */
export async function sweepTempFiles(realPath: string): Promise<string[]> {
  const folder = dirname(realPath)
  const prefix = `.${basename(realPath)}${TEMP_MARK}`
  const removed: string[] = []
  let names: string[]
  try {
    names = await readdir(folder)
  } catch {
    return removed
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) continue
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1])
    if (!Number.isInteger(pid) || isProcessAlive(pid)) continue
    try {
      await unlink(join(folder, name))
      removed.push(join(folder, name))
    } catch {
      // Someone else swept it.
    }
  }
  return removed
}
