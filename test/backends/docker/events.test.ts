import {describe, expect, it} from 'vitest'

import {EventStreamParser, isRelevantEvent, normalizeEvent} from '../../../src/backends/docker/events.js'

const start = {
  Type: 'container',
  Action: 'start',
  Actor: {ID: 'abc123', Attributes: {name: 'blue-1', app: 'webserver-blue'}},
  time: 1700000000,
  timeNano: 1700000000123456789,
}
const health = {...start, Action: 'health_status: unhealthy', time: 1700000001}
const line = (event: unknown): string => `${JSON.stringify(event)}\n`

describe('EventStreamParser', () => {
  it('parses one event per line and several events in one chunk', () => {
    const parser = new EventStreamParser()
    const events = parser.push(line(start) + line(health))
    expect(events.map((e) => e.action)).toEqual(['start', 'health_status'])
    expect(events[0]).toMatchObject({type: 'container', containerId: 'abc123', time: 1700000000, rawAction: 'start'})
    expect(events[1]?.rawAction).toBe('health_status: unhealthy')
  })

  it('buffers an event split across chunks, at every possible split point', () => {
    const text = line(start) + line(health)
    for (let cut = 0; cut <= text.length; cut++) {
      const parser = new EventStreamParser()
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]
      expect(events.map((e) => e.action)).toEqual(['start', 'health_status'])
    }
  })

  it('survives a multi-byte UTF-8 character split between chunks', () => {
    const event = {...start, Actor: {ID: 'x', Attributes: {name: 'café-☕-🚀'}}}
    const bytes = Buffer.from(line(event), 'utf8')
    for (let cut = 1; cut < bytes.length; cut++) {
      const parser = new EventStreamParser()
      const events = [...parser.push(bytes.subarray(0, cut)), ...parser.push(bytes.subarray(cut))]
      expect(events).toHaveLength(1)
      expect(events[0]?.attributes.name).toBe('café-☕-🚀')
    }
  })

  it('handles byte-at-a-time delivery and reused buffers', () => {
    const bytes = Buffer.from(line(start) + line(health) + line(start))
    const parser = new EventStreamParser()
    const shared = Buffer.alloc(1)
    const events = []
    for (const byte of bytes) {
      shared[0] = byte
      events.push(...parser.push(shared))
    }
    expect(events.map((e) => e.action)).toEqual(['start', 'health_status', 'start'])
  })

  it('keeps a trailing line until end(), skips blank and malformed lines', () => {
    const parser = new EventStreamParser()
    expect(parser.push(`\n\nnot json\r\n${JSON.stringify(start)}`)).toEqual([])
    expect(parser.malformed).toBe(1)
    expect(parser.end().map((e) => e.action)).toEqual(['start'])
    expect(parser.end()).toEqual([])
  })

  it('accepts CRLF line endings', () => {
    const parser = new EventStreamParser()
    expect(parser.push(`${JSON.stringify(start)}\r\n`)).toHaveLength(1)
  })
})

describe('normalizeEvent / isRelevantEvent', () => {
  it('maps Podman names and strips action arguments', () => {
    expect(normalizeEvent({...start, Action: 'died'})?.action).toBe('die')
    expect(normalizeEvent({...start, Action: 'remove'})?.action).toBe('destroy')
    expect(normalizeEvent({...start, Action: 'exec_start: sh -c true'})?.action).toBe('exec_start')
  })

  it('reads old-style events and network events', () => {
    expect(normalizeEvent({status: 'die', id: 'abc', from: 'img', time: 5})).toMatchObject({type: 'container', action: 'die', containerId: 'abc'})
    const connect = normalizeEvent({Type: 'network', Action: 'connect', Actor: {ID: 'net1', Attributes: {container: 'abc', name: 'bridge'}}})
    expect(connect).toMatchObject({type: 'network', containerId: 'abc'})
  })

  it('keeps only events that can change routing', () => {
    const relevant = (event: object): boolean => isRelevantEvent(normalizeEvent(event)!)
    for (const action of ['start', 'die', 'died', 'stop', 'kill', 'pause', 'unpause', 'health_status: healthy', 'rename', 'destroy', 'remove']) {
      expect(relevant({...start, Action: action}), action).toBe(true)
    }
    for (const action of ['exec_create: true', 'exec_start: true', 'exec_die', 'attach', 'create', 'top', 'resize']) {
      expect(relevant({...start, Action: action}), action).toBe(false)
    }
    expect(relevant({Type: 'network', Action: 'disconnect', Actor: {ID: 'n', Attributes: {container: 'c'}}})).toBe(true)
    expect(relevant({Type: 'image', Action: 'pull', Actor: {ID: 'i'}})).toBe(false)
  })

  it('rejects what is not an event', () => {
    expect(normalizeEvent(null)).toBeUndefined()
    expect(normalizeEvent([1])).toBeUndefined()
    expect(normalizeEvent({Type: 'container'})).toBeUndefined()
  })
})
