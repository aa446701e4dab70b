import type {Semantics} from '../routing/compile.js'
import type {DockerProvider} from '../backends/docker/index.js'
import {gatewayAddressing} from '../cli/gateway-addressing.js'
import {dockerStatusLine} from './docker-status.js'
import {buildProviders} from './providers.js'
import {listenOptions, serveUntilStopped} from './serve.js'
import type {UpPlan} from './serve-plan.js'
import {startSession} from './session.js'
import {chooseView} from './view.js'

/** `kingress up`, once its command line is parsed: serves the manifests until SIGINT/SIGTERM. */
export async function runUp(plan: UpPlan): Promise<void> {
  const {flags} = plan
  const gateways = gatewayAddressing(flags)
  const view = chooseView(flags)
  let dockerProvider: DockerProvider | null = null
  // Loaded only when used: dockerode and its dependencies are about 27 MB of memory.
  const docker = async () => {
    const {createDockerProvider} = await import('../backends/docker/index.js')
    dockerProvider = await createDockerProvider({onWarning: (line) => process.stderr.write(`kingress: ${line}\n`)})
    return dockerProvider
  }
  const providers = await buildProviders({backends: flags.backend ?? [], docker: flags.docker}, docker)
  const session = await startSession({
    inputs: plan.inputs,
    className: flags.class,
    semantics: flags.semantics as Semantics,
    providers,
    ...listenOptions(flags, view),
    gateways,
  })
  await serveUntilStopped(session, {
    view,
    manifests: plan.inputs,
    hosts: plan.hosts === null ? null : {...plan.hosts, bind: flags.bind},
    dockerStatus: () => dockerStatusLine(flags.docker, dockerProvider),
  })
}
