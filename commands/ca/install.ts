import {Flags} from '@oclif/core'

import {KingressCommand} from '../../src/cli/base-command.js'
import {installCA, renderTrustReport} from '../../src/tls/trust/index.js'

export default class CaInstall extends KingressCommand {
  static override description =
    'Trust the kingress local CA: in the system store and in the NSS databases of Chrome/Chromium and Firefox. ' +
    'Never runs sudo: what needs root is printed as commands to run. Creates the CA on first use.'
  static override examples = ['<%= config.bin %> ca install', '<%= config.bin %> ca install --dry-run']
  static override flags = {'dry-run': Flags.boolean({description: 'say what would be done; change no trust store (a missing CA is still created)'})}

  async run(): Promise<void> {
    const {flags} = await this.parse(CaInstall)
    const report = await installCA({dryRun: flags['dry-run']})
    this.log(renderTrustReport(report))
    if (!report.ok) this.exit(1)
  }
}
