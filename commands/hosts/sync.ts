import {Args, Flags} from '@oclif/core'

import {KingressCommand} from '../../src/cli/base-command.js'
import {dryRunFlag, hostsClassFlag, hostsFileFlag, hostsFileOrDefault, hostsOfManifests, ipFlag, ipv6Flag, print, requireManifests, rerunCommand, wslHint} from '../../src/hosts/cli.js'
import {WSL_WINDOWS_HOSTS_FILE} from '../../src/hosts/hosts-file.js'
import {renderSyncReport} from '../../src/hosts/render.js'
import {shellCommand} from '../../src/hosts/shell-quote.js'
import {syncHosts} from '../../src/hosts/sync.js'
import {gatewayAddressing} from '../../src/cli/gateway-addressing.js'
import {gatewayFlags} from '../../src/cli/serve-flags.js'

export default class HostsSync extends KingressCommand {
  static override description =
    'Point every host your Ingresses and HTTPRoutes name at the local proxy, in a managed block of the hosts file (a Gateway\'s hostnames at the address `kingress up` serves that Gateway on).\n' +
    'Only the lines between "# BEGIN kingress" and "# END kingress" are kingress\'s; the rest of the file stays byte-for-byte as it is. ' +
    'Running it again with the same manifests writes nothing. Hosts you already map yourself are left alone and reported.'

  static override examples = [
    '<%= config.bin %> hosts sync fixtures/virtual-host-ingress.yaml',
    '<%= config.bin %> hosts sync k8s/ --dry-run',
    '<%= config.bin %> hosts sync k8s/ --ipv6',
    '<%= config.bin %> hosts sync k8s/gateway/ --gateway-address shop/web=127.0.0.5',
    '<%= config.bin %> hosts sync k8s/ --hosts-file /mnt/c/Windows/System32/drivers/etc/hosts',
  ]

  static override strict = false
  static override args = {
    files: Args.string({description: 'Ingress and Gateway API manifests: YAML or JSON files, or folders of them'}),
  }

  static override flags = {
    'hosts-file': hostsFileFlag,
    ip: ipFlag,
    ipv6: ipv6Flag,
    'dry-run': dryRunFlag,
    class: hostsClassFlag,
    force: Flags.boolean({description: 'take over a block that a running `kingress up --hosts` owns'}),
    'gateway-address': gatewayFlags['gateway-address'],
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(HostsSync)
    const files = argv as string[]
    requireManifests(files, 'kingress hosts sync k8s/ingress.yaml')
    const placement = {ip: flags.ip, addressing: gatewayAddressing({'gateway-address': flags['gateway-address']})}
    const {names, wildcards, addresses} = await hostsOfManifests(files, flags.class, (code) => this.exit(code), placement)
    const hostsFile = hostsFileOrDefault(flags['hosts-file'])
    const report = await syncHosts({
      hostsFile,
      hosts: names,
      wildcards,
      addresses,
      ip: flags.ip,
      ipv6: flags.ipv6,
      owner: 'static',
      dryRun: flags['dry-run'],
      force: flags.force,
      rerun: rerunCommand(this.id ?? 'hosts:sync', this.argv),
    })
    if (names.length === 0 && wildcards.length === 0) {
      this.log('note: the manifests name no host: their Ingress rules and HTTPRoutes match every host, so http://localhost reaches them.')
    }
    print(renderSyncReport(report), (line) => this.log(line))
    const forWindows = `kingress hosts sync ${shellCommand(files)}${flags.ip === '127.0.0.1' ? '' : ` --ip ${flags.ip}`} --hosts-file ${WSL_WINDOWS_HOSTS_FILE}`
    const hint = await wslHint(report.realPath, forWindows)
    if (hint) this.log(hint)
  }
}
