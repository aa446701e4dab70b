import {applyFilter} from './filter.js'
import type {LogEntry} from './store.js'

/**
 * The dashboard's key handling as a pure state machine: the App keeps the state in a ref so that
 * several keys arriving in one chunk (a paste, or tmux send-keys) each see the previous key's result.
 */

export interface UiState {
  /** The log as frozen by `p`, or null when live. */
  readonly paused: {readonly entries: readonly LogEntry[]; readonly total: number} | null
  /** The filter being typed, or null. */
  readonly editing: string | null
  readonly filter: string
  readonly selectedSeq: number | null
  /** The request shown in full, or null. */
  readonly detail: LogEntry | null
}

export const INITIAL_UI: UiState = {paused: null, editing: null, filter: '', selectedSeq: null, detail: null}

/** The subset of ink's Key the dashboard reads. */
export interface KeyPress {
  readonly upArrow?: boolean
  readonly downArrow?: boolean
  readonly leftArrow?: boolean
  readonly pageUp?: boolean
  readonly pageDown?: boolean
  readonly home?: boolean
  readonly end?: boolean
  readonly return?: boolean
  readonly escape?: boolean
  readonly ctrl?: boolean
  readonly meta?: boolean
  readonly tab?: boolean
  readonly backspace?: boolean
  readonly delete?: boolean
}

export interface KeyContext {
  /** The live log, newest first. */
  readonly entries: readonly LogEntry[]
  readonly total: number
  /** Rows of the log on screen (PageUp/PageDown step). */
  readonly page: number
}

export type KeyEffect = 'quit' | 'clear' | null

/** The entries the log shows in `state`: frozen or live, then filtered. */
export function visibleEntries(state: UiState, context: Pick<KeyContext, 'entries'>): readonly LogEntry[] {
  return applyFilter(state.paused ? state.paused.entries : context.entries, state.filter)
}

export function reduceKey(state: UiState, input: string, key: KeyPress, context: KeyContext): {state: UiState; effect: KeyEffect} {
  const same = {state, effect: null}
  if (key.ctrl && input === 'c') return {state, effect: 'quit'}
  if (state.editing !== null) {
    const text = state.editing
    if (key.escape) return {state: {...state, editing: null, filter: ''}, effect: null}
    if (key.return) return {state: {...state, editing: null, filter: text.trim(), selectedSeq: null}, effect: null}
    if (key.backspace || key.delete) return {state: {...state, editing: text.slice(0, -1)}, effect: null}
    // eslint-disable-next-line no-control-regex
    const printable = input.replace(/[\u0000-\u001f\u007f]/g, '')
    if (printable !== '' && !key.ctrl && !key.meta && !key.tab) return {state: {...state, editing: text + printable}, effect: null}
    return same
  }
  if (state.detail !== null) {
    if (key.escape || key.return || key.leftArrow || key.backspace) return {state: {...state, detail: null}, effect: null}
    if (input === 'q') return {state, effect: 'quit'}
    return same
  }
  if (input === 'q') return {state, effect: 'quit'}
  if (input === 'p') return {state: {...state, paused: state.paused ? null : {entries: context.entries, total: context.total}}, effect: null}
  if (input === '/') return {state: {...state, editing: state.filter}, effect: null}
  if (input === 'c') return {state: {...state, paused: state.paused ? {entries: [], total: 0} : null, selectedSeq: null}, effect: 'clear'}
  const entries = visibleEntries(state, context)
  const index = state.selectedSeq === null ? -1 : entries.findIndex((e) => e.seq === state.selectedSeq)
  if (key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.home || key.end) {
    if (entries.length === 0) return same
    const step = key.pageUp || key.pageDown ? Math.max(1, context.page) : 1
    let next: number
    if (key.home) next = 0
    else if (key.end) next = entries.length - 1
    else if (index === -1) next = 0
    else next = key.upArrow || key.pageUp ? Math.max(0, index - step) : Math.min(entries.length - 1, index + step)
    return {state: {...state, selectedSeq: entries[next]!.seq}, effect: null}
  }
  if (key.return) {
    const entry = index === -1 ? undefined : entries[index]
    return entry ? {state: {...state, detail: entry}, effect: null} : same
  }
  if (key.escape) {
    if (index !== -1) return {state: {...state, selectedSeq: null}, effect: null}
    if (state.filter !== '') return {state: {...state, filter: ''}, effect: null}
  }
  return same
}

/**
 * Several characters in one input (a paste, or keys that arrived in one read): each is handled as
 * its own key press, so `/404⏎` typed fast still opens the filter, fills it and applies it.
 */
export function reduceInput(state: UiState, input: string, key: KeyPress, context: KeyContext): {state: UiState; effects: KeyEffect[]} {
  const plainText = input.length > 1 && !key.ctrl && !key.meta && !key.upArrow && !key.downArrow && !key.return && !key.escape
  if (!plainText) {
    const r = reduceKey(state, input, key, context)
    return {state: r.state, effects: r.effect ? [r.effect] : []}
  }
  const effects: KeyEffect[] = []
  for (const char of input) {
    let r: {state: UiState; effect: KeyEffect}
    if (char === '\r' || char === '\n') r = reduceKey(state, '', {return: true}, context)
    else if (char === '\u007f' || char === '\b') r = reduceKey(state, '', {backspace: true}, context)
    else if (char === '\t') r = reduceKey(state, '', {tab: true}, context)
    else r = reduceKey(state, char, {}, context)
    state = r.state
    if (r.effect) effects.push(r.effect)
  }
  return {state, effects}
}
