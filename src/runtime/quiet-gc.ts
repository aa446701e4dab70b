import {setFlagsFromString} from 'node:v8'
import {runInNewContext} from 'node:vm'

/**
 * Gives memory back when a serving kingress goes quiet. After start-up or a load, V8 keeps the
 * pages it freed in a pool, and neither an ordinary full GC nor its memory reducer lowered the RSS
 * in our measurements. One memory-reducing collection when the process goes from busy to quiet
 * does (bench/PERFORMANCE.md): 9 MB of RSS after start-up, 13-20 MB after an HTTP/1.1 load, for
 * a pause of 40-50 ms (two full GCs) once per quiet spell.
 */

/** How often the process's CPU time is sampled. */
export const QUIET_SAMPLE_MS = 1000
/** A sample in which the process used less than this share of one core is quiet. */
export const QUIET_CPU_SHARE = 0.02
/** How many quiet samples in a row make a quiet spell. */
export const QUIET_SPELL_SAMPLES = 5
export const QUIET_SPELL_MS = QUIET_SPELL_SAMPLES * QUIET_SAMPLE_MS

/** Quiet samples in a row so far, and whether the process has been busy since the last collection. */
export interface QuietState {
  readonly quietSamples: number
  readonly busySinceCollect: boolean
}

/** Start-up counts as busy. */
export const QUIET_START: QuietState = {quietSamples: 0, busySinceCollect: true}

/**
 * One sample: a busy one arms a collection, and the spell of quiet ones after it fires it, so an
 * idle process collects once, not every spell. The spell is counted in short samples, not read as
 * one long interval: traffic that resumed at the end of a long interval was too small a share of
 * it to count as busy, and the collection then paused the new traffic.
 */
export function quietStep(state: QuietState, cpuShare: number): {state: QuietState; collect: boolean} {
  if (cpuShare >= QUIET_CPU_SHARE) return {state: {quietSamples: 0, busySinceCollect: true}, collect: false}
  const quietSamples = state.quietSamples + 1
  const collect = state.busySinceCollect && quietSamples >= QUIET_SPELL_SAMPLES
  return {state: {quietSamples, busySinceCollect: state.busySinceCollect && !collect}, collect}
}

type GcFunction = (options: {type: 'major'; execution: 'sync'; flavor: 'last-resort'}) => void
let gcFunction: GcFunction | null = null

/**
 * V8's full, memory-reducing collection (the one it runs before giving up on an allocation):
 * it compacts and returns pooled pages to the system. The `gc` function exists only with
 * --expose-gc; with the flag set, a new context gets one (Jest's leak detector does the same),
 * and the flag is unset again so that no other context does.
 */
export function collectAllGarbage(): void {
  if (gcFunction === null) {
    setFlagsFromString('--expose-gc')
    gcFunction = runInNewContext('gc') as GcFunction
    setFlagsFromString('--no-expose-gc')
  }
  gcFunction({type: 'major', execution: 'sync', flavor: 'last-resort'})
}

export interface QuietGcOptions {
  readonly intervalMs?: number
  /** Process CPU time so far, in ms. Default: process.cpuUsage(). */
  readonly cpuMs?: () => number
  readonly collect?: () => void
}

/** Samples the CPU time every interval and collects once per quiet spell. stop() ends it. */
export function startQuietGc(options: QuietGcOptions = {}): {stop(): void} {
  const intervalMs = options.intervalMs ?? QUIET_SAMPLE_MS
  const cpuMs = options.cpuMs ?? processCpuMs
  const collect = options.collect ?? collectAllGarbage
  let state = QUIET_START
  let lastCpu = cpuMs()
  const timer = setInterval(() => {
    const now = cpuMs()
    const step = quietStep(state, (now - lastCpu) / intervalMs)
    state = step.state
    if (step.collect) collect()
    // The collection's own CPU time is not traffic.
    lastCpu = step.collect ? cpuMs() : now
  }, intervalMs)
  timer.unref()
  return {stop: () => clearInterval(timer)}
}

function processCpuMs(): number {
  const {user, system} = process.cpuUsage()
  return (user + system) / 1000
}
