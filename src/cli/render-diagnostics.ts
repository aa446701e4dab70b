import chalk from 'chalk'

import {formatDiagnostic, type Diagnostic} from '../manifests/diagnostic.js'

const COLOR = {error: chalk.red, warning: chalk.yellow, note: chalk.dim}

/** One line per finding (continuation lines indented), coloured by severity when the stream is a TTY. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => COLOR[d.severity](formatDiagnostic(d).replaceAll('\n', '\n    '))).join('\n')
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): Record<Diagnostic['severity'], number> {
  const counts = {error: 0, warning: 0, note: 0}
  for (const d of diagnostics) counts[d.severity]++
  return counts
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`
}
