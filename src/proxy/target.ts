/** Host and path (without query) of a request target: origin-form `/p?q`, or absolute-form `http://h/p`. */
export interface RequestTarget {
  readonly host: string | undefined
  readonly path: string
}

export function requestTarget(url: string, host: string | undefined): RequestTarget | null {
  if (url.charCodeAt(0) === 47 /* / */) {
    const q = url.indexOf('?')
    return {host, path: q === -1 ? url : url.slice(0, q)}
  }
  const scheme = /^https?:\/\//i.exec(url)
  if (scheme === null) return null
  const rest = url.slice(scheme[0].length)
  const slash = rest.search(/[/?#]/)
  const authority = slash === -1 ? rest : rest.slice(0, slash)
  const after = slash === -1 ? '/' : rest.slice(slash)
  const q = after.search(/[?#]/)
  const path = q === -1 ? after : after.slice(0, q)
  return {host: authority.slice(authority.lastIndexOf('@') + 1), path: path === '' || path[0] !== '/' ? '/' + path : path}
}
