import {formatDiagnostic} from '../manifests/diagnostic.js'
import type {EndpointEvent, EventBus, ReloadEvent, RequestEvent} from './events.js'

export type LogFormat = 'text' | 'json'

const FLUSH_BYTES = 64 * 1024

/**
 * The plain log: one line per request (text or JSON), plus reloads and endpoint changes. Request
 * lines are buffered and written once per event-loop turn (or when 64 KiB pile up), never one
 * synchronous write per request.
 */
export class AccessLog {
  private buffer: string[] = []
  private size = 0
  private scheduled = false
  private readonly off: (() => void)[]

  constructor(
    bus: EventBus,
    private readonly out: NodeJS.WritableStream,
    format: LogFormat,
  ) {
    this.off = [
      bus.on('request', (e) => this.push(format === 'json' ? JSON.stringify({type: 'request', ...e, time: isoTime(e.time), durationMs: round(e.durationMs)}) : requestLine(e))),
      bus.on('reload', (e) => (e.initial ? undefined : this.push(format === 'json' ? JSON.stringify(reloadJson(e)) : reloadText(e)))),
      bus.on('endpoint', (e) => this.push(format === 'json' ? JSON.stringify({type: 'endpoint', ...e}) : endpointText(e))),
      bus.on('error', (e) => this.push(format === 'json' ? JSON.stringify({type: 'error', where: e.where, message: e.message}) : `error ${e.where}: ${e.message}`)),
    ]
  }

  /** Writes a line now (after whatever is buffered): `ready ...`, notices. */
  line(text: string): void {
    this.push(text)
    this.flush()
  }

  private push(line: string): void {
    this.buffer.push(line)
    this.size += line.length + 1
    if (this.size >= FLUSH_BYTES) this.flush()
    else if (!this.scheduled) {
      this.scheduled = true
      setImmediate(flushLater, this)
    }
  }

  flush(): void {
    this.scheduled = false
    if (this.buffer.length === 0) return
    const text = this.buffer.join('\n') + '\n'
    this.buffer = []
    this.size = 0
    this.out.write(text)
  }

  close(): void {
    for (const off of this.off) off()
    this.flush()
  }
}

function flushLater(log: AccessLog): void {
  log.flush()
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}

// Under load many requests of one millisecond are logged together: one toISOString for them.
let isoMs = -1
let isoText = ''
function isoTime(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms
    isoText = new Date(ms).toISOString()
  }
  return isoText
}

/** `2026-05-01T10:00:00.000Z 200 GET blue.example.com/ 612B 1.3ms → 127.0.0.1:3000 (webserver-blue-svc:80) id=…` */
export function requestLine(e: RequestEvent): string {
  const upstream = e.upstream === null ? '-' : e.upstream
  const service = e.service === null ? '' : ` (${e.service})`
  const error = e.error === null ? '' : ` "${e.error}"`
  const route = e.httpRoute === undefined ? '' : ` via ${e.httpRoute}`
  return `${isoTime(e.time)} ${e.status} ${e.method} ${e.host}${e.path} ${e.bytes}B ${e.durationMs.toFixed(1)}ms → ${upstream}${service}${route} id=${e.requestId}${e.upgrade ? ' upgrade' : ''}${error}`
}

function reloadText(e: ReloadEvent): string {
  const findings = e.diagnostics.map((d) => '\n  ' + formatDiagnostic(d)).join('')
  return `reload ${e.ok ? 'ok' : 'failed'} (${e.reason}): ${e.message}${findings}`
}

function reloadJson(e: ReloadEvent): object {
  return {type: 'reload', ok: e.ok, reason: e.reason, generation: e.generation, message: e.message, hosts: e.hosts, routes: e.routes, diagnostics: e.diagnostics.map(formatDiagnostic)}
}

function endpointText(e: EndpointEvent): string {
  return `endpoint ${e.kind} ${e.endpoint} (${e.service})${e.reason ? `: ${e.reason}` : ''}`
}
