import {randomBytes} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'

/** Creates `dir` (and parents) with mode 0700 for the leaf folder; existing folders keep their mode. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, {recursive: true, mode: 0o700})
}

/**
 * Writes a file so readers see either the old or the new content, never half of it: a temporary file
 * in the same folder, created with `mode` (so a key is never readable by others, not even briefly),
 * fsync'd, then renamed over the target.
 */
export async function writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await fs.open(tmp, 'wx', mode)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    // The umask may have narrowed `mode` at creation; make it exact.
    await fs.chmod(tmp, mode)
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, {force: true})
    throw error
  }
}

export async function readIfExists(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/**
 * A cross-process lock made of an exclusively created folder, so two `kingress` processes starting at
 * once don't both create a CA. A lock older than `staleMs` is assumed abandoned (a killed process).
 */
export async function withLock<T>(lockDir: string, fn: () => Promise<T>, {timeoutMs = 15_000, staleMs = 30_000} = {}): Promise<T> {
  const started = Date.now()
  for (;;) {
    try {
      await fs.mkdir(lockDir)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const stat = await fs.stat(lockDir).catch(() => null)
      if (stat !== null && Date.now() - stat.mtimeMs > staleMs) {
        await fs.rm(lockDir, {recursive: true, force: true})
        continue
      }
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for the lock ${lockDir}; if no other kingress is running, delete it`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  try {
    return await fn()
  } finally {
    await fs.rm(lockDir, {recursive: true, force: true})
  }
}
