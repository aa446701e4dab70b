import {describe, expect, it} from 'vitest'
import {LATENCY_BINS, LatencyWindow, SlidingCounter, binValue, latencyBin} from '../../src/dashboard/window-stats.js'

const T0 = 1_700_000_000_000

describe('latency bins', () => {
  it('are monotonic and within ~4.5% of the value', () => {
    let last = -1
    for (const ms of [0.001, 0.01, 0.5, 1, 2, 3.3, 10, 99, 250, 1000, 12_345, 100_000]) {
      const bin = latencyBin(ms)
      expect(bin).toBeGreaterThanOrEqual(last)
      last = bin
      if (ms >= 0.01) expect(Math.abs(binValue(bin) - ms) / ms).toBeLessThan(0.045)
    }
  })

  it('clamps zero, negative, NaN and huge values', () => {
    expect(latencyBin(0)).toBe(0)
    expect(latencyBin(-5)).toBe(0)
    expect(latencyBin(Number.NaN)).toBe(0)
    expect(latencyBin(1e12)).toBe(LATENCY_BINS - 1)
  })
})

describe('SlidingCounter', () => {
  it('counts the events of the last minute and forgets older ones', () => {
    const c = new SlidingCounter()
    for (let s = 0; s < 90; s++) c.add(T0 + s * 1000)
    // At T0+89.5s the window holds seconds 30..89.
    expect(c.count(T0 + 89_500)).toBe(60)
    expect(c.count(T0 + 120_000)).toBe(29)
    expect(c.count(T0 + 1_000_000)).toBe(0)
  })

  it('gives a rate per second over the window, or over the time elapsed when shorter', () => {
    const c = new SlidingCounter()
    for (let i = 0; i < 120; i++) c.add(T0 + i * 500)
    expect(c.rate(T0 + 59_999)).toBeCloseTo(2, 5)
    const young = new SlidingCounter()
    for (let i = 0; i < 10; i++) young.add(T0 + i * 100)
    expect(young.rate(T0 + 1000, 5000)).toBeCloseTo(2, 5)
    // never divides by less than one bucket
    expect(young.rate(T0 + 1000, 10)).toBeCloseTo(10, 5)
  })

  it('reuses a slot after a long idle gap without double counting', () => {
    const c = new SlidingCounter({bucketMs: 1000, slots: 60})
    c.add(T0)
    c.add(T0 + 60_000) // same slot, one window later
    expect(c.count(T0 + 60_000)).toBe(1)
  })
})

describe('LatencyWindow', () => {
  it('reports p50 and p99 of the samples in the window', () => {
    const w = new LatencyWindow()
    for (let i = 1; i <= 1000; i++) w.record(i / 10, T0 + (i % 50) * 1000) // 0.1 .. 100 ms
    const s = w.summary(T0 + 50_000)
    expect(s.count).toBe(1000)
    expect(s.p50! / 50).toBeGreaterThan(0.955)
    expect(s.p50! / 50).toBeLessThan(1.045)
    expect(s.p99! / 99).toBeGreaterThan(0.955)
    expect(s.p99! / 99).toBeLessThan(1.045)
  })

  it('returns null percentiles when empty', () => {
    const w = new LatencyWindow()
    expect(w.summary(T0)).toEqual({count: 0, ratePerSec: 0, p50: null, p99: null})
  })

  it('drops old samples from the percentiles as the window slides', () => {
    const w = new LatencyWindow()
    for (let i = 0; i < 100; i++) w.record(500, T0) // slow minute ago
    for (let i = 0; i < 10; i++) w.record(2, T0 + 30_000)
    expect(w.percentile(0.5, T0 + 30_000)! > 400).toBe(true)
    const later = T0 + 61_000
    expect(w.count(later)).toBe(10)
    expect(w.percentile(0.5, later)!).toBeCloseTo(2, 0)
    expect(w.percentile(0.99, later)!).toBeLessThan(2.1)
    expect(w.count(T0 + 100_000)).toBe(0)
    expect(w.percentile(0.5, T0 + 100_000)).toBeNull()
  })

  it('handles a million samples over three minutes: only the last minute counts', () => {
    const w = new LatencyWindow()
    for (let i = 0; i < 1_000_000; i++) w.record((i % 997) / 10, T0 + Math.floor(i * 0.18))
    const n = w.count(T0 + 179_999)
    expect(n).toBeGreaterThan(330_000)
    expect(n).toBeLessThan(340_000)
    expect(w.percentile(0.5, T0 + 179_999)!).toBeGreaterThan(40)
    expect(w.percentile(0.5, T0 + 179_999)!).toBeLessThan(60)
  })

  it('survives a clock stepping back by more than a window', () => {
    const w = new LatencyWindow()
    w.record(1, T0 + 120_000)
    w.record(1, T0)
    expect(w.count(T0 + 120_000)).toBe(2)
    expect(w.count(T0 + 500_000)).toBe(0)
  })

  it('reset() empties everything', () => {
    const w = new LatencyWindow()
    w.record(5, T0)
    w.reset()
    expect(w.summary(T0)).toEqual({count: 0, ratePerSec: 0, p50: null, p99: null})
  })
})
