/**
 * A small unified diff (the `diff -u` format) for `--dry-run`. Pure.
 *
 * Hosts files can be long (ad-block lists run to 100k lines) but kingress changes one contiguous
 * block, so the common prefix and suffix are cut first and the LCS runs only on what is left.
 */

export interface DiffOptions {
  readonly fromLabel: string
  readonly toLabel: string
  /** Lines of context around each change. */
  readonly context?: number
}

type Op = {readonly kind: ' ' | '-' | '+'; readonly token: string}

/** The largest middle part (old lines × new lines) diffed line by line; beyond it, one replace. */
const MAX_CELLS = 4_000_000

/** Lines with their own line ending: a last line without one differs from the same text with one. */
function tokens(text: string): string[] {
  const out: string[] = []
  let start = 0
  while (start < text.length) {
    const nl = text.indexOf('\n', start)
    const end = nl === -1 ? text.length : nl + 1
    out.push(text.slice(start, end))
    start = end
  }
  return out
}

/** '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, options: DiffOptions): string {
  if (oldText === newText) return ''
  const a = tokens(oldText)
  const b = tokens(newText)
  const ops = diffOps(a, b)
  const context = options.context ?? 3
  const out = [`--- ${options.fromLabel}`, `+++ ${options.toLabel}`]
  for (const hunk of hunks(ops, context)) out.push(...hunk)
  return out.join('\n') + '\n'
}

function diffOps(a: readonly string[], b: readonly string[]): Op[] {
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++
  let suffix = 0
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++
  const midA = a.slice(prefix, a.length - suffix)
  const midB = b.slice(prefix, b.length - suffix)
  const ops: Op[] = a.slice(0, prefix).map((token) => ({kind: ' ', token}))
  ops.push(...lcsOps(midA, midB))
  ops.push(...a.slice(a.length - suffix).map((token): Op => ({kind: ' ', token})))
  return ops
}

function lcsOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0 || n * m > MAX_CELLS) {
    return [...a.map((token): Op => ({kind: '-', token})), ...b.map((token): Op => ({kind: '+', token}))]
  }
  // lengths[i][j] = LCS length of a[i..] and b[j..]
  const width = m + 1
  const lengths = new Uint32Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j] ? lengths[(i + 1) * width + j + 1]! + 1 : Math.max(lengths[(i + 1) * width + j]!, lengths[i * width + j + 1]!)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({kind: ' ', token: a[i]!})
      i++
      j++
    } else if (lengths[(i + 1) * width + j]! >= lengths[i * width + j + 1]!) {
      ops.push({kind: '-', token: a[i++]!})
    } else {
      ops.push({kind: '+', token: b[j++]!})
    }
  }
  while (i < n) ops.push({kind: '-', token: a[i++]!})
  while (j < m) ops.push({kind: '+', token: b[j++]!})
  return ops
}

function* hunks(ops: readonly Op[], context: number): Generator<string[]> {
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index !== -1)
  let k = 0
  while (k < changed.length) {
    const first = changed[k]!
    let last = first
    while (k + 1 < changed.length && changed[k + 1]! - last <= 2 * context + 1) last = changed[++k]!
    k++
    const from = Math.max(0, first - context)
    const to = Math.min(ops.length, last + context + 1)
    // Line numbers (1-based) where the hunk starts in each file.
    let oldLine = 1
    let newLine = 1
    for (const op of ops.slice(0, from)) {
      if (op.kind !== '+') oldLine++
      if (op.kind !== '-') newLine++
    }
    const body: string[] = []
    let oldCount = 0
    let newCount = 0
    for (const op of ops.slice(from, to)) {
      if (op.kind !== '+') oldCount++
      if (op.kind !== '-') newCount++
      body.push(op.kind + display(op.token))
      if (!op.token.endsWith('\n')) body.push('\\ No newline at end of file')
    }
    yield [`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@`, ...body]
  }
}

function range(start: number, count: number): string {
  if (count === 1) return String(start)
  return `${count === 0 ? start - 1 : start},${count}`
}

/** Without the "\n"; a "\r" stays, as in `diff -u`, so the output still applies with `patch`. */
function display(token: string): string {
  return token.endsWith('\n') ? token.slice(0, -1) : token
}
