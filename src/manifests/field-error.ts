import type {Diagnostic} from './diagnostic.js'
import type {PositionIndex} from './position.js'

/**
 * Builders for the API server's field errors, worded as apimachinery's `field.Error` prints them:
 * `<field>: <Type>: <value>: <detail>`, strings quoted, numbers bare.
 */
export class FieldErrors {
  readonly diagnostics: Diagnostic[] = []
  /** Fields already reported as malformed (wrong type, unknown): later checks on or around them stay quiet. */
  private readonly malformed: string[] = []

  constructor(private readonly positions: PositionIndex) {}

  get count(): number {
    return this.diagnostics.filter((d) => d.severity === 'error').length
  }

  /** `positionPath` points at a node other than `field` (the API server's path is not always the YAML path). */
  invalid(field: string, value: unknown, detail: string, positionPath = field): void {
    this.push(field, `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ''}`, positionPath)
  }

  /** Invalid with a value already rendered (the API server prints some values in Go syntax). */
  invalidRendered(field: string, rendered: string, detail: string): void {
    this.push(field, `Invalid value: ${rendered}: ${detail}`)
  }

  required(field: string, detail = ''): void {
    this.push(field, `Required value${detail ? `: ${detail}` : ''}`)
  }

  notSupported(field: string, value: unknown, supported: readonly string[]): void {
    const list = supported.map((s) => JSON.stringify(s)).join(', ')
    this.push(field, `Unsupported value: ${formatValue(value)}: supported values: ${list}`)
  }

  duplicate(field: string, value: unknown): void {
    this.push(field, `Duplicate value: ${formatValue(value)}`)
  }

  forbidden(field: string, detail: string): void {
    this.push(field, `Forbidden: ${detail}`)
  }

  tooLong(field: string, max: number): void {
    this.push(field, `Too long: may not be more than ${max} bytes`)
  }

  tooMany(field: string, count: number, max: number): void {
    this.push(field, `Too many: ${count}: must have at most ${max} items`)
  }

  /** Not an API-server error: kingress's own reading (unknown field, wrong type, legacy shape). */
  custom(field: string, message: string, severity: Diagnostic['severity'] = 'error'): void {
    this.diagnostics.push({severity, at: this.positions.at(field), field: field || undefined, message})
  }

  /** A shape error (wrong type, unknown field): reported, and it silences value checks on related fields. */
  malformedField(field: string, message: string, alsoSilence: readonly string[] = []): void {
    this.malformed.push(field, ...alsoSilence)
    this.custom(field, message)
  }

  warn(field: string, message: string): void {
    this.custom(field, message, 'warning')
  }

  private push(field: string, message: string, positionPath = field): void {
    if (this.malformed.some((m) => related(m, field))) return
    this.diagnostics.push({severity: 'error', at: this.positions.at(positionPath), field, message})
  }
}

export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (value === null || value === undefined) return 'null'
  return JSON.stringify(value)
}

function related(a: string, b: string): boolean {
  return a === b || isAncestor(a, b) || isAncestor(b, a)
}

function isAncestor(ancestor: string, path: string): boolean {
  return path.startsWith(ancestor) && (path[ancestor.length] === '.' || path[ancestor.length] === '[')
}
