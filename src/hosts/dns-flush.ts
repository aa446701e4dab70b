import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

export interface DnsFlushResult {
  readonly ok: boolean
  /** What was run, or why it failed (a warning, never an error). */
  readonly message: string
}

export type CommandRunner = (command: string, args: readonly string[]) => Promise<void>

const execFileAsync = promisify(execFile)
const runCommand: CommandRunner = async (command, args) => {
  await execFileAsync(command, [...args], {timeout: 10_000})
}

const MACOS_COMMANDS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['dscacheutil', ['-flushcache']],
  ['killall', ['-HUP', 'mDNSResponder']],
]

/**
 * macOS caches hosts-file answers in mDNSResponder: flush it after a change. Other platforms read
 * the file on every lookup (glibc) or need nothing kingress can do: null.
 */
export async function flushDnsCache(platform: NodeJS.Platform = process.platform, run: CommandRunner = runCommand): Promise<DnsFlushResult | null> {
  if (platform !== 'darwin') return null
  const shown = MACOS_COMMANDS.map(([command, args]) => [command, ...args].join(' ')).join('; ')
  for (const [command, args] of MACOS_COMMANDS) {
    try {
      await run(command, args)
    } catch (error) {
      const why = error instanceof Error ? error.message.split('\n')[0] : String(error)
      return {ok: false, message: `could not flush the DNS cache (${[command, ...args].join(' ')}: ${why}); run \`sudo ${shown}\` yourself if a browser still sees the old address`}
    }
  }
  return {ok: true, message: `flushed the DNS cache (${shown})`}
}
