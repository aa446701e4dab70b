import {writeSync} from 'node:fs'
import {render} from 'ink'
import type {ReactElement} from 'react'
import {App} from './components/App.js'
import type {DashboardHandle, DashboardOptions} from './index.js'
import {DashboardStore, type DashboardSnapshot} from './store.js'
import {HIGHLIGHT_MS} from './components/RouteList.js'

/** Frames are drawn at most this often (further apart when a frame is costly, see cpuBudget), only when something changed, or once a second while traffic is on screen. */
export const FRAME_MS = 100
const IDLE_FRAME_MS = 1000
/** Share of one core the drawing may take under sustained traffic. */
export const DEFAULT_CPU_BUDGET = 0.02

/** Anything on screen that changes with time alone: last-minute rates, a lit route. */
function isLive(snapshot: DashboardSnapshot): boolean {
  if (snapshot.unrouted.count > 0) return true
  for (const route of snapshot.routes) if (route.count > 0 || snapshot.now - route.lastServedAt < HIGHLIGHT_MS) return true
  return false
}

const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H'
const LEAVE_ALT_SCREEN = '\u001B[?1049l'
const SHOW_CURSOR = '\u001B[?25h'

/** Loaded lazily by index.ts: this module pulls in ink and React. */
export function mount(options: DashboardOptions): DashboardHandle {
  const stdout = options.stdout ?? process.stdout
  const stdin = options.stdin ?? process.stdin
  const alternateScreen = options.alternateScreen ?? true
  const store = options.store ?? new DashboardStore({capacity: options.capacity})
  const detach = store.attach(options.bus)
  if (options.initialReload) store.onReload(options.initialReload)
  // Re-read routes() after every reload and endpoint change, on the next frame (never inside the emit).
  let routesDirty = true
  const offReload = options.bus.on('reload', () => {
    routesDirty = true
  })
  const offEndpoint = options.bus.on('endpoint', (event) => {
    if (event.kind === 'added' || event.kind === 'removed') routesDirty = true
  })

  let quitting = false
  const onQuit = (): void => {
    if (quitting) return
    quitting = true
    options.onQuit()
  }
  const onClear = (): void => store.clear()

  const refresh = (): void => {
    if (routesDirty) {
      routesDirty = false
      store.setRoutes(options.routes())
    }
    store.setStatus(options.status())
  }

  let restored = false
  const restoreTerminal = (): void => {
    if (restored) return
    restored = true
    const sequence = `${SHOW_CURSOR}${alternateScreen ? LEAVE_ALT_SCREEN : ''}`
    // Synchronous, so it also works from a process 'exit' handler.
    const fd = (stdout as {fd?: unknown}).fd
    if (typeof fd === 'number') {
      try {
        writeSync(fd, sequence)
        return
      } catch {
        // fall through to the stream
      }
    }
    stdout.write(sequence)
  }
  const onExit = (): void => {
    restoreTerminal()
    releaseStderr()
    const lines = store.takeMessages().map((m) => `${m.text}\n`).join('')
    if (lines !== '') {
      try {
        writeSync(2, lines)
      } catch {
        // nowhere left to say it
      }
    }
  }
  process.once('exit', onExit)

  const releaseStderr = options.captureStderr === false ? () => {} : captureStderr(store)
  if (alternateScreen) stdout.write(ENTER_ALT_SCREEN)
  refresh()
  const element = (snapshot: DashboardSnapshot): ReactElement => <App snapshot={snapshot} onQuit={onQuit} onClear={onClear} />
  const first = store.snapshot()
  const instance = render(element(first), {stdout, stdin, exitOnCtrlC: false, patchConsole: options.patchConsole ?? true, maxFps: 1000 / FRAME_MS})
  const exited = instance.waitUntilExit().catch(() => undefined)

  // Pacing: a frame costs milliseconds of the proxy's own thread (ink measures every character), so
  // frames are spaced to keep drawing under `cpuBudget` of a core: ≤ 10/s when cheap, fewer when not.
  const budget = Math.min(1, Math.max(0.005, options.cpuBudget ?? DEFAULT_CPU_BUDGET))
  let costMs = 0
  let renderedVersion = store.version
  let renderedAt = Date.now()
  let nextAt = 0
  let live = isLive(first)
  let stopped = false
  const draw = (): void => {
    if (stopped) return
    const started = performance.now()
    refresh()
    renderedVersion = store.version
    const snapshot = store.snapshot()
    live = isLive(snapshot)
    instance.rerender(element(snapshot))
    const cost = performance.now() - started
    costMs = costMs === 0 ? cost : costMs * 0.7 + cost * 0.3
    renderedAt = Date.now()
    nextAt = renderedAt + Math.max(FRAME_MS, costMs / budget)
  }
  const timer = setInterval(() => {
    const now = Date.now()
    if (now < nextAt - FRAME_MS / 2) return
    // Redraw on change; while traffic is on screen, also once a second (rates decay, highlights end).
    if (routesDirty || store.version !== renderedVersion || (live && now - renderedAt >= IDLE_FRAME_MS)) draw()
  }, FRAME_MS)
  timer.unref()

  return {
    store,
    update(): void {
      routesDirty = true
      draw()
    },
    async stop(): Promise<void> {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      detach()
      offReload()
      offEndpoint()
      instance.unmount()
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 500).unref())])
      restoreTerminal()
      process.off('exit', onExit)
      releaseStderr()
      for (const message of store.takeMessages()) process.stderr.write(`${message.text}\n`)
    },
  }
}

/** Routes process.stderr writes into the store until the returned function is called. */
function captureStderr(store: DashboardStore): () => void {
  const stderr = process.stderr
  const original = stderr.write
  let partial = ''
  const write = function (this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk)
    const lines = (partial + text).split('\n')
    partial = lines.pop() ?? ''
    // eslint-disable-next-line no-control-regex
    for (const line of lines) store.addMessage(line.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, ''))
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)())
    return true
  }
  stderr.write = write as typeof stderr.write
  return () => {
    if (stderr.write === (write as typeof stderr.write)) stderr.write = original
    if (partial !== '') store.addMessage(partial)
    partial = ''
  }
}
