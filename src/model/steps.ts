import type {EarlyResponse, RequestView} from '../annotations/request-view.js'
import type {CorsPolicy} from '../gateway/cors.js'

/**
 * The one kind of per-route step both front ends compile into: an Ingress's ingress-nginx
 * annotations (body size, preflight, redirects, limits, access lists, basic auth, then
 * rewrite-target, upstream-vhost, x-forwarded-prefix, CORS headers) and an HTTPRoute rule's or
 * backendRef's filters (redirect, rewrite, header modifiers, mirror, CORS). A step reads
 * the request, edits what goes upstream and what comes back, or stops the request with an answer.
 * Compiled once with the immutable configuration; one executor, runSteps, runs them in order.
 */
export interface RouteStep<Env = unknown> {
  /** What wrote the step, for messages: `RequestRedirect`, `nginx.ingress.kubernetes.io/ssl-redirect`. */
  readonly source: string
  run(state: StepState, request: RequestView, env: Env): StepStop | null
}

/** One header edit, applied in order: set replaces, add appends, remove drops (names case-insensitive). */
export interface HeaderEdit {
  readonly set: readonly (readonly [string, string])[]
  readonly add: readonly (readonly [string, string])[]
  /** Lower-case names. */
  readonly remove: readonly string[]
}

/**
 * A configured header value (an HTTPRoute filter's, an Ingress annotation's) as the bytes that go
 * on the wire: its UTF-8 encoding, one character per byte, the form in which Node writes a header
 * string. As typed, Node would refuse a character above U+00FF (a 502 on HTTP/1.1) and send
 * U+0080-U+00FF as one byte each; nginx and Envoy send the configuration's UTF-8 bytes.
 */
export function wireValue(value: string): string {
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value
}

/** A copy of the request, as it stands when the step runs, for another backend (the client's answer does not wait for it). */
export interface MirrorCopy {
  readonly namespace: string
  readonly name: string
  readonly port: number | null
  /** The share of requests copied: numerator / denominator. */
  readonly numerator: number
  readonly denominator: number
  /** The target (with the query) and Host the copy carries. */
  readonly target: string
  readonly host: string | null
  /** The request header edits made before this step. */
  readonly requestHeaders: readonly HeaderEdit[]
}

/** What the steps so far made of the request: what goes upstream, what comes back, what is held. */
export interface StepState {
  /** The request target's path (without the query) the backend receives. */
  path: string
  /** The whole request target (path and query) when a step replaced it as nginx's `rewrite` does (rewrite-target); else null. */
  target: string | null
  /** The Host the backend receives; null: the client's. */
  host: string | null
  requestHeaders: HeaderEdit[]
  responseHeaders: HeaderEdit[]
  mirrors: MirrorCopy[]
  cors: CorsPolicy | null
  /** Frees what a step took (a limit-connections slot) when the exchange ends; null: nothing held. */
  release: (() => void) | null
}

export type StepStop =
  /** The proxy answers itself: a redirect, a preflight, 401/403/413/429. */
  | {readonly kind: 'answer'; readonly early: EarlyResponse}
  /** A step kingress cannot run: the request is answered 500, never forwarded with the step skipped. */
  | {readonly kind: 'refuse'; readonly reason: string}

export function initialState(path: string): StepState {
  return {path, target: null, host: null, requestHeaders: [], responseHeaders: [], mirrors: [], cors: null, release: null}
}

const FROZEN_EDITS = Object.freeze([]) as unknown as HeaderEdit[]
const FROZEN_MIRRORS = Object.freeze([]) as unknown as MirrorCopy[]

/**
 * A state for steps that only answer or hold a slot (the annotation gate runs on every annotated
 * request): one object, no lists; a step that edits would throw on the frozen lists, never be lost.
 */
export function answerOnlyState(path: string): StepState {
  return {path, target: null, host: null, requestHeaders: FROZEN_EDITS, responseHeaders: FROZEN_EDITS, mirrors: FROZEN_MIRRORS, cors: null, release: null}
}

/** No step ran: nothing edited, nothing held (shared; never written). */
export const UNCHANGED: Readonly<StepState> = Object.freeze(answerOnlyState('/'))

/** A copy for a branch of the request (a backendRef's own steps), holding nothing. */
export function copyState(s: StepState): StepState {
  return {path: s.path, target: s.target, host: s.host, requestHeaders: [...s.requestHeaders], responseHeaders: [...s.responseHeaders], mirrors: [...s.mirrors], cors: s.cors, release: null}
}

/** Runs the steps in order on `state` (changed in place); the first stop ends the run and frees what earlier steps took. */
export function runSteps<Env>(steps: readonly RouteStep<Env>[], state: StepState, request: RequestView, env: Env): StepStop | null {
  for (let i = 0; i < steps.length; i++) {
    const stop = steps[i]!.run(state, request, env)
    if (stop === null) continue
    if (state.release !== null) {
      state.release()
      state.release = null
    }
    return stop
  }
  return null
}

/** Adds a release to the state's (both run when the exchange ends). */
export function holdRelease(state: StepState, release: () => void): void {
  const earlier = state.release
  state.release =
    earlier === null
      ? release
      : () => {
          earlier()
          release()
        }
}

/** `compile` run once per configuration object (immutable, so its steps never change): later calls return the same steps. */
export function compiledOnce<K extends object, Env>(compile: (config: K) => RouteStep<Env>[]): (config: K) => readonly RouteStep<Env>[] {
  const cache = new WeakMap<K, readonly RouteStep<Env>[]>()
  return (config) => {
    let steps = cache.get(config)
    if (steps === undefined) {
      steps = compile(config)
      cache.set(config, steps)
    }
    return steps
  }
}
