import type {HeaderEdit} from '../model/steps.js'
import {removeHeaders} from './headers.js'

/**
 * Applies route steps' header edits, in order, to a flat `[name, value, ...]` head: set replaces
 * every field of the name, add appends to the first one (`a,b`), remove drops; names are
 * case-insensitive. Set-Cookie is never joined (RFC 9110 §5.3): an added cookie is a field of its own.
 */
export function applyHeaderEdits(list: string[], edits: readonly HeaderEdit[]): void {
  for (const edit of edits) {
    for (const [name, value] of edit.set) {
      removeHeaders(list, new Set([name.toLowerCase()]))
      list.push(name, value)
    }
    for (const [name, value] of edit.add) add(list, name, value)
    if (edit.remove.length !== 0) removeHeaders(list, new Set(edit.remove))
  }
}

function add(list: string[], name: string, value: string): void {
  const lower = name.toLowerCase()
  if (lower !== 'set-cookie') {
    for (let i = 0; i < list.length; i += 2) {
      if (list[i]!.toLowerCase() !== lower) continue
      list[i + 1] = `${list[i + 1]},${value}`
      return
    }
  }
  list.push(name, value)
}
