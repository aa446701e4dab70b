import {execFile} from 'node:child_process'
import {accessSync, constants} from 'node:fs'
import path from 'node:path'

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program without a shell; never throws for a non-zero exit (a missing program gives code 127). */
export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, [...args], {env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, windowsHide: true}, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as {code?: unknown}).code === 'number' ? ((error as {code: number}).code) : 127
      resolve({code, stdout: String(stdout), stderr: String(stderr) || (error !== null && code === 127 ? error.message : '')})
    })
  })
}

/** Finds an executable on PATH (plus the sbin folders, which a normal user's PATH often lacks); null when absent. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean)
  if (platform !== 'win32') for (const extra of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!dirs.includes(extra)) dirs.push(extra)
  const exts = platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : ['']
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
  }
  return null
}

/** A command line for people to copy: arguments with spaces or shell characters single-quoted. */
export function shellLine(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ')
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0
}
