import {spawn, spawnSync, type ChildProcess} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import type {WorkerJob} from './sync-worker.js'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WORKER = fileURLToPath(new URL('./sync-worker.ts', import.meta.url))
const DEV_JS = join(REPO_ROOT, 'bin', 'dev.js')

export const isRoot = process.getuid?.() === 0

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A temp folder, removed (after clearing the immutable flag tests may set) by the returned cleanup. */
export function makeTempDir(prefix = 'kingress-hosts-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function removeTempDir(dir: string): void {
  spawnSync('chattr', ['-R', '-i', dir], {stdio: 'ignore'})
  rmSync(dir, {recursive: true, force: true})
}

/** Files in `dir` other than the ones named: leftovers such as locks and temp files. */
export function extraFiles(dir: string, expected: readonly string[]): string[] {
  return readdirSync(dir).filter((name) => !expected.includes(name))
}

function run(command: string, args: readonly string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: {...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${command} ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
  })
}

/** The real CLI from sources (bin/dev.js through tsx), as a developer runs it. */
export function runKingress(args: readonly string[], options: {env?: NodeJS.ProcessEnv; asUser?: number} = {}): Promise<RunResult> {
  const node = [process.execPath, '--import', 'tsx', DEV_JS, ...args]
  return options.asUser === undefined ? run(node[0]!, node.slice(1), options) : run('setpriv', asUserArgs(options.asUser, node), {...options, env: {HOME: tmpdir(), ...options.env}})
}

export function runWorker(job: WorkerJob, options: {asUser?: number; wrap?: readonly string[]} = {}): Promise<RunResult> {
  const node = [process.execPath, '--import', 'tsx', WORKER, JSON.stringify(job)]
  if (options.asUser !== undefined) return run('setpriv', asUserArgs(options.asUser, node), {env: {HOME: tmpdir()}})
  if (options.wrap) return run(options.wrap[0]!, [...options.wrap.slice(1), ...node])
  return run(node[0]!, node.slice(1))
}

function asUserArgs(uid: number, command: readonly string[]): string[] {
  return [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...command]
}

/** Whether a tool runs here at all (setpriv, unshare, chattr...). */
export function works(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, {stdio: 'ignore'}).status === 0
}

/** A process that stays alive (a live pid that is not ours), stopped by the returned function. */
export function liveProcess(): {pid: number; stop: () => void} {
  const child: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], {stdio: 'ignore'})
  return {pid: child.pid!, stop: () => child.kill('SIGKILL')}
}

/** A pid that is not running (the tests' "crashed kingress"). */
export function deadPid(): number {
  for (let pid = 999_999; pid > 900_000; pid--) {
    try {
      process.kill(pid, 0)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid
    }
  }
  throw new Error('no free pid found')
}
