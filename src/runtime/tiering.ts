import {setFlagsFromString} from 'node:v8'

import {chosenByUser} from './node-flags.js'

/**
 * TurboFan's own machine code is about 5 MB of the node binary, and it becomes resident (RSS) the
 * first time any function gets that hot. In a serving kingress, the only such function before any
 * traffic is the module loader's path.normalizeString, run for each of the ~300 modules start-up
 * loads. The serving process therefore starts with a tenfold TurboFan threshold, and V8's own is put
 * back once kingress serves, so traffic tiers up as usual (bench/PERFORMANCE.md: idle 74 → 68-69 MB,
 * requests/s unchanged; keeping the high threshold under load cost 20 % for the first ~15 s).
 * Raising it at run time, before the proxy's modules load, was tried: V8 compiled the function anyway.
 */
const FLAG = '--invocation-count-for-turbofan'
export const START_UP_TURBOFAN_FLAG = `${FLAG}=30000`
/** V8's default in Node 22 (V8 12.4) and 24 (V8 13.6). */
const V8_DEFAULT_FLAG = `${FLAG}=3000`

/**
 * Whether this V8's flag and default were checked. On the command line an unknown V8 flag stops
 * Node from starting, so on any other V8 nothing is added.
 */
export function knownTiering(v8Version: string): boolean {
  const major = Number(v8Version.split('.')[0])
  return major === 12 || major === 13
}

/** The flag for the serving process's start, unless the user set a threshold of their own. */
export function startUpTieringFlags(execArgv: readonly string[] = process.execArgv, v8Version: string = process.versions.v8): string[] {
  // V8 refuses this flag in NODE_OPTIONS: only the command line can carry the user's own.
  return knownTiering(v8Version) && !chosenByUser(FLAG, execArgv, '') ? [START_UP_TURBOFAN_FLAG] : []
}

/**
 * Once serving: V8's threshold again, if start-up ran with kingress's (a user who typed that very
 * value gets V8's back too).
 */
export function restoreServingTiering(execArgv: readonly string[] = process.execArgv, setFlags: (flags: string) => void = setFlagsFromString): void {
  if (execArgv.includes(START_UP_TURBOFAN_FLAG)) setFlags(V8_DEFAULT_FLAG)
}
