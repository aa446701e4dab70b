import {escapeUri} from '../routing/escape-uri.js'
import {wellKnownPort} from '../routing/normalize.js'
import type {IngressPolicy} from './policy.js'
import {headerValue, type EarlyResponse, type RequestView} from './request-view.js'

function redirect(status: number, location: string, reason: string): EarlyResponse {
  const body = `<html>\n<head><title>${status} Redirect</title></head>\n<body>\n<center><h1>${status} Redirect</h1></center>\n<hr><center>kingress</center>\n</body>\n</html>\n`
  return {status, headers: {location, 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body))}, body, reason}
}

export interface RedirectContext {
  /** The host has a spec.tls entry. */
  readonly tls: boolean
  /** Where HTTPS is served, to build https:// URLs (443 in a cluster; 8443 after a fallback). */
  readonly httpsPort: number | null
  /** The port of the listener the request arrived on. */
  readonly httpPort: number
}

/**
 * The authority nginx writes into a redirect it builds itself: the Host without port
 * (server_name_in_redirect off, port_in_redirect off in nginx.tmpl). kingress adds the port when
 * it serves on another port than the scheme's own (the 8080/8443 fallbacks), or the redirect
 * would leave kingress.
 */
function laptopAuthority(host: string, port: number, scheme: 'http' | 'https'): string {
  return port === wellKnownPort(scheme) ? host : `${host}:${port}`
}

/** `$request_uri` less one `/` when it is its very last byte (lua ngx_srv_redirect.lua, lua_ingress.lua; so `/a/?q` keeps it). */
function requestUriWithoutTrailingSlash(req: RequestView): string {
  const uri = req.path + req.query
  return uri.endsWith('/') ? uri.slice(0, -1) : uri
}

/**
 * from-to-www-redirect: the other name of a rule's host is its own server block answering 308 to
 * `<scheme>://<host>:<port><request_uri>` — the port always written, the query kept, one trailing
 * slash dropped (nginx.tmpl, rootfs/etc/nginx/lua/nginx/ngx_srv_redirect.lua).
 */
export function wwwRedirect(target: string, req: RequestView, ctx: RedirectContext): EarlyResponse {
  const port = req.scheme === 'https' ? (ctx.httpsPort ?? 443) : ctx.httpPort
  return redirect(308, `${req.scheme}://${target}:${port}${requestUriWithoutTrailingSlash(req)}`, 'from-to-www-redirect')
}

/**
 * app-root: `if ($uri = /) { return 302 $scheme://$http_host<app-root>; }` in the server block
 * (nginx.tmpl), so it acts before any location is chosen; `return` drops the query string.
 */
export function appRootRedirect(appRoot: string, req: RequestView): EarlyResponse {
  const httpHost = headerValue(req.headers, 'host') ?? headerValue(req.headers, ':authority') ?? req.host
  return redirect(302, `${req.scheme}://${httpHost}${appRoot}`, 'app-root')
}

/**
 * nginx's auto_redirect: 301 to the location's name (the URI with `/` added), escaped, with the
 * query kept (ngx_http_core_module.c, ngx_http_core_find_config_phase on NGX_DONE).
 */
export function slashRedirect(locationName: string, req: RequestView, ctx: RedirectContext): EarlyResponse {
  // `?args` only when there are arguments: a bare `?` is dropped.
  const query = req.query === '?' ? '' : req.query
  return redirect(301, `${req.scheme}://${laptopAuthority(req.host, ctx.httpPort, req.scheme)}${escapeUri(locationName)}${query}`, 'trailing-slash')
}

/**
 * permanent-redirect / temporal-redirect: `return <code> <url>;` in the location (nginx.tmpl). The
 * URL is sent as written — no path, no query added; a relative one is made absolute with the Host
 * (absolute_redirect on, port_in_redirect off).
 */
export function configuredRedirect(policy: IngressPolicy, req: RequestView, ctx: RedirectContext): EarlyResponse | null {
  if (policy.redirect === null) return null
  const {url, code} = policy.redirect
  const location = url.startsWith('/') ? `${req.scheme}://${laptopAuthority(req.host, ctx.httpPort, req.scheme)}${url}` : url
  return redirect(code, location, code === 302 || code === 307 ? 'temporal-redirect' : 'permanent-redirect')
}

/** no-tls-redirect-locations' default (config.go): ACME HTTP-01 challenges are never sent to HTTPS. */
const NO_TLS_REDIRECT_PREFIX = '/.well-known/acme-challenge'

/**
 * ssl-redirect / force-ssl-redirect (rootfs/etc/nginx/lua/lua_ingress.lua, redirect_to_https and
 * rewrite): plain HTTP on a host with a certificate (or any host with force-ssl-redirect) gets 308
 * to https with the raw request URI, the query kept, one trailing slash dropped.
 */
export function sslRedirect(policy: IngressPolicy, req: RequestView, ctx: RedirectContext, locationPath: string): EarlyResponse | null {
  if (req.scheme !== 'http' || ctx.httpsPort === null || locationPath.startsWith(NO_TLS_REDIRECT_PREFIX)) return null
  if (!policy.forceSslRedirect && !(ctx.tls && policy.sslRedirect !== false)) return null
  return redirect(308, `https://${laptopAuthority(req.host, ctx.httpsPort, 'https')}${requestUriWithoutTrailingSlash(req)}`, 'ssl-redirect')
}

/**
 * The redirects a location itself performs, in nginx's phase order: the `return` of
 * permanent/temporal-redirect (rewrite phase), then ssl-redirect (rewrite_by_lua, which runs after
 * the rewrite module's directives). Null when the request goes on.
 */
export function redirectFor(policy: IngressPolicy, req: RequestView, ctx: RedirectContext, locationPath = req.path): EarlyResponse | null {
  return configuredRedirect(policy, req, ctx) ?? sslRedirect(policy, req, ctx, locationPath)
}
