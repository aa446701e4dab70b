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

/** load → validate → compile, the pipeline every manifest-reading command starts with. */
export async function compileManifests(inputs: readonly string[], options: CompileOptions = {}): Promise<CompiledManifests> {
  const loaded = await loadSnapshot(inputs)
  const compiled = compile(loaded.snapshot, options)
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics]
  return {files: loaded.files, snapshot: loaded.snapshot, compiled, diagnostics, ok: !hasErrors(diagnostics)}
}
