import {Flags} from '@oclif/core'

import {KingressCommand} from '../../src/cli/base-command.js'
import {renderTrustReport, uninstallCA} from '../../src/tls/trust/index.js'

export default class CaUninstall extends KingressCommand {
  static override description = 'Remove the kingress local CA from the trust stores `kingress ca install` put it in (the CA files stay).'
  static override examples = ['<%= config.bin %> ca uninstall', '<%= config.bin %> ca uninstall --dry-run']
  static override flags = {'dry-run': Flags.boolean({description: 'say what would be done, change no trust store'})}

  async run(): Promise<void> {
    const {flags} = await this.parse(CaUninstall)
    const report = await uninstallCA({dryRun: flags['dry-run']})
    this.log(renderTrustReport(report))
    if (!report.ok) this.exit(1)
  }
}
