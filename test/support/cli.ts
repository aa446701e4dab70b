import {spawn, type ChildProcessByStdio} from 'node:child_process'
import type {Readable} from 'node:stream'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

let sandboxHome: string | null = null
/**
 * A KINGRESS_HOME of this test process's own (`up` creates a CA there on its first start): a CLI test
 * never touches the user's. Pass `env: {KINGRESS_HOME: ...}` to choose another.
 */
export function testKingressHome(): string {
  if (sandboxHome === null) {
    const dir = mkdtempSync(join(tmpdir(), 'kingress-cli-home-'))
    process.once('exit', () => rmSync(dir, {recursive: true, force: true}))
    sandboxHome = dir
  }
  return sandboxHome
}

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface CliOptions {
  readonly cwd?: string
  /** Added to a production, no-colour environment with a per-run KINGRESS_HOME. */
  readonly env?: NodeJS.ProcessEnv
  readonly timeoutMs?: number
  /** The node binary to run the CLI with (default: the one running the tests). */
  readonly node?: string
}

/** The built CLI (`bin/run.js`, as npm installs it) as a child process. `npm test` builds first. */
function spawnCli(args: readonly string[], options: CliOptions): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(options.node ?? process.execPath, [RUN_JS, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    // NODE_ENV=test (set by vitest) would make oclif look for TypeScript sources.
    env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', FORCE_COLOR: '0', KINGRESS_HOME: testKingressHome(), ...options.env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Runs the built CLI to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawnCli(args, options)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kingress ${args.join(' ')} did not finish in ${options.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr, ms: performance.now() - started})
    })
  })
}

/** A `kingress up` (or `demo`) child process, once it printed its `ready` line. */
export interface ServingCli {
  /** The process's id (`up` and `demo` keep it when they hand off: src/cli/hand-off.ts). */
  readonly pid: number
  /** The `ready ...` line. */
  readonly ready: string
  /** The URLs of the ready line, e.g. ['http://127.0.0.1:41234', 'https://127.0.0.1:41235']. */
  readonly urls: readonly string[]
  stdout(): string
  stderr(): string
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** SIGKILL if still running (for finally blocks). */
  kill(): void
  /** null while the process runs; its exit code (or signal name) once it ended. */
  exitCode(): number | string | null
}

/**
 * Starts the built CLI and resolves once it prints a line starting with `ready` on stdout (rejects
 * if it exits first, or after `timeoutMs`).
 */
export function startServingCli(args: readonly string[], options: CliOptions = {}): Promise<ServingCli> {
  const child = spawnCli(args, options)
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 20_000
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`kingress ${args.join(' ')}: no ready line in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`kingress ${args.join(' ')} exited (${code}) before ready\nstdout: ${stdout}\nstderr: ${stderr}`))
    })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const before = stdout
      stdout += chunk
      // Only complete lines: a chunk may end in the middle of the ready line.
      const complete = (text: string): string[] => text.split('\n').slice(0, -1)
      if (complete(before).some((l) => l.startsWith('ready '))) return
      const ready = complete(stdout).find((l) => l.startsWith('ready '))
      if (ready === undefined) return
      clearTimeout(timer)
      resolve({
        pid: child.pid!,
        ready,
        urls: ready.split(' ').filter((word) => /^https?:\/\//.test(word)),
        stdout: () => stdout,
        stderr: () => stderr,
        stop: (signal = 'SIGTERM') => {
          child.kill(signal)
          return exited
        },
        kill: () => {
          if (child.exitCode === null) child.kill('SIGKILL')
        },
        exitCode: () => child.exitCode ?? child.signalCode,
      })
    })
  })
}
