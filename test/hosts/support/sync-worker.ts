/**
 * A child process for the hosts tests: runs syncHosts/cleanHosts on a real file, in its own
 * process, so tests can run several at once, kill one at a chosen moment, or run one as another
 * user. Usage: node --import tsx test/hosts/support/sync-worker.ts '<json WorkerJob>'
 * Prints the report as one JSON line; on a kingress error prints {"error": code, "message": ...}.
 */
import {setTimeout as sleep} from 'node:timers/promises'

import {isUserError} from '../../../src/errors.js'
import {cleanHosts, syncHosts, type SyncHooks} from '../../../src/hosts/sync.js'

export interface WorkerJob {
  readonly op: 'sync' | 'clean'
  readonly hostsFile: string
  readonly hosts?: string[]
  readonly owner?: 'static' | 'session'
  readonly ip?: string
  /** Sleep this long after reading the file under the lock: widens the race window. */
  readonly afterReadDelayMs?: number
  /** SIGKILL ourselves at this point of the atomic write. */
  readonly crash?: 'afterTempWrite' | 'midTempWrite'
  readonly rerun?: string
  readonly lockTimeoutMs?: number
  readonly dryRun?: boolean
}

const job = JSON.parse(process.argv[2] ?? '{}') as WorkerJob
const die = (): void => {
  process.kill(process.pid, 'SIGKILL')
}
const hooks: SyncHooks = {
  afterRead: job.afterReadDelayMs ? () => sleep(job.afterReadDelayMs) : undefined,
  afterTempWrite: job.crash === 'afterTempWrite' ? die : undefined,
  midTempWrite: job.crash === 'midTempWrite' ? die : undefined,
}
const lock = {timeoutMs: job.lockTimeoutMs ?? 20_000}

try {
  const report =
    job.op === 'sync'
      ? await syncHosts({hostsFile: job.hostsFile, hosts: job.hosts ?? [], owner: job.owner ?? 'static', ip: job.ip, hooks, lock, rerun: job.rerun, dryRun: job.dryRun})
      : await cleanHosts({hostsFile: job.hostsFile, hooks, lock, rerun: job.rerun, dryRun: job.dryRun})
  process.stdout.write(JSON.stringify(report) + '\n')
} catch (error) {
  if (!isUserError(error)) throw error
  process.stdout.write(JSON.stringify({error: error.code, message: error.message}) + '\n')
  process.exitCode = 1
}
