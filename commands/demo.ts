import {Flags} from '@oclif/core'

import {KingressCommand} from '../src/cli/base-command.js'
import {handOff} from '../src/cli/hand-off.js'
import {listenFlags} from '../src/cli/serve-flags.js'
import {requireSupportedNode} from '../src/runtime/node-support.js'
import type {DemoPlan} from '../src/runtime/serve-plan.js'

export default class Demo extends KingressCommand {
  static override description =
    'The blue/green example from the Kubernetes Ingress documentation, end to end and without Docker: a blue and a green web server behind its virtual-host and fan-out Ingresses (with --gateway, behind the same example as a Gateway and HTTPRoutes).'
  static override examples = ['<%= config.bin %> demo', '<%= config.bin %> demo --http-port 8080', '<%= config.bin %> demo --gateway']
  static override flags = {
    ...listenFlags,
    gateway: Flags.boolean({description: 'serve the example as the Gateway API writes it (fixtures/gateway/blue-green.yaml: a Gateway and three HTTPRoutes) instead of the Ingresses'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Demo)
    requireSupportedNode()
    const plan: DemoPlan = {command: 'demo', flags}
    handOff(plan, this.argv)
    // Only when it serves in this process: the serving code is not loaded before the hand-off.
    const {runDemo} = await import('../src/runtime/run-demo.js')
    await runDemo(plan)
  }
}
