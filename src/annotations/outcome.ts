import type {AnnotationStatus, IngressPolicy} from './policy.js'
import type {Validator} from './validators.js'

/** The reading of one ingress-nginx annotation: the handlers under readers/ and what they share. */

export const NGINX_PREFIX = 'nginx.ingress.kubernetes.io/'

export type Draft = {-readonly [K in keyof IngressPolicy]: IngressPolicy[K]}

export type Annotations = Readonly<Record<string, string>>

/** What a handler says of its annotation: how well kingress honours it, or what is wrong with the value. */
export interface Outcome {
  readonly status?: AnnotationStatus
  readonly note?: string
}

/** Reads one annotation's value into the draft policy; `all` holds every annotation of the Ingress. */
export type Handler = (value: string, draft: Draft, all: Annotations, namespace: string) => Outcome

/*
 * What a value ingress-nginx's validator refuses costs (annotations.go Extract), per parser:
 * - rejected: the parser returns the ValidationError, Extract fails, the admission webhook refuses
 *   the Ingress and store.go syncIngress never loads it;
 * - denied: the parser turns it into a LocationDenied error, and every location of the Ingress
 *   answers `return 503` (nginx.tmpl, "Location denied");
 * - invalid: the parser logs it and uses its default; `instead` says what that is.
 */
export const invalid = (what: string, instead: string): Outcome => ({status: 'invalid', note: `${what}; ingress-nginx ignores the value and ${instead}`})
export const rejected = (what: string): Outcome => ({status: 'rejected', note: what})
export const denied = (what: string): Outcome => ({status: 'denied', note: what})
export const ok: Outcome = {}
/** A value of spaces that passed the validator: normalizeString leaves nothing, parseString's InvalidContent, and the parser's default. */
export const BLANK: Outcome = {status: 'ignored', note: 'blank: ingress-nginx treats it as unset'}

/** Annotations that only make sense together with a main one are judged once every main one is read (parse.ts). */
export const COMPANION: Outcome = {}

/** The annotation's value, or null when it is absent or blank (parseString's InvalidContent). */
export const present = (all: Annotations, name: string): string | null => {
  const value = all[NGINX_PREFIX + name]
  return value === undefined || value.trim() === '' ? null : value
}

/** The companion's value when its validator accepts it, else null (its parser's default). */
export function valid(all: Annotations, name: string, validator: Validator): string | null {
  const value = present(all, name)
  return value !== null && validator(value) ? value : null
}

/** A companion whose value ingress-nginx checks once its main annotation is in effect. */
export function checkedCompanion(active: (all: Annotations) => boolean, accepts: Validator, onInvalid: Outcome): Handler {
  return (value, _draft, all) => (active(all) && value !== '' && !accepts(value) ? onInvalid : COMPANION)
}

export const BOOL_TEXT = 'must be "true" or "false"'
export const URL_CHARS_TEXT = 'may hold only letters, digits and - . _ ~ / : , ? & ='
export const PATH_CHARS_TEXT = 'may hold only letters, digits and - . _ ~ / : $'
export const BASIC_CHARS_TEXT = 'may hold only letters, digits and - . _ ~ / :'
export const HEADER_LIST_TEXT = 'must be a comma-separated list of header names (letters, digits, - and _)'
