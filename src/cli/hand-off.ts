import {fileURLToPath} from 'node:url'

import {SERVE_PLAN_VARIABLE, type ServePlan} from '../runtime/serve-plan.js'
import {chosenByUser} from '../runtime/node-flags.js'
import {startUpTieringFlags} from '../runtime/tiering.js'

/**
 * `up` and `demo` serve for hours, so once oclif has parsed and checked the command line, the
 * process re-executes itself in place (process.execve: same pid, terminal and signals) as the
 * serving entry (serve-entry.ts), which loads the proxy but neither oclif nor the other commands
 * (about 18 MB; bench/PERFORMANCE.md), and starts with settings Node reads only at start:
 *  - V8's young generation grows to 2 × 64 MB under load on Node 24 and is never given back;
 *    4 MB semi-spaces still let a request's garbage die young, for a few % more time in GC.
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
  const flags = [...(chosenByUser('--max-semi-space-size') ? [] : ['--max-semi-space-size=4']), ...startUpTieringFlags()]
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
