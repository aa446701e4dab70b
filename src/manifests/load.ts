import {readdir, readFile, stat} from 'node:fs/promises'
import {extname, join, relative} from 'node:path'
import {isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Alias, type Node as YamlNode} from 'yaml'

import {UserError} from '../errors.js'
import type {Diagnostic} from './diagnostic.js'
import {childPath, PositionIndex, type Position} from './position.js'

/** One Kubernetes object as written in a file: its plain value plus where each field came from. */
export interface RawObject {
  readonly apiVersion: string
  readonly kind: string
  readonly value: Record<string, unknown>
  readonly positions: PositionIndex
  /** Order in which objects were read: the tie-break when nothing else orders them. */
  readonly loadIndex: number
}

export interface LoadResult {
  readonly objects: RawObject[]
  readonly diagnostics: Diagnostic[]
  readonly files: string[]
}

export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json'])
/** Docker Compose's default file names: a folder of manifests may sit next to the Compose file that runs its backends. */
const COMPOSE_FILE = /^(docker-)?compose(\.override)?\.ya?ml$/i

function isManifestInFolder(name: string): boolean {
  return MANIFEST_EXTENSIONS.has(extname(name).toLowerCase()) && !COMPOSE_FILE.test(name)
}

/**
 * Expands files and folders (one level, like `kubectl apply -f DIR`) into manifest files, sorted.
 * Compose files inside a folder are left out; named explicitly, they are read and noted.
 */
export async function findManifestFiles(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = []
  for (const input of inputs) {
    let info
    try {
      info = await stat(input)
    } catch {
      throw new UserError('ENOENT_MANIFEST', `${input}: no such file or folder. Give the path of an Ingress YAML file or a folder of them.`)
    }
    if (info.isDirectory()) {
      const names = (await readdir(input)).filter(isManifestInFolder).sort()
      if (names.length === 0) {
        throw new UserError('EMPTY_FOLDER', `${input}: the folder holds no .yaml, .yml or .json file.`)
      }
      for (const name of names) files.push(join(input, name))
    } else {
      files.push(input)
    }
  }
  return files
}

export async function loadManifests(inputs: readonly string[], cwd = process.cwd()): Promise<LoadResult> {
  const files = await findManifestFiles(inputs)
  const sources = await Promise.all(files.map(async (file) => ({file, text: await readFile(file, 'utf8')})))
  const objects: RawObject[] = []
  const diagnostics: Diagnostic[] = []
  for (const {file, text} of sources) {
    const shown = displayPath(file, cwd)
    parseManifestText(text, shown, objects, diagnostics)
  }
  return {objects, diagnostics, files}
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file)
  return rel && !rel.startsWith('..') ? rel : file
}

/** Parses one file's text (YAML, multi-document, or JSON) and appends what it finds. */
export function parseManifestText(text: string, file: string, objects: RawObject[], diagnostics: Diagnostic[]): void {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, {lineCounter, uniqueKeys: true, prettyErrors: false})
  const docList = Array.isArray(docs) ? docs : []
  const posOf = (offset: number): Position => {
    const {line, col} = lineCounter.linePos(offset)
    return {file, line, col}
  }
  for (const doc of docList) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        diagnostics.push({severity: 'error', at: posOf(error.pos[0]), message: `YAML: ${firstLine(error.message)}`})
      }
      continue
    }
    const contents = doc.contents
    if (contents === null) continue
    const root = posOf(contents.range?.[0] ?? 0)
    const byPath = new Map<string, Position>()
    indexNode(contents as YamlNode, '', byPath, posOf)
    let value: unknown
    try {
      value = doc.toJS({maxAliasCount: 100})
    } catch (error) {
      // An alias without its anchor: most often an unquoted wildcard host (`[*.example.com]`).
      const alias = firstAlias(contents as YamlNode)
      const message = alias === null ? `YAML: ${firstLine(error instanceof Error ? error.message : String(error))}` : `YAML: *${alias.source} is read as an alias of an anchor "${alias.source}" that is not defined; if it is a value (a wildcard hostname), quote it: "*${alias.source}"`
      diagnostics.push({severity: 'error', at: alias?.range ? posOf(alias.range[0]) : root, message})
      continue
    }
    collectObject(value, new PositionIndex(root, byPath), file, objects, diagnostics)
  }
}

function firstAlias(node: YamlNode | null): Alias | null {
  if (node === null) return null
  if (isAlias(node)) return node
  if (isMap(node)) {
    for (const pair of node.items) {
      const found = isPair(pair) ? (firstAlias(pair.key as YamlNode | null) ?? firstAlias(pair.value as YamlNode | null)) : null
      if (found !== null) return found
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const found = firstAlias(item as YamlNode | null)
      if (found !== null) return found
    }
  }
  return null
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message
}

function indexNode(node: YamlNode, path: string, byPath: Map<string, Position>, posOf: (offset: number) => Position): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
      const keyPath = childPath(path, key)
      const keyNode = pair.key as YamlNode | null
      const offset = keyNode?.range?.[0] ?? (pair.value as YamlNode | null)?.range?.[0]
      if (offset !== undefined) byPath.set(keyPath, posOf(offset))
      if (pair.value) indexNode(pair.value as YamlNode, keyPath, byPath, posOf)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const itemPath = childPath(path, index)
      const offset = (item as YamlNode | null)?.range?.[0]
      if (offset !== undefined) byPath.set(itemPath, posOf(offset))
      if (item) indexNode(item as YamlNode, itemPath, byPath, posOf)
    })
  }
}

function collectObject(value: unknown, positions: PositionIndex, file: string, objects: RawObject[], diagnostics: Diagnostic[]): void {
  if (value === null || value === undefined) return
  if (typeof value !== 'object' || Array.isArray(value)) {
    diagnostics.push({severity: 'error', at: positions.root, message: 'expected a Kubernetes object (a mapping with apiVersion and kind), found ' + describe(value)})
    return
  }
  const record = value as Record<string, unknown>
  const kind = typeof record.kind === 'string' ? record.kind : ''
  const apiVersion = typeof record.apiVersion === 'string' ? record.apiVersion : ''
  if (kind === '' || apiVersion === '') {
    const hint = 'services' in record ? ' (it looks like a Docker Compose file; kingress reads Compose labels from the running containers instead)' : ''
    diagnostics.push({severity: 'note', at: positions.root, message: `skipped a document without apiVersion and kind${hint}`})
    return
  }
  if (kind === 'List' || kind.endsWith('List')) {
    const items = Array.isArray(record.items) ? record.items : []
    items.forEach((item, index) => collectObject(item, positions.scoped(`items[${index}]`), file, objects, diagnostics))
    return
  }
  objects.push({apiVersion, kind, value: record, positions, loadIndex: objects.length})
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : `a ${typeof value}`
}
