/** Where a node of a manifest sits: 1-based line and column, as editors and compilers print them. */
export interface Position {
  readonly file: string
  readonly line: number
  readonly col: number
}

export function formatPosition(at: Position): string {
  return `${at.file}:${at.line}:${at.col}`
}

/**
 * Field paths in the API server's notation (`spec.rules[0].http.paths[1].pathType`) mapped to the
 * position of the key (or list item) in the source. Asking for a path that is absent (a missing
 * required field) answers the nearest ancestor that exists, which is where the user has to add it.
 */
export class PositionIndex {
  private readonly byPath: Map<string, Position>

  constructor(
    readonly root: Position,
    byPath: Map<string, Position>,
  ) {
    this.byPath = byPath
  }

  at(fieldPath: string): Position {
    let path = fieldPath
    for (;;) {
      const hit = this.byPath.get(path)
      if (hit) return hit
      const parent = parentPath(path)
      if (parent === null) return this.root
      path = parent
    }
  }

  /** A view whose paths are relative to `prefix` (the items of a `kind: List`). */
  scoped(prefix: string): PositionIndex {
    const scoped = new Map<string, Position>()
    for (const [path, at] of this.byPath) {
      if (path === prefix) continue
      if (path.startsWith(prefix + '.')) scoped.set(path.slice(prefix.length + 1), at)
    }
    return new PositionIndex(this.byPath.get(prefix) ?? this.root, scoped)
  }
}

function parentPath(path: string): string | null {
  if (path === '') return null
  const cut = path.endsWith(']') ? path.lastIndexOf('[') : path.lastIndexOf('.')
  if (cut <= 0) return ''
  return path.slice(0, cut)
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/

/** `spec` + `rules` → `spec.rules`; numbers and keys with dots (annotation keys) go in brackets. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number' || !PLAIN_KEY.test(key)) return `${parent}[${key}]`
  return parent === '' ? key : `${parent}.${key}`
}
