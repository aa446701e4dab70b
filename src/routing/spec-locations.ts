import {escapeRegex, type LocationDraft} from './nginx-locations.js'
import type {Location} from './table.js'

/**
 * `--semantics spec`: the Ingress API's documented matching instead of ingress-nginx's locations.
 * Exact is the whole path, Prefix is element-wise with the trailing slash ignored, case-sensitive;
 * no regex mode, no `= /p` twins, no 301s. rewrite-target still rewrites, from the start of the path.
 */
export function specLocations(drafts: readonly LocationDraft[]): Location[] {
  const sorted = [...drafts].sort((a, b) => b.path.length - a.path.length || (a.type === b.type ? 0 : a.type === 'Exact' ? -1 : 1))
  return sorted.map((draft): Location => {
    const exact = draft.type === 'Exact'
    const target = draft.policy.rewriteTarget
    return {
      kind: exact ? 'exact' : 'element-prefix',
      name: draft.path,
      directive: exact ? `Exact ${draft.path}` : `Prefix ${draft.path} (whole path elements)`,
      source: draft.route === null ? 'root' : 'path',
      route: draft.route,
      root: draft.root,
      defaultRoute: draft.defaultRoute,
      regex: null,
      rewrite: target !== null && target !== '' && target !== draft.path ? new RegExp('^' + escapeRegex(draft.path)) : null,
      autoRedirect: false,
    }
  })
}

/** Prefix `/foo/` and `/foo` are the same rule under the Ingress API; `/` is the empty key. */
export function elementPrefixKey(path: string): string {
  let end = path.length
  while (end > 0 && path[end - 1] === '/') end--
  return path.slice(0, end)
}
