import {fileURLToPath} from 'node:url'

import {SERVE_PLAN_VARIABLE, type ServePlan} from '../runtime/serve-plan.js'
import {chosenByUser} from '../runtime/node-flags.js'
import {startUpTieringFlags} from '../runtime/tiering.js'

/** The young-generation cap the serving process starts with (bench/PERFORMANCE.md, "Fifth round"). */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=16'

/**
 * `up` and `demo` serve for hours, so once oclif has parsed and checked the command line, the
 * process re-executes itself in place (process.execve: same pid, terminal and signals) as the
 * serving entry (serve-entry.ts), which loads the proxy but neither oclif nor the other commands
 * (about 18 MB; bench/PERFORMANCE.md), and starts with settings Node reads only at start:
 *  - V8's young generation grows to 2 × 64 MB under load on Node 24. 16 MB semi-spaces keep most
 *    of what the larger ones save in GC under load; the quiet-time collection (quiet-gc.ts)
 *    gives what they grew to back when the load ends.
 *  - glibc gives each thread that mallocs an arena of its own and keeps what it frees there;
 *    two arenas keep V8's background threads from holding tens of MB after a load.
 *  - a high TurboFan threshold until kingress serves, so that an idle kingress never loads
 *    TurboFan's code (src/runtime/tiering.ts).
 * A setting the user chose (on the command line or in NODE_OPTIONS) stays theirs.
 * KINGRESS_TUNED=1, Windows, or a Node without execve: the command serves in this process with
 * Node's defaults instead. Returns only then.
 */
export function handOff(plan: ServePlan, argv: readonly string[]): void {
  if (process.env.KINGRESS_TUNED !== undefined || typeof process.execve !== 'function' || process.platform === 'win32') return
  const flags = [...(chosenByUser('--max-semi-space-size') ? [] : [YOUNG_GENERATION_FLAG]), ...startUpTieringFlags()]
  const env: NodeJS.ProcessEnv = {...process.env, KINGRESS_TUNED: '1', [SERVE_PLAN_VARIABLE]: JSON.stringify(plan)}
  env.MALLOC_ARENA_MAX ??= '2'
  // The command line stays what the user typed after the entry, so `ps` still shows `up ...`.
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, servingEntry(), plan.command, ...argv], env as Record<string, string>)
}

/** serve-entry.js beside this module (serve-entry.ts when run from sources with tsx). */
function servingEntry(): string {
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js'
  return fileURLToPath(new URL(`./serve-entry.${extension}`, import.meta.url))
}
