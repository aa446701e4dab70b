import {describe, expect, it} from 'vitest'

import type {GatewayBackend} from '../../src/gateway/evaluate.js'
import {pickWeighted} from '../../src/proxy/gateway-answer.js'
import {applyHeaderEdits} from '../../src/proxy/header-edits.js'

const b = (name: string, weight: number): GatewayBackend => ({namespace: 'ns', name, port: 80, weight, problem: null, notFound: null, redirect: null, upstreamTarget: '/', upstreamHost: null, requestHeaders: [], responseHeaders: [], mirrors: [], cors: null})

describe('pickWeighted', () => {
  it('splits [0, 1) by the weights, in order', () => {
    const backends = [b('a', 1), b('b', 3)]
    expect(pickWeighted(backends, 0).name).toBe('a')
    expect(pickWeighted(backends, 0.249).name).toBe('a')
    expect(pickWeighted(backends, 0.25).name).toBe('b')
    expect(pickWeighted(backends, 0.999).name).toBe('b')
  })
})

describe('applyHeaderEdits', () => {
  it('set replaces every occurrence, add appends with a comma, remove drops; names case-insensitive; edits in order', () => {
    const list = ['Host', 'h', 'x-set', 'old', 'X-SET', 'old2', 'x-add', 'a', 'X-Gone', 'g']
    applyHeaderEdits(list, [
      {set: [['X-Set', 'new']], add: [['X-Add', 'b'], ['X-New', 'n']], remove: ['x-gone']},
      {set: [], add: [], remove: ['x-new']},
    ])
    expect(list).toEqual(['Host', 'h', 'x-add', 'a,b', 'X-Set', 'new'])
  })

  // RFC 9110 §5.3: Set-Cookie is the field that must not be combined; an added cookie (a
  // ResponseHeaderModifier add, the affinity cookie) is a field of its own beside the backend's.
  it('add never joins Set-Cookie', () => {
    const list = ['Set-Cookie', 'a=1; Path=/', 'content-type', 'text/plain']
    applyHeaderEdits(list, [{set: [], add: [['set-cookie', 'b=2']], remove: []}])
    expect(list).toEqual(['Set-Cookie', 'a=1; Path=/', 'content-type', 'text/plain', 'set-cookie', 'b=2'])
  })
})
