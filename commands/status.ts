import {isIP} from 'node:net'

import {KingressCommand} from '../src/cli/base-command.js'
import {bindFlagDescribed, gatewayAddressFlag, gatewayClassFlag, gatewayManifestArgs, jsonFlag} from '../src/cli/flags.js'
import {gatewayAddressesOf} from '../src/cli/gateway-addressing.js'
import {renderDiagnostics} from '../src/cli/render-diagnostics.js'
import {statusAsJson, statusAsText} from '../src/cli/render-status.js'
import {UserError} from '../src/errors.js'
import {planGatewaySockets, unknownGatewayFlag} from '../src/gateway/addresses.js'
import {compileGatewayTable} from '../src/gateway/route-table.js'
import {computeStatus} from '../src/gateway/status.js'
import {hasErrors} from '../src/manifests/diagnostic.js'
import {loadSnapshot} from '../src/manifests/snapshot.js'

export default class Status extends KingressCommand {
  static override description =
    "Print the .status a conformant Gateway API controller would write for the GatewayClasses, Gateways and HTTPRoutes in the manifests: Gateway and listener conditions, the address `kingress up` serves each Gateway on (given the same --bind and --gateway-address), attached routes, and each route's parents. Status is information: the exit code is 0 unless a manifest has errors."
  static override examples = ['<%= config.bin %> status fixtures/gateway/ fixtures/services.yaml', '<%= config.bin %> status k8s/ --json', '<%= config.bin %> status k8s/ --class eg', '<%= config.bin %> status k8s/ --gateway-address shop/web=127.0.0.2']
  static override strict = false
  static override args = gatewayManifestArgs
  static override flags = {
    class: gatewayClassFlag,
    json: jsonFlag,
    bind: bindFlagDescribed('the --bind of the `kingress up` whose addresses status.addresses reports (the first Gateway is served there)'),
    'gateway-address': gatewayAddressFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Status)
    // Checked before the manifests are read, as `up` does: a wrong flag is the first thing to fix.
    const named = gatewayAddressesOf(flags['gateway-address'])
    if (isIP(flags.bind) === 0) throw new UserError('BAD_FLAG', `--bind ${flags.bind}: status.addresses holds IP addresses; give --bind as one (e.g. 127.0.0.1).`)
    const loaded = await loadSnapshot(argv as string[])
    const problems = loaded.diagnostics.filter((d) => d.severity !== 'note')
    if (hasErrors(loaded.diagnostics)) {
      process.stderr.write(renderDiagnostics(problems) + '\nFix the errors above (`kingress validate` lists them all).\n')
      this.exit(1)
    }
    const plan = planGatewaySockets(compileGatewayTable(loaded.snapshot, {className: flags.class}), flags.bind, {addresses: named, listenerPorts: new Map(), platform: process.platform})
    for (const [key, ip] of named) if (!plan.addresses.has(key)) process.stderr.write(`kingress: ${unknownGatewayFlag(key, ip)}\n`)
    const addresses = plan.addresses
    const result = computeStatus(loaded.snapshot, {className: flags.class, addresses})
    if (flags.json) {
      process.stdout.write(JSON.stringify(statusAsJson(result.items), null, 2) + '\n')
      return
    }
    if (problems.length > 0) process.stderr.write(renderDiagnostics(problems) + '\n')
    if (result.items.length === 0) {
      const scope = flags.class === undefined ? '' : ` of class ${flags.class}`
      this.log(`No GatewayClass, Gateway or HTTPRoute${scope} in ${loaded.files.length === 1 ? 'the file' : `the ${loaded.files.length} files`}: nothing a Gateway API controller would write status for.`)
      return
    }
    this.log(statusAsText(result.items))
  }
}
