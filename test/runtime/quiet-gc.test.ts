import {afterEach, describe, expect, it, vi} from 'vitest'

import {collectAllGarbage, QUIET_CPU_SHARE, QUIET_SAMPLE_MS, QUIET_SPELL_MS, QUIET_SPELL_SAMPLES, QUIET_START, quietStep, startQuietGc} from '../../src/runtime/quiet-gc.js'

describe('quietStep', () => {
  const busy = QUIET_CPU_SHARE * 5
  const quiet = QUIET_CPU_SHARE / 4
  const q = (n: number) => Array.from({length: n}, () => quiet)

  function collections(shares: number[]): number[] {
    let state = QUIET_START
    const at: number[] = []
    shares.forEach((share, i) => {
      const step = quietStep(state, share)
      state = step.state
      if (step.collect) at.push(i)
    })
    return at
  }

  it('collects on the last sample of the first quiet spell after busy ones, then waits for traffic again', () => {
    // start-up counts as busy: the first spell collects too
    expect(collections([...q(QUIET_SPELL_SAMPLES), ...q(QUIET_SPELL_SAMPLES)])).toEqual([QUIET_SPELL_SAMPLES - 1])
    const spell = QUIET_SPELL_SAMPLES
    // busy at 0; a spell one sample short; busy at `spell`; a whole spell, which collects on its
    // last sample; busy twice; a spell and more, which collects once, on the spell's last sample
    const secondBusy = spell
    const thirdBusy = secondBusy + spell + 1
    const shares = [busy, ...q(spell - 1), busy, ...q(spell), busy, busy, ...q(spell + 2)]
    expect(collections(shares)).toEqual([secondBusy + spell, thirdBusy + 1 + spell])
  })

  it('counts exactly the threshold share as busy', () => {
    expect(quietStep({quietSamples: QUIET_SPELL_SAMPLES - 1, busySinceCollect: true}, QUIET_CPU_SHARE)).toEqual({state: {quietSamples: 0, busySinceCollect: true}, collect: false})
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

describe('startQuietGc', () => {
  it('samples the CPU time every interval and collects after each busy spell ends', async () => {
    // CPU ms at each reading, 20 ms apart: busy (20 ms of CPU per 20 ms), a quiet spell, one
    // reading for the collection's own time; the same again; then quiet.
    const spell = Array.from({length: QUIET_SPELL_SAMPLES}, () => 20)
    const readings = [0, 20, ...spell, 20, 40, ...spell.map(() => 40), 40]
    let reads = 0
    const collectedAtRead: number[] = []
    const gc = startQuietGc({
      intervalMs: 20,
      cpuMs: () => readings[Math.min(reads++, readings.length - 1)]!,
      collect: () => collectedAtRead.push(reads),
    })
    const deadline = Date.now() + 2000
    while (reads < readings.length + 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
    gc.stop()
    expect(collectedAtRead).toEqual([2 + QUIET_SPELL_SAMPLES, 2 * (2 + QUIET_SPELL_SAMPLES)])
  })
})

describe('startQuietGc with its default timing', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  // A proxy at 2,000 req/s used about 28 % of a core. The collection pauses the process for
  // 30-50 ms, so it must not fire while such traffic flows, even traffic that began a moment ago.
  const TRAFFIC_SHARE = 0.28

  /** CPU ms used by t (ms since start) when traffic runs in the given [from, to) spans. */
  function cpuAt(t: number, spans: Array<[number, number]>): number {
    let ms = 0
    for (const [from, to] of spans) ms += Math.max(0, Math.min(t, to) - from) * TRAFFIC_SHARE
    return ms
  }

  function collectionTimes(spans: Array<[number, number]>, untilMs: number): number[] {
    vi.useFakeTimers({now: 0})
    const times: number[] = []
    const gc = startQuietGc({cpuMs: () => cpuAt(Date.now(), spans), collect: () => times.push(Date.now())})
    vi.advanceTimersByTime(untilMs)
    gc.stop()
    return times
  }

  it('does not collect when traffic resumes near the end of a quiet spell', () => {
    // Busy for 5 s, quiet for 4.8 s, then traffic again: the old 5 s window from 5 to 10 s held
    // 0.2 s of traffic, under 2 % of a core, and collected at 10 s, in the middle of the load.
    const times = collectionTimes([[0, 5000], [9800, 30_000]], 30_000)
    expect(times).toEqual([])
  })

  it('collects once the process has been quiet for the whole spell, and only then', () => {
    const times = collectionTimes([[0, 5000], [20_000, 25_000]], 40_000)
    expect(times).toHaveLength(2)
    const afterLoadEnds = [times[0]! - 5000, times[1]! - 25_000]
    for (const wait of afterLoadEnds) {
      expect(wait).toBeGreaterThanOrEqual(QUIET_SPELL_MS)
      expect(wait).toBeLessThanOrEqual(QUIET_SPELL_MS + QUIET_SAMPLE_MS)
    }
  })

  it('does not collect in a gap between loads shorter than the spell', () => {
    // The bench's interleaved rounds leave kingress idle for about 4 s at a time.
    const times = collectionTimes([[0, 3000], [7300, 10_300], [14_600, 17_600]], 17_600)
    expect(times).toEqual([])
  })
})
