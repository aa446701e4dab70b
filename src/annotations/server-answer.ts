import type {MatchResult} from '../routing/table.js'
import {appRootRedirect, slashRedirect, wwwRedirect, type RedirectContext} from './redirects.js'
import type {EarlyResponse, RequestView} from './request-view.js'

/** The match is answered before any location's annotations run: a www redirect, app-root, or nginx's trailing-slash 301. */
export function hasServerAnswer(match: MatchResult): boolean {
  return match.wwwRedirect !== null || match.appRoot !== null || match.slashRedirect !== null
}

/**
 * What nginx answers before a location's own directives, in its phase order: the from-to-www
 * server block, the server-level app-root `if` (server rewrite phase), the auto_redirect 301
 * (find-config phase).
 */
export function serverAnswer(match: MatchResult, req: RequestView, ctx: RedirectContext): EarlyResponse | null {
  if (match.wwwRedirect !== null) return wwwRedirect(match.wwwRedirect, req, ctx)
  if (match.appRoot !== null) return appRootRedirect(match.appRoot, req)
  if (match.slashRedirect !== null) return slashRedirect(match.slashRedirect, req, ctx)
  return null
}
