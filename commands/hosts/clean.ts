import {Args} from '@oclif/core'

import {KingressCommand} from '../../src/cli/base-command.js'
import {dryRunFlag, hostsFileFlag, hostsFileOrDefault, print, rerunCommand, wslHint} from '../../src/hosts/cli.js'
import {WSL_WINDOWS_HOSTS_FILE} from '../../src/hosts/hosts-file.js'
import {renderCleanReport} from '../../src/hosts/render.js'
import {cleanHosts} from '../../src/hosts/sync.js'

export default class HostsClean extends KingressCommand {
  static override description =
    'Remove the kingress block from the hosts file, leaving the file exactly as it was before the first `kingress hosts sync`.'

  static override examples = [
    '<%= config.bin %> hosts clean',
    '<%= config.bin %> hosts clean --dry-run',
    '<%= config.bin %> hosts clean --hosts-file /mnt/c/Windows/System32/drivers/etc/hosts',
  ]

  // `kingress hosts clean app.yaml` is accepted (DESIGN's `hosts sync|clean|list [FILE ...]`): the
  // block is one for all manifests, so the files change nothing.
  static override strict = false
  static override args = {
    files: Args.string({description: 'ignored: clean removes the whole kingress block'}),
  }

  static override flags = {
    'hosts-file': hostsFileFlag,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(HostsClean)
    const hostsFile = hostsFileOrDefault(flags['hosts-file'])
    const report = await cleanHosts({hostsFile, dryRun: flags['dry-run'], rerun: rerunCommand(this.id ?? 'hosts:clean', this.argv)})
    if (argv.length > 0) this.log('note: clean removes the whole kingress block; FILE arguments are not needed.')
    print(renderCleanReport(report), (line) => this.log(line))
    const hint = await wslHint(report.realPath, `kingress hosts clean --hosts-file ${WSL_WINDOWS_HOSTS_FILE}`)
    if (hint) this.log(hint)
  }
}
