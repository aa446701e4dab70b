import {Flags} from '@oclif/core'

import {PROFILE_NAMES} from '../proxy/profile.js'
import {bindFlag, gatewayAddressFlag} from './flags.js'

/** Flags `up` and `demo` share: where to listen and how to log. */
export const listenFlags = {
  'http-port': Flags.integer({description: 'HTTP port (default 80; falls back to 8080 when 80 cannot be bound and the flag is not given)', min: 0, max: 65535, helpValue: 'N'}),
  'https-port': Flags.integer({description: 'HTTPS port, HTTP/2 and HTTP/1.1 (default 443; falls back to 8443 when 443 cannot be bound and the flag is not given)', min: 0, max: 65535, helpValue: 'N'}),
  'strict-tls': Flags.boolean({description: 'as ingress-nginx: only hosts listed under spec.tls get a trusted certificate, the others its untrusted "Fake Certificate" (default: every Ingress host gets one from the local CA)'}),
  bind: bindFlag,
  dashboard: Flags.boolean({description: 'show the live dashboard (off with --no-dashboard, and whenever stdout is not a terminal)', allowNo: true, default: true}),
  'log-format': Flags.string({description: 'access log format', options: ['text', 'json'], default: 'text'}),
  profile: Flags.string({description: "defaults where an Ingress sets none: ingress-nginx applies the controller's 1m body limit (413) and 60 s proxy timeouts (504)", options: [...PROFILE_NAMES], default: 'kingress', helpValue: 'NAME'}),
}

/** `up`'s Gateway flags: an address per Gateway, a local port per listener port. */
export const gatewayFlags = {
  'gateway-address': gatewayAddressFlag,
  'listener-port': Flags.string({description: 'serve Gateway listeners of port P on LOCAL instead (repeatable; 80 and 443 follow --http-port/--https-port)', multiple: true, helpValue: 'P=LOCAL'}),
}
