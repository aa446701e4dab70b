import {describe, expect, it} from 'vitest'

import {collectAllGarbage, QUIET_CPU_SHARE, quietStep, startQuietGc} from '../../src/runtime/quiet-gc.js'

describe('quietStep', () => {
  it('collects once on the first quiet interval after busy ones, then waits for traffic again', () => {
    const busy = QUIET_CPU_SHARE * 5
    const quiet = QUIET_CPU_SHARE / 4
    let armed = true // start-up counts as busy
    const collected: boolean[] = []
    for (const share of [quiet, quiet, busy, busy, quiet, quiet, busy, quiet]) {
      const step = quietStep(armed, share)
      armed = step.busySinceCollect
      collected.push(step.collect)
    }
    expect(collected).toEqual([true, false, false, false, true, false, false, true])
  })

  it('counts exactly the threshold share as busy', () => {
    expect(quietStep(false, QUIET_CPU_SHARE)).toEqual({collect: false, busySinceCollect: true})
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
    // CPU ms at each reading, 20 ms apart: busy (20 ms of CPU per 20 ms), busy, quiet, then one
    // reading for the collection's own time, busy, quiet, reading after the collection, quiet.
    const readings = [0, 20, 40, 40, 40, 60, 60, 60]
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
    expect(collectedAtRead).toEqual([4, 7])
  })
})
