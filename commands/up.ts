import {Flags} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {backendFlag, classFlag, dockerFlag, manifestArgs, semanticsFlag} from '../src/cli/flags.js'
import {handOff} from '../src/cli/hand-off.js'
import {gatewayFlags, listenFlags} from '../src/cli/serve-flags.js'
import {hostsFileOrDefault, rerunCommand} from '../src/hosts/cli.js'
import {requireSupportedNode} from '../src/runtime/node-support.js'
import type {UpPlan} from '../src/runtime/serve-plan.js'

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
    const plan: UpPlan = {
      command: 'up',
      inputs: argv as string[],
      flags,
      hosts: flags.hosts ? {hostsFile: hostsFileOrDefault(flags['hosts-file']), rerun: rerunCommand(this.id ?? 'up', this.argv)} : null,
    }
    handOff(plan, this.argv)
    // Only when it serves in this process: the serving code is not loaded before the hand-off.
    const {runUp} = await import('../src/runtime/run-up.js')
    await runUp(plan)
  }
}
