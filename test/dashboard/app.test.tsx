import {afterEach, describe, expect, it, vi} from 'vitest'

// Colours are part of what is tested: make chalk (loaded by ink) emit them although stdout is not a TTY.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1'
})

import {cleanup, render} from 'ink-testing-library'
import {App} from '../../src/dashboard/components/App.js'
import {DashboardStore} from '../../src/dashboard/store.js'
import type {DashboardStatus} from '../../src/dashboard/types.js'
import {ROWS, plain, request, tick} from './helpers.js'

const STATUS: DashboardStatus = {
  manifests: ['demo/ingress.yaml'],
  urls: ['http://127.0.0.1:8080'],
  hosts: 'not managed (use --hosts)',
  ca: 'not installed (kingress ca install)',
  docker: 'off (--no-docker)',
}

const ESC = '\u001B'
const DOWN = '\u001B[B'
const UP = '\u001B[A'
const ENTER = '\r'

function setup(options: {columns?: number; rows?: number} = {}) {
  let t = 1_700_000_000_000
  const store = new DashboardStore({now: () => t})
  store.setRoutes(ROWS)
  store.setStatus(STATUS)
  const onQuit = vi.fn()
  const onClear = vi.fn(() => store.clear())
  const element = () => <App snapshot={store.snapshot()} onQuit={onQuit} onClear={onClear} columns={options.columns ?? 100} rows={options.rows ?? 30} />
  const ui = render(element())
  return {
    store,
    onQuit,
    onClear,
    ui,
    advance: (ms: number) => (t += ms),
    /** What the runtime's timer does: a fresh snapshot as props. */
    refresh: () => ui.rerender(element()),
    frame: () => ui.lastFrame() ?? '',
    text: () => plain(ui.lastFrame()),
    type: async (keys: string) => {
      ui.stdin.write(keys)
      await tick()
    },
  }
}

/** The line of the frame that contains `needle` (ANSI kept). */
function lineWith(frame: string, needle: string): string {
  return frame.split('\n').find((l) => plain(l).includes(needle)) ?? ''
}

afterEach(() => cleanup())

describe('header', () => {
  it('shows manifests, URLs, hosts, CA, Docker and the last reload', () => {
    const s = setup()
    s.store.onReload({
      ok: false,
      initial: false,
      reason: 'manifests',
      generation: 4,
      hosts: [],
      routes: 2,
      diagnostics: [{severity: 'error', at: {file: 'ingress.yaml', line: 7, col: 3}, field: 'spec.rules[0].host', message: 'Invalid value'}],
      message: '1 error in the manifests: still serving generation 3',
    })
    s.refresh()
    const text = s.text()
    expect(text).toContain('demo/ingress.yaml')
    expect(text).toContain('http://127.0.0.1:8080')
    expect(text).toContain('not managed (use --hosts)')
    expect(text).toContain('not installed (kingress ca install)')
    expect(text).toContain('off (--no-docker)')
    expect(text).toContain('reload FAILED')
    expect(text).toContain('ingress.yaml:7:3: spec.rules[0].host: Invalid value (1 error in the manifests')
  })
})

describe('routes', () => {
  it('shows one row per host/path with its Service, endpoints, states and shares', () => {
    const s = setup()
    for (let i = 0; i < 4; i++) s.store.onRequest(request({routeId: 0, upstream: i === 0 ? '127.0.0.1:8082' : '127.0.0.1:8081'}))
    s.refresh()
    const text = s.text()
    expect(text).toMatch(/blue\.example\.com\/ Prefix → webserver-blue-svc:80 .*p50 .*p99/)
    expect(text).toMatch(/● blue-1 127\.0\.0\.1:8081 ready 75%/)
    expect(text).toMatch(/● blue-2 127\.0\.0\.1:8082 ready 25%/)
    expect(text).toMatch(/green\.example\.com\/api Exact → webserver-green-svc:8080/)
    expect(text).toContain('◐ green-1 127.0.0.1:9091 starting (healthcheck is "starting")')
  })

  it('lights up a route that served a request for about a second', () => {
    const s = setup()
    s.store.onRequest(request({routeId: 0}))
    s.refresh()
    expect(lineWith(s.frame(), 'blue.example.com/ Prefix')).toContain('\u001B[7m')
    expect(lineWith(s.frame(), 'green.example.com/api')).not.toContain('\u001B[7m')
    s.advance(1500)
    s.refresh()
    expect(lineWith(s.frame(), 'blue.example.com/ Prefix')).not.toContain('\u001B[7m')
  })

  it('shows an ejected endpoint in red with the reason', () => {
    const s = setup()
    s.store.onEndpoint({kind: 'ejected', service: 'default/webserver-blue-svc:80', endpoint: '127.0.0.1:8082', reason: 'connect ECONNREFUSED'})
    s.refresh()
    const line = lineWith(s.frame(), 'blue-2')
    expect(plain(line)).toContain('⊘ blue-2 127.0.0.1:8082 ejected (connect ECONNREFUSED)')
    expect(line).toContain('\u001B[31m')
  })

  it('falls back to one line per route, then to "+N more", when routes do not fit', () => {
    const many = Array.from({length: 30}, (_, i) => ({...ROWS[0]!, routeId: i, path: `/r${i}`}))
    const s = setup({columns: 80, rows: 24})
    s.store.setRoutes(many)
    s.refresh()
    const text = s.text()
    expect(text).toMatch(/\+\d+ more routes/)
    expect(text).not.toContain('blue-1 127.0.0.1:8081 ready') // endpoints as marks only
    expect(text).toContain('Traffic')
  })
})

describe('traffic log', () => {
  it('lists requests newest first, status coloured by class', () => {
    const s = setup()
    const statuses = [200, 301, 404, 503]
    for (const status of statuses) s.store.onRequest(request({path: `/s${status}`, status}))
    s.refresh()
    const text = s.text()
    expect(text.indexOf('/s503')).toBeLessThan(text.indexOf('/s200'))
    const colour = (status: number) => lineWith(s.frame(), `/s${status}`)
    expect(colour(200)).toContain('\u001B[32m') // green
    expect(colour(301)).toContain('\u001B[36m') // cyan
    expect(colour(404)).toContain('\u001B[33m') // yellow
    expect(colour(503)).toContain('\u001B[31m') // red
    expect(plain(colour(503))).toMatch(/GET\s+blue\.example\.com\/s503\s+503\s+5\.0ms\s+123B\s+127\.0\.0\.1:8081/)
  })

  it('marks the requests a Gateway answered with its name', () => {
    const s = setup()
    s.store.onRequest(request({path: '/from-gateway', side: 'gateway default/shop'}))
    s.store.onRequest(request({path: '/from-ingress', side: 'ingress'}))
    s.refresh()
    expect(plain(lineWith(s.frame(), '/from-gateway'))).toMatch(/123B gw 127\.0\.0\.1:8081/)
    expect(plain(lineWith(s.frame(), '/from-ingress'))).toMatch(/123B {4}127\.0\.0\.1:8081/)
    const wide = setup({columns: 160, rows: 30})
    wide.store.onRequest(request({path: '/from-gateway', side: 'gateway default/shop'}))
    wide.store.onRequest(request({path: '/from-ingress', side: 'ingress'}))
    wide.refresh()
    expect(plain(lineWith(wide.frame(), '/from-gateway'))).toMatch(/123B gw default\/shop\s+127\.0\.0\.1:8081/)
    expect(plain(lineWith(wide.frame(), '/from-ingress'))).toMatch(/123B ingress\s+127\.0\.0\.1:8081/)
  })

  it('filters by path, by status class and by status; Esc while typing clears', async () => {
    const s = setup()
    s.store.onRequest(request({path: '/api/users', status: 200}))
    s.store.onRequest(request({path: '/missing', status: 404}))
    s.store.onRequest(request({path: '/boom', status: 502, host: 'green.example.com'}))
    s.refresh()
    await s.type('/')
    expect(s.text()).toContain('filter:')
    await s.type('5xx')
    expect(s.text()).toContain('filter: 5xx')
    await s.type(ENTER)
    let text = s.text()
    expect(text).toContain('/boom')
    expect(text).not.toContain('/api/users')
    expect(text).toContain('filter "5xx": 1 match')

    await s.type('/')
    for (let i = 0; i < 3; i++) await s.type('\u007f') // backspace the old text
    await s.type('api')
    await s.type(ENTER)
    text = s.text()
    expect(text).toContain('/api/users')
    expect(text).not.toContain('/missing')

    await s.type('/')
    await s.type(ESC)
    text = s.text()
    expect(text).toContain('/api/users')
    expect(text).toContain('/missing')
    expect(text).toContain('/boom')

    await s.type('/')
    await s.type('404')
    await s.type(ENTER)
    expect(s.text()).toContain('/missing')
    expect(s.text()).not.toContain('/boom')
    // keys typed into the filter are not commands
    expect(s.onQuit).not.toHaveBeenCalled()
  })

  it('p pauses the log while statistics keep counting; p resumes', async () => {
    const s = setup()
    s.store.onRequest(request({path: '/before'}))
    s.refresh()
    await s.type('p')
    for (let i = 0; i < 3; i++) s.store.onRequest(request({path: `/during${i}`, routeId: 0}))
    s.refresh()
    let text = s.text()
    expect(text).toContain('/before')
    expect(text).not.toContain('/during')
    expect(text).toContain('PAUSED (+3 new')
    expect(text).toMatch(/blue\.example\.com\/ Prefix → .*4\.0\/s/) // the route saw all four
    await s.type('p')
    text = s.text()
    expect(text).toContain('/during2')
    expect(text).not.toContain('PAUSED')
  })

  it('c clears the log', async () => {
    const s = setup()
    s.store.onRequest(request({path: '/old'}))
    s.refresh()
    await s.type('c')
    expect(s.onClear).toHaveBeenCalledTimes(1)
    s.refresh()
    expect(s.text()).not.toContain('/old')
    expect(s.text()).toContain('no requests yet')
  })
})

describe('request details', () => {
  it('arrow keys pick a request, Enter shows it with "not captured" fields, Esc goes back', async () => {
    const s = setup()
    s.store.onRequest(request({path: '/first', requestId: 'id-first'}))
    s.store.onRequest(request({path: '/second', requestId: 'id-second', status: 503, upstream: null, error: 'no endpoint ready'}))
    s.refresh()
    await s.type(DOWN) // selects the newest
    expect(plain(lineWith(s.frame(), '/second'))).toMatch(/^›/)
    await s.type(DOWN)
    expect(plain(lineWith(s.frame(), '/first'))).toMatch(/^›/)
    await s.type(UP)
    await s.type(ENTER)
    const text = s.text()
    expect(text).toContain('Request details')
    expect(text).toContain('GET http://blue.example.com/second')
    expect(text).toContain('id id-second')
    expect(text).toContain('kingress answered: no endpoint ready')
    expect(text).toContain('matched   not captured')
    expect(text).toContain('upstream  not captured')
    expect(text).toContain('Request headers: not captured')
    expect(text).toContain('Response headers: not captured')
    await s.type(ESC)
    expect(s.text()).toContain('Traffic')
    expect(s.text()).not.toContain('Request details')
  })

  it('shows headers, the matched rule and upstream timing when the proxy captured them', async () => {
    const s = setup()
    s.store.onRequest(
      request({
        path: '/api',
        detail: {
          requestHeaders: [
            ['Host', 'blue.example.com'],
            ['User-Agent', 'curl/8'],
          ],
          responseHeaders: {'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2']},
          matched: 'demo/blue (ingress.yaml:9) host blue.example.com exact, Prefix /: longest matching prefix',
          upstreamConnectMs: 0.4,
          upstreamFirstByteMs: 3.2,
        },
      }),
    )
    s.refresh()
    await s.type(DOWN)
    await s.type(ENTER)
    const text = s.text()
    expect(text).toContain('route     #0 blue.example.com/ (Prefix) → webserver-blue-svc:80')
    expect(text).toContain('matched   demo/blue (ingress.yaml:9) host blue.example.com exact')
    expect(text).toContain('upstream  connect 0.40ms, first byte 3.2ms')
    expect(text).toContain('Request headers (2):')
    expect(text).toContain('  User-Agent: curl/8')
    expect(text).toContain('  set-cookie: b=2')
  })

  it('handles several keys arriving in one chunk (paste, tmux send-keys)', async () => {
    const s = setup()
    s.store.onRequest(request({path: '/older'}))
    s.store.onRequest(request({path: '/newer'}))
    s.refresh()
    await s.type(`${DOWN}${DOWN}${ENTER}`)
    expect(s.text()).toContain('GET http://blue.example.com/older')
  })

  it('keeps the selected request across new arrivals', async () => {
    const s = setup()
    s.store.onRequest(request({path: '/picked'}))
    s.refresh()
    await s.type(DOWN)
    for (let i = 0; i < 3; i++) s.store.onRequest(request({path: `/new${i}`}))
    s.refresh()
    expect(plain(lineWith(s.frame(), '/picked'))).toMatch(/^›/)
    await s.type(ENTER)
    expect(s.text()).toContain('GET http://blue.example.com/picked')
  })
})

describe('keys and size', () => {
  it('q and Ctrl-C call onQuit', async () => {
    const s = setup()
    await s.type('q')
    expect(s.onQuit).toHaveBeenCalledTimes(1)
    await s.type('\u0003')
    expect(s.onQuit).toHaveBeenCalledTimes(2)
  })

  it('fits 80×24: at most 23 lines, none wider than 80 columns', () => {
    const s = setup({columns: 80, rows: 24})
    for (let i = 0; i < 40; i++) s.store.onRequest(request({host: 'a-very-long-host-name.with.many.labels.example.com', path: `/a/very/long/path/${'x'.repeat(80)}/${i}?q=${i}`, requestId: `${i}-0d7c8a52-8c3b-4a4e-9d57-3e1f0f7e5b11`}))
    s.refresh()
    const lines = s.text().split('\n')
    expect(lines.length).toBeLessThanOrEqual(23)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80)
    expect(s.text()).toContain('…')
  })

  it('follows terminal resizes', async () => {
    const s = setup({})
    // no columns/rows override: the App reads stdout
    s.ui.rerender(<App snapshot={s.store.snapshot()} onQuit={s.onQuit} onClear={s.onClear} />)
    Object.defineProperty(s.ui.stdout, 'columns', {value: 60, configurable: true})
    Object.defineProperty(s.ui.stdout, 'rows', {value: 20, configurable: true})
    s.ui.stdout.emit('resize')
    await tick()
    const lines = plain(s.ui.lastFrame()).split('\n')
    expect(lines.length).toBeLessThanOrEqual(19)
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(60)
  })
})
