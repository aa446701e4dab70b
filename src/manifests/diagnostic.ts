import {formatPosition, type Position} from './position.js'

export type Severity = 'error' | 'warning' | 'note'

/** One finding about the manifests, printed as `file:line:col: field.path: message`. */
export interface Diagnostic {
  readonly severity: Severity
  readonly at: Position
  /** The API server's field path, when the finding is about one field. */
  readonly field?: string
  readonly message: string
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = formatPosition(d.at)
  const label = d.severity === 'error' ? '' : `${d.severity}: `
  return d.field ? `${where}: ${label}${d.field}: ${d.message}` : `${where}: ${label}${d.message}`
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error')
}
