import {UserError} from '../errors.js'
import type {ProxyTimeouts} from './context.js'

/**
 * Defaults the proxy applies where an Ingress sets nothing. kingress's own are generous (no body
 * limit, no idle cut of response bodies); `--profile ingress-nginx` uses the controller's, which bite
 * in production: a 1m body limit (413) and 60 s proxy read/send timeouts (504).
 */
export interface Profile {
  readonly name: ProfileName
  /** Bytes; null: no limit unless an Ingress sets proxy-body-size. */
  readonly defaultBodySizeLimit: number | null
  readonly timeouts: Partial<ProxyTimeouts>
}

export const PROFILE_NAMES = ['kingress', 'ingress-nginx'] as const
export type ProfileName = (typeof PROFILE_NAMES)[number]

export const KINGRESS_PROFILE: Profile = {name: 'kingress', defaultBodySizeLimit: null, timeouts: {}}

export const INGRESS_NGINX_PROFILE: Profile = {
  name: 'ingress-nginx',
  defaultBodySizeLimit: 1024 * 1024,
  // proxy-read-timeout and proxy-send-timeout 60 s, proxy-connect-timeout 5 s.
  timeouts: {connectMs: 5000, headersMs: 60_000, bodyMs: 60_000, sendMs: 60_000},
}

export function profileNamed(name: string | undefined): Profile {
  if (name === undefined || name === 'kingress') return KINGRESS_PROFILE
  if (name === 'ingress-nginx') return INGRESS_NGINX_PROFILE
  throw new UserError('UNKNOWN_PROFILE', `--profile ${name}: unknown profile. Use --profile ingress-nginx (ingress-nginx's 1m body limit and 60 s proxy timeouts) or leave it out.`)
}
