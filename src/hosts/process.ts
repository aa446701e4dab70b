import {uptime} from 'node:os'

import {errnoCode} from './errors.js'

/** Whether a process with this pid exists now (it may belong to another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}

/** When this machine booted: a pid recorded before then names some other process now. */
export function bootTime(): Date {
  return new Date(Date.now() - uptime() * 1000)
}

/**
 * Whether the process that wrote something at `since` (ISO time) with `pid` is still running:
 * alive, and the record is younger than the last boot (pids are reused across reboots).
 */
export function isOwnerAlive(pid: number | null, since: string | null): boolean {
  if (pid === null || !isProcessAlive(pid)) return false
  if (since !== null) {
    const written = Date.parse(since)
    // A minute of slack: uptime and the wall clock are read at different moments.
    if (Number.isFinite(written) && written < bootTime().getTime() - 60_000) return false
  }
  return true
}
