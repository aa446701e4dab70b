import {describe, expect, it} from 'vitest'

import {knownTiering, restoreServingTiering, START_UP_TURBOFAN_FLAG, startUpTieringFlags} from '../../src/runtime/tiering.js'

describe("start-up's TurboFan threshold (src/runtime/tiering.ts)", () => {
  it('is added for the serving process unless the user set a threshold of their own', () => {
    expect(startUpTieringFlags([], '13.6.233.17-node.63')).toEqual([START_UP_TURBOFAN_FLAG])
    expect(startUpTieringFlags(['--invocation-count-for-turbofan=500'], '13.6.233.17-node.63')).toEqual([])
  })

  it('is not added on a V8 whose flag and default were not checked (an unknown flag would stop Node from starting)', () => {
    expect(knownTiering('12.4.254.21-node.57')).toBe(true)
    expect(startUpTieringFlags([], '14.1.0')).toEqual([])
    expect(startUpTieringFlags([], '11.3.244.8')).toEqual([])
  })

  it("puts V8's default back once serving, only when start-up ran with kingress's", () => {
    const set: string[] = []
    restoreServingTiering([START_UP_TURBOFAN_FLAG], (f) => set.push(f))
    expect(set).toEqual(['--invocation-count-for-turbofan=3000'])
    restoreServingTiering(['--invocation-count-for-turbofan=500'], (f) => set.push(f))
    expect(set).toHaveLength(1)
  })
})
