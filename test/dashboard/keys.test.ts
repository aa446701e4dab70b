import {describe, expect, it} from 'vitest'
import {INITIAL_UI, reduceInput, reduceKey, visibleEntries, type KeyPress, type UiState} from '../../src/dashboard/keys.js'
import type {LogEntry} from '../../src/dashboard/store.js'
import {request} from './helpers.js'

const entries: LogEntry[] = [
  {seq: 3, event: request({path: '/c', status: 500})},
  {seq: 2, event: request({path: '/b', status: 404})},
  {seq: 1, event: request({path: '/a', status: 200})},
]
const ctx = {entries, total: 3, page: 2}

function press(state: UiState, ...keys: (string | KeyPress)[]): {state: UiState; effects: string[]} {
  const effects: string[] = []
  for (const k of keys) {
    const r = typeof k === 'string' ? reduceKey(state, k, {}, ctx) : reduceKey(state, '', k, ctx)
    state = r.state
    if (r.effect) effects.push(r.effect)
  }
  return {state, effects}
}

describe('reduceKey', () => {
  it('q and Ctrl-C quit; c clears', () => {
    expect(press(INITIAL_UI, 'q').effects).toEqual(['quit'])
    expect(reduceKey(INITIAL_UI, 'c', {ctrl: true}, ctx).effect).toBe('quit')
    expect(press(INITIAL_UI, 'c').effects).toEqual(['clear'])
  })

  it('selection walks the visible entries and stops at the ends', () => {
    let {state} = press(INITIAL_UI, {downArrow: true})
    expect(state.selectedSeq).toBe(3)
    state = press(state, {downArrow: true}, {downArrow: true}, {downArrow: true}).state
    expect(state.selectedSeq).toBe(1)
    state = press(state, {pageUp: true}).state
    expect(state.selectedSeq).toBe(3)
    state = press(state, {end: true}).state
    expect(state.selectedSeq).toBe(1)
    state = press(state, {return: true}).state
    expect(state.detail?.seq).toBe(1)
    // in the detail view only Esc/Enter/←/q do something
    expect(press(state, 'p').state).toBe(state)
    expect(press(state, {escape: true}).state.detail).toBeNull()
  })

  it('typing a filter: text, backspace, Enter applies, Esc clears; letters are not commands', () => {
    let r = press(INITIAL_UI, '/', '4', '0', 'q', {backspace: true}, '4', {return: true})
    expect(r.effects).toEqual([])
    expect(r.state.filter).toBe('404')
    expect(visibleEntries(r.state, ctx).map((e) => e.seq)).toEqual([2])
    r = press(r.state, '/', {escape: true})
    expect(r.state.filter).toBe('')
    expect(r.state.editing).toBeNull()
  })

  it('Esc unselects, then clears an applied filter', () => {
    let {state} = press(INITIAL_UI, '/', '5', {return: true}, {downArrow: true})
    expect(state.selectedSeq).toBe(3)
    state = press(state, {escape: true}).state
    expect(state.selectedSeq).toBeNull()
    expect(state.filter).toBe('5')
    state = press(state, {escape: true}).state
    expect(state.filter).toBe('')
  })

  it('p freezes the entries it saw', () => {
    const {state} = press(INITIAL_UI, 'p')
    expect(state.paused?.entries).toBe(entries)
    expect(visibleEntries(state, {entries: []}).length).toBe(3)
    expect(press(state, 'p').state.paused).toBeNull()
  })

  it('splits a multi-character input into key presses', () => {
    const r = reduceInput(INITIAL_UI, '/4044\u007f\r', {}, ctx)
    expect(r.state.filter).toBe('404')
    expect(r.state.editing).toBeNull()
    expect(reduceInput(INITIAL_UI, 'pq', {}, ctx).effects).toEqual(['quit'])
  })
})
