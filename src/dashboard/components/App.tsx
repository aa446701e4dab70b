import {Box, useInput, useStdin, type Key} from 'ink'
import {useRef, useState} from 'react'
import {detailLines} from '../details.js'
import {useTerminalSize} from '../hooks/use-terminal-size.js'
import {INITIAL_UI, reduceInput, visibleEntries, type UiState} from '../keys.js'
import {headerLines, logColumns, sectionLayout} from '../layout.js'
import type {DashboardSnapshot} from '../store.js'
import {Footer} from './Footer.js'
import {Header} from './Header.js'
import {RequestDetails} from './RequestDetails.js'
import {RouteList} from './RouteList.js'
import {TrafficLog} from './TrafficLog.js'

export interface AppProps {
  /** What to show; a new snapshot arrives at most ~10 times a second. */
  readonly snapshot: DashboardSnapshot
  /** `q` or Ctrl-C. */
  readonly onQuit: () => void
  /** `c`: empty the request log. */
  readonly onClear: () => void
  /** Override the terminal size (tests). */
  readonly columns?: number
  readonly rows?: number
}

/** The dashboard: header, routes, traffic log or request details, key help. Keeps only UI state. */
export function App({snapshot, onQuit, onClear, columns, rows}: AppProps) {
  const size = useTerminalSize()
  const {isRawModeSupported} = useStdin()
  // The ref is the truth (keys in one chunk see each other's effect); the state re-renders.
  const ui = useRef<UiState>(INITIAL_UI)
  const [state, setState] = useState<UiState>(INITIAL_UI)

  const header = headerLines(snapshot.lastReload !== null && !snapshot.lastReload.ok, snapshot.message !== null)
  const layout = sectionLayout(columns ?? size.columns, rows ?? size.rows, snapshot.routes.length, snapshot.unrouted.count > 0 ? 1 : 0, header)
  const width = layout.width

  const handleInput = (input: string, key: Key): void => {
    const {state: next, effects} = reduceInput(ui.current, input, key, {entries: snapshot.entries, total: snapshot.total, page: layout.logLines})
    if (next !== ui.current) {
      ui.current = next
      setState(next)
    }
    for (const effect of effects) {
      if (effect === 'quit') onQuit()
      else if (effect === 'clear') onClear()
    }
  }
  useInput(handleInput, {isActive: isRawModeSupported === true})

  const entries = visibleEntries(state, snapshot)
  const selection = state.selectedSeq !== null && entries.some((e) => e.seq === state.selectedSeq) ? state.selectedSeq : null
  const pausedNew = state.paused ? Math.max(0, snapshot.total - state.paused.total) : null
  const bodyHeight = layout.height - header - 1
  const detail = state.detail
  return (
    <Box flexDirection="column" width={width} height={layout.height} overflow="hidden">
      <Header width={width} status={snapshot.status} urls={snapshot.urls} lastReload={snapshot.lastReload} message={snapshot.message} />
      {detail !== null ? (
        <RequestDetails lines={detailLines(detail, snapshot.routes.find((r) => r.routeId === detail.event.routeId))} width={width} height={bodyHeight} />
      ) : (
        <>
          <RouteList
            routes={snapshot.routes}
            unrouted={snapshot.unrouted}
            now={snapshot.now}
            width={width}
            lines={layout.routeLines}
            linesPerRoute={layout.linesPerRoute}
            routesShown={layout.routesShown}
          />
          <TrafficLog
            entries={entries}
            width={width}
            lines={layout.logLines}
            columns={logColumns(width)}
            selectedSeq={selection}
            total={snapshot.total}
            kept={state.paused ? state.paused.entries.length : snapshot.entries.length}
            pausedNew={pausedNew}
            filter={state.filter}
          />
        </>
      )}
      <Footer mode={detail !== null ? 'detail' : 'list'} editing={state.editing} paused={state.paused !== null} />
    </Box>
  )
}
