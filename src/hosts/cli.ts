import {Flags} from '@oclif/core'
import chalk from 'chalk'

import {formatDiagnostic} from '../manifests/diagnostic.js'
import {loadSnapshot} from '../manifests/snapshot.js'
import {UserError} from '../errors.js'
import {defaultHostsFile, isWsl, WSL_WINDOWS_HOSTS_FILE} from './hosts-file.js'
import type {Rendered} from './render.js'
import {wslNote} from './render.js'
import {shellCommand} from './shell-quote.js'
import {planGatewaySockets, type GatewayAddressing} from '../gateway/addresses.js'
import {compileGatewayTable} from '../gateway/route-table.js'
import {servedNames, type ServedNames} from './served-names.js'
import {ingressesOfClass} from './snapshot-hosts.js'

/** What the `kingress hosts …` commands share: flags, manifest loading, printing. */

export const hostsFileFlag = Flags.string({
  description: `hosts file to change (default: the system's, ${process.platform === 'win32' ? defaultHostsFile() : '/etc/hosts'}; under WSL pass ${WSL_WINDOWS_HOSTS_FILE} for Windows browsers)`,
  helpValue: 'PATH',
})
export const ipFlag = Flags.string({description: 'address the hosts point at: where the proxy listens', default: '127.0.0.1', helpValue: 'ADDR'})
export const ipv6Flag = Flags.boolean({description: 'also map every host to ::1'})
export const dryRunFlag = Flags.boolean({description: 'print a unified diff of the change and write nothing'})
export const hostsClassFlag = Flags.string({description: 'only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class annotation) and Gateways of this gatewayClassName', helpValue: 'NAME'})

export function hostsFileOrDefault(flag: string | undefined): string {
  return flag ?? defaultHostsFile()
}

/** `kingress hosts sync a.yaml --ip 1.2.3.4`, quoted for a shell: what to re-run with sudo. */
export function rerunCommand(commandId: string, argv: readonly string[]): string {
  return `kingress ${commandId.replaceAll(':', ' ')}${argv.length > 0 ? ' ' + shellCommand(argv) : ''}`
}

/** Where `kingress up` would serve each Gateway: `ip` for the Ingresses (and the first Gateway), --gateway-address for the rest. */
export interface GatewayPlacement {
  readonly ip: string
  readonly addressing: GatewayAddressing
}

/**
 * Loads the manifests and returns their hosts: the Ingresses', and the hostnames of the Gateway
 * listeners and HTTPRoutes `up` would serve, each on its Gateway's address as `up` places it. On an
 * error in them, prints every finding to stderr and throws an ExitError (exit 1) through `exit`.
 */
export async function hostsOfManifests(files: readonly string[], className: string | undefined, exit: (code: number) => never, placement: GatewayPlacement = {ip: '127.0.0.1', addressing: {addresses: new Map(), listenerPorts: new Map(), platform: process.platform}}): Promise<ServedNames> {
  const {snapshot, diagnostics} = await loadSnapshot(files)
  const shown = diagnostics.filter((d) => d.severity !== 'note')
  if (diagnostics.some((d) => d.severity === 'error')) {
    process.stderr.write(diagnostics.map(formatDiagnostic).join('\n') + '\nFix the errors above (`kingress validate` lists them all); the hosts file was not changed.\n')
    exit(1)
  }
  if (shown.length > 0) process.stderr.write(shown.map(formatDiagnostic).join('\n') + '\n')
  const gateways = compileGatewayTable(snapshot, {className})
  const plan = gateways.listeners.length === 0 ? null : planGatewaySockets(gateways, placement.ip, placement.addressing)
  for (const warning of plan?.warnings ?? []) process.stderr.write(`${chalk.yellow('warning:')} ${warning}\n`)
  return servedNames(ingressesOfClass(snapshot, className), gateways, placement.ip, plan === null ? undefined : (gateway) => plan.addresses.get(gateway) ?? placement.ip)
}

export function requireManifests(files: readonly string[], example: string): void {
  if (files.length === 0) {
    throw new UserError('NO_MANIFESTS', `give the Ingress manifests whose hosts to map (files or folders), e.g.\n  ${example}`)
  }
}

export function print(rendered: Rendered, log: (line: string) => void): void {
  for (const line of rendered.out) log(line)
  for (const warning of rendered.warnings) process.stderr.write(`${chalk.yellow('warning:')} ${warning}\n`)
}

/** Under WSL, a line about the Windows hosts file (the one Windows browsers read). */
export async function wslHint(realPath: string, commandForWindowsFile: string, needsAdmin = true): Promise<string | null> {
  return (await isWsl()) ? wslNote(realPath, commandForWindowsFile, needsAdmin) : null
}
