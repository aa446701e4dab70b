import {describe, expect, it, vi} from 'vitest'

// ink decides at import whether it runs in CI (then it draws only the last frame).
vi.hoisted(() => {
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
})

import {EventEmitter} from 'node:events'
import {startDashboard} from '../../src/dashboard/index.js'
import {EventBus} from '../../src/runtime/events.js'
import {ROWS, plain, request, tick} from './helpers.js'

class FakeStdout extends EventEmitter {
  isTTY = true
  columns = 100
  rows = 30
  writes: string[] = []
  write = (chunk: string): boolean => {
    this.writes.push(String(chunk))
    return true
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true
  isRaw = false
  setRawMode(mode: boolean): this {
    this.isRaw = mode
    return this
  }
  setEncoding(): this {
    return this
  }
  private data: string | null = null
  /** What a terminal does when a key is pressed. */
  press(data: string): void {
    this.data = data
    this.emit('readable')
  }
  read(): string | null {
    const data = this.data
    this.data = null
    return data
  }
  resume(): this {
    return this
  }
  pause(): this {
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }
}

const STATUS = {manifests: ['a.yaml'], urls: ['http://127.0.0.1:1'], hosts: 'not managed', ca: 'n/a', docker: 'off'}

async function start(extra: {captureStderr?: boolean; cpuBudget?: number} = {}) {
  const bus = new EventBus()
  const stdout = new FakeStdout()
  const stdin = new FakeStdin()
  const onQuit = vi.fn()
  let routesCalls = 0
  const handle = await startDashboard({
    bus,
    routes: () => {
      routesCalls++
      return ROWS
    },
    status: () => STATUS,
    onQuit,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    patchConsole: false,
    captureStderr: extra.captureStderr ?? false,
    cpuBudget: extra.cpuBudget,
  })
  return {bus, stdout, stdin, onQuit, handle, routesCalls: () => routesCalls}
}

describe('startDashboard', () => {
  it('enters the alternate screen, draws, takes raw keys, and restores everything on stop', async () => {
    const d = await start()
    expect(d.stdout.writes[0]).toContain('\u001B[?1049h')
    expect(d.stdin.isRaw).toBe(true)
    d.bus.emit('request', request({path: '/hello'}))
    await tick(250)
    expect(plain(d.stdout.writes.join(''))).toContain('/hello')
    d.stdin.press('q')
    await tick(50)
    expect(d.onQuit).toHaveBeenCalledTimes(1)
    await d.handle.stop()
    const tail = d.stdout.writes.slice(-3).join('')
    expect(tail).toContain('\u001B[?25h')
    expect(tail).toContain('\u001B[?1049l')
    expect(d.stdin.isRaw).toBe(false)
    expect(d.bus.has('request')).toBe(false)
    await d.handle.stop() // twice is fine
  })

  it('draws at most ~10 frames a second however many requests arrive', async () => {
    const d = await start({cpuBudget: 1})
    await tick(150)
    const frames = (): number => d.stdout.writes.filter((w) => w.includes('Traffic')).length
    const before = frames()
    const started = Date.now()
    while (Date.now() - started < 1000) {
      for (let i = 0; i < 200; i++) d.bus.emit('request', request({path: `/burst${i}`}))
      await tick(5)
    }
    const drawn = frames() - before
    expect(drawn).toBeGreaterThan(2)
    expect(drawn).toBeLessThanOrEqual(13)
    await d.handle.stop()
  })

  it('spaces frames further apart when they are expensive (CPU budget)', async () => {
    const d = await start({cpuBudget: 0.01}) // a frame here costs milliseconds: ≥ 100× that between frames
    await tick(150)
    const frames = (): number => d.stdout.writes.filter((w) => w.includes('Traffic')).length
    const before = frames()
    const started = Date.now()
    while (Date.now() - started < 1000) {
      for (let i = 0; i < 50; i++) d.bus.emit('request', request({path: `/burst${i}`}))
      await tick(5)
    }
    expect(frames() - before).toBeLessThanOrEqual(5)
    await d.handle.stop()
  })

  it('re-reads routes() after a reload, not on every frame', async () => {
    const d = await start()
    await tick(350)
    const calls = d.routesCalls()
    expect(calls).toBe(1)
    d.bus.emit('reload', {ok: true, initial: false, reason: 'manifests', generation: 2, hosts: [], routes: 2, diagnostics: [], message: 'ok'})
    await tick(250)
    expect(d.routesCalls()).toBe(2)
    await d.handle.stop()
  })

  it('shows stderr lines of other subsystems in the header and prints them after stop', async () => {
    const d = await start({captureStderr: true})
    process.stderr.write('kingress: docker: connection lost, retrying\n')
    await tick(250)
    expect(plain(d.stdout.writes.join(''))).toContain('docker: connection lost, retrying')
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    await d.handle.stop()
    expect(spy.mock.calls.map((c) => String(c[0])).join('')).toContain('docker: connection lost, retrying')
    spy.mockRestore()
  })
})
