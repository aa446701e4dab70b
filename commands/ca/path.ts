import {KingressCommand} from '../../src/cli/base-command.js'
import {loadOrCreateCA} from '../../src/tls/ca.js'

export default class CaPath extends KingressCommand {
  static override description = 'Print the path of the local CA certificate (PEM), creating the CA if needed. For NODE_EXTRA_CA_CERTS, curl --cacert, etc.'
  static override examples = ['<%= config.bin %> ca path', 'NODE_EXTRA_CA_CERTS="$(<%= config.bin %> ca path)" node client.js', 'curl --cacert "$(<%= config.bin %> ca path)" https://app.example.com/']

  async run(): Promise<void> {
    await this.parse(CaPath)
    const ca = await loadOrCreateCA()
    if (ca.created) process.stderr.write(`Created the kingress local CA "${ca.commonName}". Run \`kingress ca install\` to trust it.\n`)
    this.log(ca.paths.cert)
  }
}
