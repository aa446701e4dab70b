import {EndpointSliceProvider} from '../backends/endpoint-slices.js'
import {parseBackendFlag, StaticProvider} from '../backends/static.js'
import type {EndpointProvider} from '../backends/types.js'

export interface ProviderOptions {
  /** `--backend [NS/]S[:P]=HOST:PORT` values, in order. */
  readonly backends: readonly string[]
  /** False with `--no-docker`. */
  readonly docker: boolean
}

/** Makes the Docker provider (src/backends/docker), or null when no engine answers. */
export type DockerProviderFactory = () => Promise<EndpointProvider | null>

/**
 * The providers of an `up` session, in DESIGN's resolution order: `--backend` flags, then
 * selector-less Services with EndpointSlices, then Docker (when a factory is given and
 * `--no-docker` is not). Throws BackendFlagError (a UserError) for a malformed flag.
 */
export async function buildProviders(options: ProviderOptions, docker: DockerProviderFactory | null = null): Promise<EndpointProvider[]> {
  const providers: EndpointProvider[] = [new StaticProvider(options.backends.map(parseBackendFlag)), new EndpointSliceProvider()]
  if (options.docker && docker !== null) {
    const provider = await docker()
    if (provider !== null) providers.push(provider)
  }
  return providers
}
