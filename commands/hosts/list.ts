import {Args} from '@oclif/core'

import {KingressCommand} from '../../src/cli/base-command.js'
import {hostsClassFlag, hostsFileFlag, hostsFileOrDefault, hostsOfManifests, print, wslHint} from '../../src/hosts/cli.js'
import {isSystemHostsFile, WSL_WINDOWS_HOSTS_FILE} from '../../src/hosts/hosts-file.js'
import {renderHostsList, wildcardAdvice} from '../../src/hosts/render.js'
import {checkResolution} from '../../src/hosts/resolve.js'
import {readHostsState} from '../../src/hosts/sync.js'

export default class HostsList extends KingressCommand {
  static override description =
    'Show the hosts in the kingress block and whether each one resolves to the proxy now (asking the OS resolver, so a DNS entry or an earlier hosts line that shadows it shows up). ' +
    'Given manifests, also show their hosts that the block lacks.'

  static override examples = ['<%= config.bin %> hosts list', '<%= config.bin %> hosts list k8s/', '<%= config.bin %> hosts list --hosts-file /mnt/c/Windows/System32/drivers/etc/hosts']

  static override strict = false
  static override args = {
    files: Args.string({description: 'Ingress manifests to compare with the block (optional)'}),
  }

  static override flags = {
    'hosts-file': hostsFileFlag,
    class: hostsClassFlag,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(HostsList)
    const files = argv as string[]
    const hostsFile = hostsFileOrDefault(flags['hosts-file'])
    const state = await readHostsState(hostsFile)
    const entries = state.block?.entries ?? []
    const hosts = [...new Set(entries.map((e) => e.host))]
    const resolutions = await checkResolution(hosts, [...new Set(entries.map((e) => e.ip))])
    print(renderHostsList(state, resolutions, {systemFile: await isSystemHostsFile(state.realPath)}), (line) => this.log(line))

    if (files.length > 0) {
      const wanted = await hostsOfManifests(files, flags.class, (code) => this.exit(code))
      const inBlock = new Set(hosts)
      const mappedByUser = new Set(state.userMappings.flatMap((m) => m.names))
      const missing = wanted.names.filter((h) => !inBlock.has(h))
      for (const host of missing) {
        this.log(mappedByUser.has(host) ? `note: ${host} is mapped outside the kingress block (your own line).` : `missing: ${host} is not in the hosts file; run kingress hosts sync ${files.join(' ')}`)
      }
      for (const wildcard of wanted.wildcards) this.log(`note: ${wildcardAdvice(wildcard, entries[0]?.ip ?? '127.0.0.1')}`)
    }
    const hint = await wslHint(state.realPath, `kingress hosts list --hosts-file ${WSL_WINDOWS_HOSTS_FILE}`, false)
    if (hint) this.log(hint)
  }
}
