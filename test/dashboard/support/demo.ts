/**
 * Runs the real dashboard (startDashboard: ink, raw mode, alternate screen) on a synthetic event bus,
 * for the tmux test and for trying the dashboard by hand:
 *
 *   node --import tsx test/dashboard/support/demo.ts [requestsPerSecond]
 *
 * Prints `demo exited cleanly` after stop() so a test can tell the terminal was handed back.
 */
import {EventBus} from '../../../src/runtime/events.js'
import {shouldUseDashboard, startDashboard} from '../../../src/dashboard/index.js'
import type {DashboardStatus, RouteRow} from '../../../src/dashboard/types.js'
import {ROWS} from '../helpers.js'

const rate = Number(process.argv[2] ?? '20')
const bus = new EventBus()
const rows: RouteRow[] = ROWS
const status: DashboardStatus = {manifests: ['fixtures/demo.yaml'], urls: ['http://127.0.0.1:8080'], hosts: 'not managed (use --hosts)', ca: 'not installed', docker: 'off (--no-docker)'}

if (!shouldUseDashboard({isTTY: process.stdout.isTTY, noDashboardFlag: false, env: process.env})) {
  console.log('not a TTY (or CI): no dashboard')
  process.exit(0)
}

let seq = 0
let timer: NodeJS.Timeout | undefined
const dashboard = await startDashboard({
  bus,
  routes: () => rows,
  status: () => status,
  onQuit: () => {
    if (timer) clearInterval(timer)
    void dashboard.stop().then(() => {
      console.log('demo exited cleanly')
      process.exit(0)
    })
  },
})
bus.emit('reload', {ok: true, initial: true, reason: 'initial', generation: 1, hosts: ['blue.example.com', 'green.example.com'], routes: 2, diagnostics: [], message: 'loaded'})
if (rate > 0) {
  timer = setInterval(() => {
    seq++
    const blue = seq % 5 !== 0
    bus.emit('request', {
      time: Date.now(),
      requestId: `demo-${seq}`,
      method: seq % 7 === 0 ? 'POST' : 'GET',
      host: blue ? 'blue.example.com' : 'nowhere.test',
      path: blue ? `/demo/path/${seq}` : '/missing',
      scheme: 'http',
      status: blue ? (seq % 11 === 0 ? 502 : 200) : 404,
      bytes: 100 + seq,
      durationMs: 1 + (seq % 13),
      upstream: blue ? (seq % 2 ? '127.0.0.1:8081' : '127.0.0.1:8082') : null,
      routeId: blue ? 0 : null,
      service: blue ? 'webserver-blue-svc:80' : null,
      error: null,
      upgrade: false,
    })
  }, 1000 / rate)
}
