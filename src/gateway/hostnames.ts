/**
 * Listener/route hostname intersection (Gateway API: Listener.hostname and HTTPRoute.hostnames
 * docs). A wildcard `*.example.com` stands for one or more labels before `.example.com`, never for
 * `example.com` itself. Hostnames are lowercase by the CRD pattern; ports never appear in them.
 */

function isWildcard(hostname: string): boolean {
  return hostname.startsWith('*.')
}

/** `a.b.example.com` is covered by `*.example.com` (one or more labels), `example.com` is not. */
function coveredBy(hostname: string, wildcard: string): boolean {
  const suffix = wildcard.slice(1) // ".example.com"
  return hostname.endsWith(suffix) && hostname.length > suffix.length
}

/**
 * The hostname requests must carry to reach a route through a listener, or null when none can:
 * the more specific of the two when one covers the other.
 */
export function intersectHostnames(listener: string | null, route: string): string | null {
  if (listener === null) return route
  if (listener === route) return route
  const lw = isWildcard(listener)
  const rw = isWildcard(route)
  if (lw && !rw) return coveredBy(route, listener) ? route : null
  if (!lw && rw) return coveredBy(listener, route) ? listener : null
  if (lw && rw) {
    if (coveredBy(route.slice(2), listener)) return route
    if (coveredBy(listener.slice(2), route)) return listener
  }
  return null
}

/** The hostnames a route answers for on a listener: [] when they do not intersect. A route without hostnames takes the listener's. */
export function effectiveHostnames(listener: string | null, routeHostnames: readonly string[]): string[] {
  if (routeHostnames.length === 0) return [listener ?? '*']
  const out: string[] = []
  for (const hostname of routeHostnames) {
    const hit = intersectHostnames(listener, hostname)
    if (hit !== null && !out.includes(hit)) out.push(hit)
  }
  return out
}
