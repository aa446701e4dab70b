import {describe, expect, it} from 'vitest'

import {START_UP_TURBOFAN_FLAG, startUpTieringFlags} from '../../src/runtime/tiering.js'

describe('the start-up TurboFan threshold (src/runtime/tiering.ts)', () => {
  it('is added for the serving process unless the user set a threshold of their own', () => {
    expect(startUpTieringFlags([], '')).toEqual([START_UP_TURBOFAN_FLAG])
    expect(startUpTieringFlags(['--invocation-count-for-turbofan=500'], '')).toEqual([])
    expect(startUpTieringFlags([], '--max-old-space-size=100 --invocation-count-for-turbofan=500')).toEqual([])
  })
})
