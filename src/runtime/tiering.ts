import {setFlagsFromString} from 'node:v8'

/**
 * TurboFan's own machine code is about 5 MB of the node binary, and it becomes resident (RSS) the
 * first time any function gets that hot. In a serving kingress, the only such function before any
 * traffic is the module loader's path.normalizeString, run for each of the ~300 modules start-up
 * loads. Start-up therefore runs with a tenfold TurboFan threshold, and V8's own threshold is put
 * back once kingress serves, so traffic tiers up as usual (bench/PERFORMANCE.md: idle 74 → 68-69 MB,
 * requests/s unchanged; keeping the high threshold under load cost 20 % for the first ~15 s).
 */
export const START_UP_TURBOFAN_FLAG = '--invocation-count-for-turbofan=30000'
/** V8's default (Node 22 and 24). */
const SERVING_TURBOFAN_FLAG = '--invocation-count-for-turbofan=3000'

/** The flag for the serving process's start, unless the user set a TurboFan threshold of their own. */
export function startUpTieringFlags(execArgv: readonly string[], nodeOptions: string): string[] {
  const chosen = execArgv.some((a) => a.startsWith('--invocation-count-for-turbofan')) || nodeOptions.includes('--invocation-count-for-turbofan')
  return chosen ? [] : [START_UP_TURBOFAN_FLAG]
}

/** Once serving: V8's threshold again, if start-up ran with kingress's. */
export function restoreServingTiering(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.includes(START_UP_TURBOFAN_FLAG)) setFlagsFromString(SERVING_TURBOFAN_FLAG)
}
