import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RUN_JS = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs the built CLI (`bin/run.js`, as npm installs it) to completion. `npm test` builds first. */
export function runCli(args: readonly string[], options: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [RUN_JS, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      // NODE_ENV=test (set by vitest) would make oclif look for TypeScript sources.
      env: {...process.env, NODE_ENV: 'production', NO_COLOR: '1', FORCE_COLOR: '0', ...options.env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
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
