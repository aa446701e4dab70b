import {isIP} from 'node:net'

import {HostsFormatError} from './errors.js'

/**
 * The kingress block in a hosts file, as pure text operations.
 *
 * Invariant: everything outside `# BEGIN kingress` … `# END kingress` is never touched, byte for
 * byte. Text is handled as latin1 (one char per byte, see hosts-file.ts), so any encoding
 * round-trips. The one byte kingress ever adds outside the block is a line ending after a last
 * line that had none; the block's meta line records it (`eof=added`) so removing the block takes
 * it away again.
 */

export const BEGIN_MARKER = '# BEGIN kingress'
export const END_MARKER = '# END kingress'
const META_PREFIX = '# kingress-meta:'

export type Eol = '\n' | '\r\n'
/** `static`: written by `kingress hosts sync`, stays. `session`: written by `kingress up --hosts`, removed when it exits. */
export type BlockOwner = 'session' | 'static'

export interface BlockMeta {
  readonly owner: BlockOwner
  /** The process that wrote the block. For a session block, a dead pid means the block is stale. */
  readonly pid: number | null
  /** When the block was written (ISO 8601). A session block older than the last boot is stale. */
  readonly since: string | null
  /** kingress added a line ending after the file's last line, which had none: removal takes it back. */
  readonly addedEofNewline: boolean
}

export interface HostEntry {
  readonly ip: string
  readonly host: string
}

export interface ParsedBlock {
  /** Offset of the first character of the BEGIN line. */
  readonly start: number
  /** Offset just past the END line and its line ending (or the end of the text). */
  readonly end: number
  /** 1-based line numbers of the BEGIN and END lines. */
  readonly startLine: number
  readonly endLine: number
  readonly endHasEol: boolean
  /** null when the meta line is missing or unreadable (e.g. a hand-written block): treated as static. */
  readonly meta: BlockMeta | null
  readonly entries: readonly HostEntry[]
  readonly text: string
}

/** An address line outside the kingress block: `ip name [name...]`. */
export interface UserMapping {
  readonly ip: string
  /** Lower-cased. */
  readonly names: readonly string[]
  readonly line: number
}

export interface ParsedHostsText {
  readonly text: string
  /** The line ending for the block: the existing block's own, else the file's first, else the platform's. */
  readonly eol: Eol
  readonly block: ParsedBlock | null
  readonly userMappings: readonly UserMapping[]
}

interface Line {
  readonly start: number
  /** Offset past the line ending (or the end of text). */
  readonly end: number
  /** Without the line ending and without a trailing `\r`. */
  readonly content: string
  readonly hasEol: boolean
  readonly number: number
}

function splitLines(text: string): Line[] {
  const lines: Line[] = []
  let start = 0
  let number = 1
  while (start < text.length) {
    const nl = text.indexOf('\n', start)
    const hasEol = nl !== -1
    const end = hasEol ? nl + 1 : text.length
    let content = text.slice(start, hasEol ? nl : text.length)
    if (content.endsWith('\r')) content = content.slice(0, -1)
    lines.push({start, end, content, hasEol, number})
    start = end
    number++
  }
  return lines
}

/** The line ending the file already uses (its first one), else `fallback`. */
export function detectEol(text: string, fallback: Eol = '\n'): Eol {
  const nl = text.indexOf('\n')
  if (nl === -1) return fallback
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n'
}

const isMarker = (content: string, marker: string): boolean => content.trimEnd() === marker

/**
 * Splits hosts-file text into the kingress block (if any) and the user's mappings outside it.
 * Throws HostsFormatError for a damaged block (BEGIN without END, two blocks, ...): kingress then
 * refuses to write rather than guess which lines are its own.
 */
export function parseHostsText(text: string, fallbackEol: Eol = '\n'): ParsedHostsText {
  const lines = splitLines(text)
  const begins = lines.filter((l) => isMarker(l.content, BEGIN_MARKER))
  const ends = lines.filter((l) => isMarker(l.content, END_MARKER))
  let block: ParsedBlock | null = null
  if (begins.length > 1 || ends.length > 1) {
    const where = [...begins, ...ends].map((l) => l.number).sort((a, b) => a - b)
    throw new HostsFormatError(
      `has ${begins.length} "${BEGIN_MARKER}" and ${ends.length} "${END_MARKER}" lines (lines ${where.join(', ')}); kingress writes exactly one block. Delete the extra lines by hand, then run the command again.`,
    )
  }
  const begin = begins[0]
  const endLine = ends[0]
  if (begin && !endLine) {
    throw new HostsFormatError(`has "${BEGIN_MARKER}" at line ${begin.number} but no "${END_MARKER}" after it. Add the END line (or delete the block) by hand, then run the command again.`)
  }
  if (endLine && !begin) {
    throw new HostsFormatError(`has "${END_MARKER}" at line ${endLine.number} without "${BEGIN_MARKER}" before it. Delete that line by hand, then run the command again.`)
  }
  if (begin && endLine) {
    if (endLine.number < begin.number) {
      throw new HostsFormatError(`has "${END_MARKER}" (line ${endLine.number}) before "${BEGIN_MARKER}" (line ${begin.number}). Fix the block by hand, then run the command again.`)
    }
    const inside = lines.slice(begin.number, endLine.number - 1)
    let meta: BlockMeta | null = null
    const entries: HostEntry[] = []
    for (const line of inside) {
      if (line.content.startsWith(META_PREFIX)) meta ??= parseMeta(line.content.slice(META_PREFIX.length))
      const mapping = parseMappingLine(line.content)
      if (mapping) for (const host of mapping.names) entries.push({ip: mapping.ip, host})
    }
    block = {
      start: begin.start,
      end: endLine.end,
      startLine: begin.number,
      endLine: endLine.number,
      endHasEol: endLine.hasEol,
      meta,
      entries,
      text: text.slice(begin.start, endLine.end),
    }
  }
  const userMappings: UserMapping[] = []
  for (const line of lines) {
    if (block && line.number >= block.startLine && line.number <= block.endLine) continue
    // A UTF-8 byte order mark (read as latin1) must not hide the first line's mapping.
    const content = line.number === 1 ? line.content.replace(/^\u00ef\u00bb\u00bf/, '') : line.content
    const mapping = parseMappingLine(content)
    if (mapping) userMappings.push({...mapping, line: line.number})
  }
  // A block keeps the line ending it was first written with (the file's at the time): re-detecting
  // could mistake the separator kingress appended after a lone "\r" for a CRLF. A user who converts
  // the whole file converts the block too, and then its new ending is the one kept.
  const eol = block ? detectEol(block.text, fallbackEol) : detectEol(text, fallbackEol)
  return {text, eol, block, userMappings}
}

/** `ip name [name...] [# comment]` → the mapping; anything else (comments, blanks, junk) → null. */
export function parseMappingLine(content: string): {ip: string; names: string[]} | null {
  const fields = content.replace(/#.*/, '').trim().split(/\s+/)
  const [ip, ...names] = fields
  if (!ip || names.length === 0) return null
  if (isIP(ip.split('%')[0] ?? '') === 0) return null
  return {ip, names: names.map((n) => n.toLowerCase())}
}

function parseMeta(rest: string): BlockMeta | null {
  const fields = new Map<string, string>()
  for (const token of rest.trim().split(/\s+/)) {
    const eq = token.indexOf('=')
    if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1))
  }
  const owner = fields.get('owner')
  if (owner !== 'session' && owner !== 'static') return null
  const pidText = fields.get('pid')
  const pid = pidText && /^\d+$/.test(pidText) ? Number(pidText) : null
  return {owner, pid, since: fields.get('since') ?? null, addedEofNewline: fields.get('eof') === 'added'}
}

export interface RenderOptions {
  readonly eol: Eol
  /** The command that removes the block, e.g. `kingress hosts clean --hosts-file /tmp/hosts`. */
  readonly removeCommand: string
  /** Whether the END line ends with a line ending (false only to keep a hand-trimmed file as it was). */
  readonly endHasEol?: boolean
}

/** The block's text. ASCII only (hostnames are validated), so latin1 and UTF-8 agree. */
export function renderBlock(entries: readonly HostEntry[], meta: BlockMeta, options: RenderOptions): string {
  const {eol} = options
  const who =
    meta.owner === 'session'
      ? `# Written by \`kingress up --hosts\` (pid ${meta.pid ?? '?'}) for the hosts of its Ingresses; removed when it exits.`
      : '# Written by `kingress hosts sync` for the hosts of your Ingress manifests.'
  const metaFields = [`owner=${meta.owner}`, `pid=${meta.pid ?? 0}`]
  if (meta.since) metaFields.push(`since=${meta.since}`)
  if (meta.addedEofNewline) metaFields.push('eof=added')
  const lines = [
    BEGIN_MARKER,
    who,
    `# Remove this block with: ${options.removeCommand}`,
    '# Do not edit between BEGIN and END: kingress rewrites these lines.',
    `${META_PREFIX} ${metaFields.join(' ')}`,
    ...entries.map((e) => `${e.ip}\t${e.host}`),
    END_MARKER,
  ]
  return lines.join(eol) + (options.endHasEol === false ? '' : eol)
}

/**
 * The text with `blockText` in place of the existing block, or appended at the end when there is
 * none. `blockText` must come from renderBlock with `addedEofNewline` as given by
 * appendNeedsEol() (for a new block) or kept from the old block's meta (for a replacement).
 */
export function withBlock(parsed: ParsedHostsText, blockText: string): string {
  const {text, block} = parsed
  if (block) return text.slice(0, block.start) + blockText + text.slice(block.end)
  return appendNeedsEol(parsed) ? text + parsed.eol + blockText : text + blockText
}

/** Appending a block to this text needs a line ending first: the last line has none. */
export function appendNeedsEol(parsed: ParsedHostsText): boolean {
  return parsed.text.length > 0 && !parsed.text.endsWith('\n')
}

/** The text without the block, exactly as it was before kingress first added one. */
export function withoutBlock(parsed: ParsedHostsText): string {
  const {text, block} = parsed
  if (!block) return text
  let before = text.slice(0, block.start)
  const after = text.slice(block.end)
  // Only when the block is still the last thing in the file: had the user added lines after it,
  // taking the line ending away would glue their first line onto the one before the block.
  // The separator added was the block's own line ending (withBlock uses the same eol for both):
  // strip exactly that, so a last line ending in a lone "\r" keeps its "\r".
  if (block.meta?.addedEofNewline && after === '') {
    const added = detectEol(block.text)
    if (before.endsWith(added)) before = before.slice(0, -added.length)
  }
  return before + after
}

/** Two entry lists are the same block content (order included: kingress always sorts). */
export function sameEntries(a: readonly HostEntry[], b: readonly HostEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.ip === b[i]?.ip && e.host === b[i]?.host)
}
