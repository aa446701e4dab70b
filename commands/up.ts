import {Flags} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {backendFlag, classFlag, dockerFlag, manifestArgs, semanticsFlag} from '../src/cli/flags.js'
import type {Semantics} from '../src/routing/compile.js'
import {buildProviders} from '../src/runtime/providers.js'
import type {DockerProvider} from '../src/backends/docker/index.js'
import {hostsFileOrDefault, rerunCommand} from '../src/hosts/cli.js'
import {dockerStatusLine} from '../src/runtime/docker-status.js'
import {gatewayAddressing, gatewayFlags, listenFlags, listenOptions, serveUntilStopped} from '../src/runtime/serve.js'
import {requireSupportedNode} from '../src/runtime/node-support.js'
import {startSession} from '../src/runtime/session.js'
import {chooseView} from '../src/runtime/view.js'

export default class Up extends KingressCommand {
  static override description = 'Serve Ingress manifests: a local reverse proxy that routes like ingress-nginx, with live reload.'
  static override examples = [
    '<%= config.bin %> up fixtures/virtual-host-ingress.yaml --backend webserver-blue-svc=127.0.0.1:3000 --backend webserver-green-svc=127.0.0.1:3001',
    '<%= config.bin %> up k8s/ --http-port 8080 --no-docker --backend web=127.0.0.1:5173',
    '<%= config.bin %> up ingresses/ gateway/ --gateway-address shop/ingress-nginx=127.0.0.2 --listener-port 8000=18000',
  ]
  static override strict = false
  static override args = manifestArgs
  static override flags = {
    ...listenFlags,
    ...gatewayFlags,
    backend: backendFlag,
    docker: dockerFlag,
    class: classFlag,
    semantics: semanticsFlag,
    hosts: Flags.boolean({description: 'add the served hosts to the hosts file while up, and remove them on exit'}),
    'hosts-file': Flags.string({description: 'the hosts file --hosts manages (default: the system one)', helpValue: 'PATH'}),
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Up)
    requireSupportedNode()
    const inputs = argv as string[]
    const gateways = gatewayAddressing(flags)
    const view = chooseView(flags)
    let dockerProvider: DockerProvider | null = null
    // Loaded only when used: dockerode and its dependencies are about 27 MB of memory.
    const docker = async () => {
      const {createDockerProvider} = await import('../src/backends/docker/index.js')
      dockerProvider = await createDockerProvider({onWarning: (line) => process.stderr.write(`kingress: ${line}\n`)})
      return dockerProvider
    }
    const providers = await buildProviders({backends: flags.backend ?? [], docker: flags.docker}, docker)
    const session = await startSession({
      inputs,
      className: flags.class,
      semantics: flags.semantics as Semantics,
      providers,
      ...listenOptions(flags, view),
      gateways,
    })
    await serveUntilStopped(session, {
      view,
      manifests: inputs,
      hosts: flags.hosts ? {hostsFile: hostsFileOrDefault(flags['hosts-file']), bind: flags.bind, rerun: rerunCommand(this.id ?? 'up', this.argv)} : null,
      dockerStatus: () => dockerStatusLine(flags.docker, dockerProvider),
    })
  }
}
