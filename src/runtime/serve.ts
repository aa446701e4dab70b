import {Flags} from '@oclif/core'

import {renderDiagnostics} from '../cli/render-diagnostics.js'
import type {LogFormat} from './access-log.js'
import type {PortChoice, Session} from './session.js'
import {untilStopSignal} from './signals.js'

/** Flags `up` and `demo` share: where to listen and how to log. */
export const listenFlags = {
  'http-port': Flags.integer({description: 'HTTP port (default 80; falls back to 8080 when 80 cannot be bound and the flag is not given)', min: 0, max: 65535, helpValue: 'N'}),
  'https-port': Flags.integer({description: 'HTTPS port (default 443, fallback 8443); served once local TLS is set up', min: 0, max: 65535, helpValue: 'N'}),
  bind: Flags.string({description: 'address to listen on', default: '127.0.0.1', helpValue: 'ADDR'}),
  dashboard: Flags.boolean({description: 'show the live dashboard (off with --no-dashboard, and whenever stdout is not a terminal)', allowNo: true, default: true}),
  'log-format': Flags.string({description: 'access log format', options: ['text', 'json'], default: 'text'}),
}

export function portChoice(flag: number | undefined, defaultPort: number, fallbackPort: number): PortChoice {
  return flag === undefined ? {port: defaultPort, explicit: false, fallbackPort} : {port: flag, explicit: true, fallbackPort}
}

export function logFormat(value: string): LogFormat {
  return value === 'json' ? 'json' : 'text'
}

/**
 * Prints what a started session needs said (warnings, port fallbacks on stderr; the `ready` line on
 * stdout), waits for SIGINT/SIGTERM, drains and closes. The dashboard will replace the plain log
 * when stdout is a TTY; until then the plain log is printed either way.
 */
export async function serveUntilStopped(session: Session, extraLines: readonly string[] = []): Promise<void> {
  const warnings = session.diagnostics.filter((d) => d.severity !== 'note')
  if (warnings.length > 0) process.stderr.write(renderDiagnostics(warnings) + '\n')
  for (const fallback of session.fallbacks) process.stderr.write(`kingress: ${fallback.notice}\n`)
  for (const backend of session.runtime.current.backends.all) {
    if (backend.problem !== null) process.stderr.write(`kingress: ${backend.label}: ${backend.problem}\n`)
  }
  const ready = [session.readyLine(), ...extraLines].join('\n')
  if (session.log) session.log.line(ready)
  else process.stdout.write(ready + '\n')
  const signal = await untilStopSignal()
  process.stderr.write(`kingress: ${signal}: draining in-flight requests and stopping\n`)
  await session.close(signal)
  // Anything still holding the loop (a stuck client socket) must not keep kingress alive.
  setTimeout(() => process.exit(0), 1000).unref()
}
