import {hasErrors, type Diagnostic} from '../manifests/diagnostic.js'
import {loadSnapshot} from '../manifests/snapshot.js'
import type {Snapshot} from '../manifests/model.js'
import {compile, type CompileOptions, type CompileResult} from '../routing/compile.js'

export interface CompiledManifests {
  readonly files: readonly string[]
  readonly snapshot: Snapshot
  readonly compiled: CompileResult
  /** Loading, validation and compile findings together, in that order. */
  readonly diagnostics: readonly Diagnostic[]
  readonly ok: boolean
}

/**
 * load → validate → compile, the pipeline every manifest-reading command starts with. Gateway API
 * objects are loaded and validated but not compiled into routes yet; unless `notServed` is false
 * (validate, which counts them instead), one warning says so, so they are never silently ignored.
 */
export async function compileManifests(inputs: readonly string[], options: CompileOptions = {}, notServed = true): Promise<CompiledManifests> {
  const loaded = await loadSnapshot(inputs)
  const compiled = compile(loaded.snapshot, options)
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics, ...(notServed ? gatewayNotServed(loaded.snapshot) : [])]
  return {files: loaded.files, snapshot: loaded.snapshot, compiled, diagnostics, ok: !hasErrors(diagnostics)}
}

function gatewayNotServed(snapshot: Snapshot): Diagnostic[] {
  const first = [...snapshot.gateways, ...snapshot.httpRoutes].sort((a, b) => a.meta.loadIndex - b.meta.loadIndex)[0]
  if (first === undefined) return []
  const counts = [plural(snapshot.gateways.length, 'Gateway'), plural(snapshot.httpRoutes.length, 'HTTPRoute')].join(' and ')
  return [
    {
      severity: 'warning',
      at: first.meta.at,
      message: `${counts} loaded: kingress validates Gateway API objects and computes their status (\`kingress status\`), but does not serve HTTPRoutes yet; only Ingresses are routed`,
    },
  ]
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}
