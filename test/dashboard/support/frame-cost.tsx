/**
 * How long one dashboard frame takes (snapshot + React render + layout + output), with a full log:
 *
 *   node --import tsx test/dashboard/support/frame-cost.tsx [frames]
 *
 * The figure to watch: ms per frame × 10 frames/s = the share of one core the dashboard takes
 * under sustained traffic (it draws nothing while idle, apart from one frame a second).
 */
import {EventEmitter} from 'node:events'
import {render} from 'ink'
import {App} from '../../../src/dashboard/components/App.js'
import {DashboardStore} from '../../../src/dashboard/store.js'
import {ROWS, request} from '../helpers.js'

class Sink extends EventEmitter {
  isTTY = true
  columns = Number(process.env.COLUMNS ?? 120)
  rows = Number(process.env.LINES ?? 40)
  bytes = 0
  write = (chunk: string): boolean => {
    this.bytes += chunk.length
    return true
  }
}

const frames = Number(process.argv[2] ?? 200)
const store = new DashboardStore()
store.setRoutes(ROWS)
const stdout = new Sink()
const element = () => <App snapshot={store.snapshot()} onQuit={() => {}} onClear={() => {}} />
const instance = render(element(), {stdout: stdout as unknown as NodeJS.WriteStream, patchConsole: false, maxFps: 1000})
let n = 0
for (let f = 0; f < 50; f++) {
  for (let i = 0; i < 100; i++) store.onRequest(request({path: `/warm/${n++}`, routeId: i % 2, upstream: i % 3 ? '127.0.0.1:8081' : '127.0.0.1:8082'}))
  instance.rerender(element())
}
const started = performance.now()
for (let f = 0; f < frames; f++) {
  for (let i = 0; i < 100; i++) store.onRequest(request({path: `/p/${n++}`, routeId: i % 2, upstream: i % 3 ? '127.0.0.1:8081' : '127.0.0.1:8082'}))
  instance.rerender(element())
  await new Promise((resolve) => setImmediate(resolve))
}
const ms = (performance.now() - started) / frames
instance.unmount()
console.log(`${ms.toFixed(2)} ms per frame at ${stdout.columns}×${stdout.rows} (${ms.toFixed(1)}% of a core at 10 frames/s; the 5% budget spaces them ${Math.max(100, ms / 0.05).toFixed(0)} ms apart), ${Math.round(stdout.bytes / frames)} bytes written per frame`)
process.exit(0)
