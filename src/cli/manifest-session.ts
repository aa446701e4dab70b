import {hasErrors, type Diagnostic} from '../manifests/diagnostic.js'
import {loadSnapshot} from '../manifests/snapshot.js'
import {objectKey, type Snapshot} from '../manifests/model.js'
import {specAddressesOf} from '../gateway/spec-addresses.js'
import {routeModelOf, type RouteModel} from '../model/route-model.js'
import {compile, type CompileOptions, type CompileResult} from '../routing/compile.js'

export interface CompiledManifests {
  readonly files: readonly string[]
  readonly snapshot: Snapshot
  readonly compiled: CompileResult
  /** The Ingress table and the Gateway listeners' routes: what `up` would serve. */
  readonly model: RouteModel
  /** Loading, validation and compile findings together, in that order. */
  readonly diagnostics: readonly Diagnostic[]
  readonly ok: boolean
}

/**
 * load → validate → compile, the pipeline every manifest-reading command starts with: the route
 * model of the Ingresses and of the HTTPRoutes on Gateway listeners. Unless `notServed` is false (validate, which counts them instead), warnings
 * say what of them is served and what is not, so nothing is silently ignored.
 */
export async function compileManifests(inputs: readonly string[], options: CompileOptions = {}, notServed = true): Promise<CompiledManifests> {
  const loaded = await loadSnapshot(inputs)
  const compiled = compile(loaded.snapshot, options)
  const diagnostics = [...loaded.diagnostics, ...compiled.diagnostics, ...(notServed ? gatewayServing(loaded.snapshot) : [])]
  return {files: loaded.files, snapshot: loaded.snapshot, compiled, model: routeModelOf(loaded.snapshot, compiled.table, options.className), diagnostics, ok: !hasErrors(diagnostics)}
}

function gatewayServing(snapshot: Snapshot): Diagnostic[] {
  const first = [...snapshot.gateways, ...snapshot.httpRoutes].sort((a, b) => a.meta.loadIndex - b.meta.loadIndex)[0]
  if (first === undefined) return []
  const counts = [plural(snapshot.gateways.length, 'Gateway'), plural(snapshot.httpRoutes.length, 'HTTPRoute')].join(' and ')
  const out: Diagnostic[] = [
    {
      severity: 'warning',
      at: first.meta.at,
      message:
        `${counts} loaded: \`kingress up\` serves the HTTPRoutes attached to Gateway HTTP and HTTPS listeners, with the Gateway API's semantics, each Gateway on an address of its own (--gateway-address; the first on --bind, where a host its routes name is answered by the Gateway and other hosts by the Ingresses); port 80 on --http-port, 443 on --https-port, others on their own port (--listener-port). ` +
        'Not served: ExtensionRef filters (answered 500, as the spec asks of a filter an implementation cannot run), backendRef appProtocol (h2c), the experimental retry field. ' +
        '`explain` and `routes` show the HTTPRoutes too; `kingress status` shows what a controller would write for the Gateway API objects',
    },
  ]
  // Not accepted (status.ts: UnsupportedAddress), so not served: said where it is written.
  for (const gateway of snapshot.gateways) {
    for (const a of specAddressesOf(gateway).unsupported) {
      out.push({severity: 'warning', at: a.at, field: a.field, message: `address type ${a.type}: kingress serves Gateways on IPAddress values only, so \`kingress up\` does not serve Gateway ${objectKey(gateway.meta)}; use type IPAddress with a 127.0.0.0/8 value, or remove the entry`})
    }
  }
  return out
}
function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}
