import {afterEach, describe, expect, it, vi} from 'vitest'

import {AFTER_COLLECTION, collectAllGarbage, type CpuSample, QUIET_ARM_CPU_MS, QUIET_CONFIRM_MS, QUIET_CPU_SHARE, QUIET_SPELL_MS, QUIET_SPELL_SAMPLES, QUIET_START, quietStep, startQuietGc} from '../../src/runtime/quiet-gc.js'

describe('quietStep', () => {
  const second = (cpuMs: number): CpuSample => ({cpuMs, elapsedMs: 1000})
  const quiet = second(QUIET_CPU_SHARE * 1000 * 0.25)
  const busy = second(QUIET_ARM_CPU_MS)
  const spell = Array.from({length: QUIET_SPELL_SAMPLES}, () => quiet)

  /** The indexes of the samples that call for a collection; each call is taken as done. */
  function collections(samples: CpuSample[], state = QUIET_START): number[] {
    const at: number[] = []
    samples.forEach((sample, i) => {
      const step = quietStep(state, sample)
      state = step.collect ? AFTER_COLLECTION : step.state
      if (step.collect) at.push(i)
    })
    return at
  }

  it('collects on the last sample of the first quiet spell after busy ones, then waits for traffic again', () => {
    // start-up counts as busy: the first spell collects too, the next one does not
    expect(collections([...spell, ...spell])).toEqual([QUIET_SPELL_SAMPLES - 1])
    // busy at 0; a spell one sample short; busy again at QUIET_SPELL_SAMPLES; a whole spell,
    // collected on its last sample; quiet on
    const shortSpell = spell.slice(1)
    expect(collections([busy, ...shortSpell, busy, ...spell, ...spell], AFTER_COLLECTION)).toEqual([2 * QUIET_SPELL_SAMPLES])
  })

  it('arms only once busy samples add up to the arming CPU time', () => {
    const justBusy = second(QUIET_CPU_SHARE * 1000)
    const tooLittle = Array.from({length: Math.ceil(QUIET_ARM_CPU_MS / justBusy.cpuMs) - 1}, () => justBusy)
    expect(collections([...tooLittle, ...spell], AFTER_COLLECTION)).toEqual([])
    expect(collections([...tooLittle, justBusy, ...spell], AFTER_COLLECTION)).toEqual([tooLittle.length + QUIET_SPELL_SAMPLES])
  })

  it('counts exactly the threshold share as busy, over the time that really passed', () => {
    const armedAndQuiet = {quietSamples: QUIET_SPELL_SAMPLES - 1, busyCpuMs: QUIET_ARM_CPU_MS}
    expect(quietStep(armedAndQuiet, {cpuMs: QUIET_CPU_SHARE * 1500, elapsedMs: 1500})).toEqual({state: {quietSamples: 0, busyCpuMs: QUIET_ARM_CPU_MS + QUIET_CPU_SHARE * 1500}, collect: false})
    expect(quietStep(armedAndQuiet, {cpuMs: QUIET_CPU_SHARE * 1000, elapsedMs: 1500}).collect).toBe(true)
  })
})

describe('collectAllGarbage', () => {
  it('frees unreachable objects, and adds no gc function to the global object', () => {
    const globalGc = (globalThis as {gc?: unknown}).gc
    let garbage: Array<{n: number; s: string}> | null = Array.from({length: 200_000}, (_, n) => ({n, s: `item ${n}`}))
    const before = process.memoryUsage().heapUsed
    expect(garbage.length).toBe(200_000)
    garbage = null
    collectAllGarbage()
    const after = process.memoryUsage().heapUsed
    // 200,000 small objects with their strings are well over 10 MB of heap.
    expect(before - after).toBeGreaterThan(10 * 1024 * 1024)
    expect((globalThis as {gc?: unknown}).gc).toBe(globalGc)
  })
})

describe('startQuietGc with its default timing', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  // A proxy at 2,000 req/s used about 28 % of a core. The collection pauses the process for
  // 40-50 ms, so it must not run while such traffic flows, even traffic that began a moment ago.
  const TRAFFIC_SHARE = 0.28

  /**
   * Runs startQuietGc for untilMs of fake time against a process that uses a share of a core
   * (TRAFFIC_SHARE unless given) in the given [from, to) spans, and whose collections each cost
   * collectCpuMs of CPU. Returns when the collections ran.
   */
  function collectionTimes(spans: Array<[number, number, number?]>, untilMs: number, collectCpuMs = 0): number[] {
    vi.useFakeTimers({now: 0})
    const times: number[] = []
    let collectionsCpu = 0
    const cpuMs = () => {
      const t = Date.now()
      let ms = collectionsCpu
      for (const [from, to, share = TRAFFIC_SHARE] of spans) ms += Math.max(0, Math.min(t, to) - from) * share
      return ms
    }
    const gc = startQuietGc({
      cpuMs,
      collect: () => {
        times.push(Date.now())
        collectionsCpu += collectCpuMs
      },
    })
    vi.advanceTimersByTime(untilMs)
    gc.stop()
    return times
  }

  it('collects once a spell and a confirming sample have been quiet after each load, and only then', () => {
    const afterQuiet = QUIET_SPELL_MS + QUIET_CONFIRM_MS
    expect(collectionTimes([[0, 5000], [20_000, 25_000]], 40_000)).toEqual([5000 + afterQuiet, 25_000 + afterQuiet])
  })

  it('does not collect when traffic resumes near the end of a quiet spell', () => {
    // Busy for 5 s, quiet for 4.8 s, then traffic again: the old 5 s window from 5 to 10 s held
    // 0.2 s of traffic, under 2 % of a core, and collected at 10 s, in the middle of the load.
    expect(collectionTimes([[0, 5000], [9800, 30_000]], 30_000)).toEqual([])
  })

  it('does not collect when traffic resumes too late in the spell to make its last sample busy', () => {
    // 50 ms of traffic are 14 ms of CPU, under 2 % of the 1 s sample: the confirming one catches it.
    expect(collectionTimes([[0, 5000], [9950, 30_000]], 30_000)).toEqual([])
  })

  it('reads the confirming sample as a share of its own length', () => {
    // A light load, 5 % of a core: 2.5 ms of CPU in the last second, 5 ms in the 0.1 s after it,
    // which is busy for 0.1 s (over 2 ms) though it would not be for a whole second.
    expect(collectionTimes([[0, 5000], [9950, 30_000, 0.05]], 30_000)).toEqual([])
  })

  it('does not collect in a gap between loads shorter than the spell', () => {
    // In the bench's paced section kingress, the bare proxy and nginx take 2 s turns: kingress
    // is idle about 4 s at a time.
    expect(collectionTimes([[0, 2000], [6200, 8200], [12_400, 14_400]], 14_400)).toEqual([])
  })

  it('does not count a collection\'s own CPU time as traffic', () => {
    // 500 ms of CPU in one sample would arm another collection 5 s later.
    expect(collectionTimes([[0, 5000]], 30_000, 500)).toEqual([5000 + QUIET_SPELL_MS + QUIET_CONFIRM_MS])
  })

  it('is not armed again by a short burst after a collection', () => {
    // 100 ms of traffic at 28 % are 28 ms of CPU: a busy sample, and far from the arming time.
    expect(collectionTimes([[0, 5000], [15_000, 15_100]], 30_000)).toEqual([5000 + QUIET_SPELL_MS + QUIET_CONFIRM_MS])
  })

  it('stops sampling on stop()', () => {
    vi.useFakeTimers({now: 0})
    const collect = vi.fn()
    const cpuMs = vi.fn(() => 0)
    startQuietGc({cpuMs, collect}).stop()
    vi.advanceTimersByTime(QUIET_SPELL_MS * 4)
    expect(cpuMs).toHaveBeenCalledTimes(1)
    expect(collect).not.toHaveBeenCalled()
  })
})
