import type {IngressPolicy} from './policy.js'
import type {EarlyResponse, RequestView} from './request-view.js'

function redirect(status: number, location: string, reason: string): EarlyResponse {
  const body = `<html>\n<head><title>${status} Redirect</title></head>\n<body>\n<center><h1>${status} Redirect</h1></center>\n<hr><center>kingress</center>\n</body>\n</html>\n`
  return {status, headers: {location, 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body))}, body, reason}
}

function authority(host: string, port: number, defaultPort: number): string {
  return port === defaultPort ? host : `${host}:${port}`
}

export interface RedirectContext {
  /** The host has a spec.tls entry. */
  readonly tls: boolean
  /** Where HTTPS is served, to build https:// URLs (443 in a cluster; 8443 after a fallback). */
  readonly httpsPort: number | null
  /** Where HTTP is served, for from-to-www redirects on plain HTTP. */
  readonly httpPort: number
}

/**
 * from-to-www-redirect: a request for the other name (`www.` added or removed) of a rule's host goes
 * to the rule's host with 308, keeping scheme, path and query.
 */
export function wwwRedirect(target: string, req: RequestView, ctx: RedirectContext): EarlyResponse {
  const https = req.scheme === 'https'
  const port = https ? (ctx.httpsPort ?? 443) : ctx.httpPort
  return redirect(308, `${req.scheme}://${authority(target, port, https ? 443 : 80)}${req.path}${req.query}`, 'from-to-www-redirect')
}

/**
 * The redirects ingress-nginx performs for a matched route before proxying, in its order:
 * ssl-redirect, permanent/temporal redirect, app-root. Null when the request is to be forwarded.
 */
export function redirectFor(policy: IngressPolicy, req: RequestView, ctx: RedirectContext): EarlyResponse | null {
  const wantsHttps = policy.forceSslRedirect || (ctx.tls && policy.sslRedirect !== false)
  if (req.scheme === 'http' && wantsHttps && ctx.httpsPort !== null) {
    // 308 keeps the method and the body (ingress-nginx's default ssl-redirect code).
    return redirect(308, `https://${authority(req.host, ctx.httpsPort, 443)}${req.path}${req.query}`, 'ssl-redirect')
  }
  if (policy.redirect) return redirect(policy.redirect.code, policy.redirect.url, policy.redirect.code === 302 || policy.redirect.code === 307 ? 'temporal-redirect' : 'permanent-redirect')
  if (policy.appRoot && req.path === '/') return redirect(302, `${policy.appRoot}${req.query}`, 'app-root')
  return null
}
