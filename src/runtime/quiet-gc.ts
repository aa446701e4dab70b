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
/** How long a quiet spell lasts. */
export const QUIET_SPELL_MS = QUIET_SPELL_SAMPLES * QUIET_SAMPLE_MS
/**
 * The CPU time of busy samples since the last collection that makes another one worth its pause:
 * what a busy spell used at the least when it was read as one interval. A cold first request after
 * a collection, or a slow dashboard frame, does not come near it.
 */
export const QUIET_ARM_CPU_MS = QUIET_CPU_SHARE * QUIET_SPELL_MS
/**
 * After a spell, one more short sample must be quiet before the collection runs: traffic that
 * resumed late in the spell's last sample used too little of it to make it busy.
 */
export const QUIET_CONFIRM_MS = 100

/** Quiet samples in a row so far, and the CPU ms of busy samples since the last collection. */
export interface QuietState {
  readonly quietSamples: number
  readonly busyCpuMs: number
}

/** Start-up counts as busy. */
export const QUIET_START: QuietState = {quietSamples: 0, busyCpuMs: QUIET_ARM_CPU_MS}
export const AFTER_COLLECTION: QuietState = {quietSamples: 0, busyCpuMs: 0}

/** The CPU ms a process used in the elapsed ms of one sample. */
export interface CpuSample {
  readonly cpuMs: number
  readonly elapsedMs: number
}

/**
 * One sample: busy ones add up to arm a collection, and a quiet spell after them calls for it, so
 * an idle process collects once, not every spell. The spell is counted in short samples, not read
 * as one long interval: traffic that resumed at the end of a long interval was too small a share
 * of it to count as busy, and the collection then paused the new traffic.
 */
export function quietStep(state: QuietState, sample: CpuSample): {state: QuietState; collect: boolean} {
  if (sample.cpuMs >= QUIET_CPU_SHARE * sample.elapsedMs) return {state: {quietSamples: 0, busyCpuMs: state.busyCpuMs + sample.cpuMs}, collect: false}
  const quietSamples = Math.min(state.quietSamples + 1, QUIET_SPELL_SAMPLES)
  return {state: {quietSamples, busyCpuMs: state.busyCpuMs}, collect: quietSamples === QUIET_SPELL_SAMPLES && state.busyCpuMs >= QUIET_ARM_CPU_MS}
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
  readonly sampleMs?: number
  readonly confirmMs?: number
  /** Process CPU time so far, in ms. Default: process.cpuUsage(). */
  readonly cpuMs?: () => number
  readonly collect?: () => void
}

/**
 * Samples the CPU time every sampleMs and collects once per quiet spell, after a confirming
 * sample confirmMs long. stop() ends it.
 */
export function startQuietGc(options: QuietGcOptions = {}): {stop(): void} {
  const sampleMs = options.sampleMs ?? QUIET_SAMPLE_MS
  const confirmMs = options.confirmMs ?? QUIET_CONFIRM_MS
  const cpuMs = options.cpuMs ?? processCpuMs
  const collect = options.collect ?? collectAllGarbage
  let state = QUIET_START
  let lastCpu = cpuMs()
  let lastAt = Date.now()
  let confirming: NodeJS.Timeout | null = null

  // Shares are taken over the time that really passed: a timer can fire late.
  const step = (): boolean => {
    const cpu = cpuMs()
    const at = Date.now()
    const result = quietStep(state, {cpuMs: cpu - lastCpu, elapsedMs: at - lastAt})
    state = result.state
    lastCpu = cpu
    lastAt = at
    return result.collect
  }
  const confirm = (): void => {
    confirming = null
    if (!step()) return
    collect()
    state = AFTER_COLLECTION
    // The collection's own CPU time is not traffic.
    lastCpu = cpuMs()
    lastAt = Date.now()
  }
  const timer = setInterval(() => {
    if (confirming === null && step()) confirming = setTimeout(confirm, confirmMs).unref()
  }, sampleMs)
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      if (confirming !== null) clearTimeout(confirming)
    },
  }
}

function processCpuMs(): number {
  const {user, system} = process.cpuUsage()
  return (user + system) / 1000
}
