import {join} from 'node:path'
import {Agent, request} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {ReloadEvent} from '../../src/runtime/events.js'
import {echoUpstream, ingress, nextEvent, saveByRename, startProxy, tempDir, type ProxyUnderTest, type Upstream} from './helpers.js'

describe('hot reload', () => {
  let one: Upstream
  let two: Upstream
  let proxy: ProxyUnderTest
  let file: string

  beforeAll(async () => {
    one = await echoUpstream('one')
    two = await echoUpstream('two')
    const dir = await tempDir()
    file = join(dir, 'app.yaml')
    await saveByRename(file, ingress('app', [{host: 'app.test', service: 'one'}]))
    proxy = await startProxy({files: [file], backends: [`one=127.0.0.1:${one.port}`, `two=127.0.0.1:${two.port}`], watch: true})
  })
  afterAll(async () => {
    await proxy.close()
    await Promise.all([one.close(), two.close()])
  })

  it('swaps tables under traffic without a failed request', async () => {
    const agent = new Agent({connections: 8})
    const statuses = new Map<number, number>()
    const names = new Set<string>()
    const deadline = Date.now() + 5000
    let sent = 0
    // 8 clients in a loop, 500 requests in all (at most 5 s), while the manifest is rewritten.
    const worker = async (): Promise<void> => {
      while (sent < 500 && Date.now() < deadline) {
        sent++
        const res = await request(`http://127.0.0.1:${proxy.port}/`, {headers: {host: 'app.test'}, dispatcher: agent})
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
        names.add(((await res.body.json()) as {name: string}).name)
        // Paced (about 300 requests/s) so that several rewrites land among the 500 requests.
        await new Promise((r) => setTimeout(r, 25))
      }
    }
    const workers = Promise.all(Array.from({length: 8}, worker))
    let rewrites = 0
    while (sent < 450 && Date.now() < deadline) {
      const service = rewrites++ % 2 === 0 ? 'two' : 'one'
      const reloaded = nextEvent<ReloadEvent>((l) => proxy.session.bus.on('reload', l), (e) => e.ok && !e.initial)
      await saveByRename(file, ingress('app', [{host: 'app.test', service}]))
      await reloaded
      expect(proxy.session.runtime.current.table.routes[0]!.backend).toMatchObject({service})
    }
    await workers
    await agent.close()
    expect(rewrites).toBeGreaterThanOrEqual(2)
    // On a loaded machine the 5 s bound may cut the run short; every request sent must still have succeeded.
    expect(sent).toBeGreaterThanOrEqual(200)
    expect([...statuses.keys()]).toEqual([200])
    expect(names).toEqual(new Set(['one', 'two']))
  })

  it('keeps the old table on an invalid edit and reports file:line:col', async () => {
    const generation = proxy.session.runtime.current.generation
    const failed = nextEvent<ReloadEvent>((l) => proxy.session.bus.on('reload', l), (e) => !e.ok)
    await saveByRename(file, ingress('app', [{host: 'app.test', service: 'one'}]).replace('pathType: Prefix', 'pathType: prefix'))
    const event = await failed
    expect(event.diagnostics[0]!.at.file).toContain('app.yaml')
    expect(event.message).toContain(`still serving generation ${generation}`)
    expect(proxy.session.runtime.current.generation).toBe(generation)
    await new Promise((r) => setImmediate(r))
    expect(proxy.log.some((l) => /app\.yaml:\d+:\d+: spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Unsupported value: "prefix"/.test(l))).toBe(true)
    const res = await request(`http://127.0.0.1:${proxy.port}/`, {headers: {host: 'app.test'}})
    expect(res.statusCode).toBe(200)
    await res.body.dump()

    const fixed = nextEvent<ReloadEvent>((l) => proxy.session.bus.on('reload', l), (e) => e.ok)
    await saveByRename(file, ingress('app', [{host: 'app.test', service: 'one'}, {host: 'new.test', service: 'two'}]))
    expect((await fixed).hosts).toEqual(['app.test', 'new.test'])
  })
})
