import chalk from 'chalk'

import type {HostEntry} from './block.js'
import {WSL_WINDOWS_HOSTS_FILE} from './hosts-file.js'
import type {HostResolution} from './resolve.js'
import type {CleanReport, HostsState, ReplacedBlock, SyncReport} from './sync.js'

/** Text for the `kingress hosts` commands (and `kingress up --hosts`). Pure: reports in, lines out. */

export interface Rendered {
  /** The report, for stdout. */
  readonly out: string[]
  /** Warnings, for stderr. */
  readonly warnings: string[]
}

const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`

export function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return chalk.bold(line)
      if (line.startsWith('@@')) return chalk.cyan(line)
      if (line.startsWith('+')) return chalk.green(line)
      if (line.startsWith('-')) return chalk.red(line)
      return line
    })
    .join('\n')
}

/** How to reach a wildcard host when the hosts file cannot hold it. */
export function wildcardAdvice(wildcard: string, ip: string): string {
  const example = `app.${wildcard.slice(2)}`
  return (
    `${wildcard}: a hosts file cannot hold wildcards. Give each name you use its own rule host (e.g. ${example}), ` +
    `or start Chromium with --host-resolver-rules="MAP ${wildcard} ${ip}", or use curl --resolve ${example}:80:${ip}`
  )
}

function describeReplaced(replaced: ReplacedBlock): string | null {
  switch (replaced.reason) {
    case 'stale':
      return `replaced a stale kingress block left by \`kingress up --hosts\` (pid ${replaced.pid ?? '?'}, no longer running)`
    case 'forced':
      return `took over the kingress block of the running \`kingress up --hosts\` (pid ${replaced.pid ?? '?'})`
    case 'unmarked':
      return 'replaced a kingress block without owner line (hand-written or from an older kingress)'
    default:
      return null
  }
}

export function renderSyncReport(report: SyncReport): Rendered {
  const out: string[] = []
  const warnings: string[] = []
  const target = report.ips.join(' and ')
  const file = report.hostsFile

  for (const invalid of report.invalid) warnings.push(`skipped "${invalid.host}": it ${invalid.reason}`)

  if (report.dryRun) {
    if (report.diff) out.push(colorDiff(report.diff.trimEnd()))
  }
  // A Gateway's hosts may be on an address of their own: each host with the addresses it gets.
  const ipsOf = new Map<string, string[]>()
  for (const e of report.entries) ipsOf.set(e.host, [...(ipsOf.get(e.host) ?? []), e.ip])
  const targetOf = (host: string) => ipsOf.get(host)?.join(' and ') ?? target
  const changes: string[] = []
  for (const host of report.added) changes.push(`  ${chalk.green('+')} ${host} → ${targetOf(host)}`)
  for (const host of report.removed) changes.push(`  ${chalk.red('-')} ${host}`)
  for (const host of report.unchanged) changes.push(`  ${chalk.dim('=')} ${host} → ${targetOf(host)}`)

  const hostCount = new Set(report.entries.map((e) => e.host)).size
  if (!report.changed) {
    out.push(hostCount > 0 ? `${file} is up to date: ${plural(hostCount, 'host')} → ${target}. Nothing written.` : `${file}: no host to add, and no kingress block. Nothing written.`)
  } else if (report.dryRun) {
    out.push(...changes)
    out.push(`dry run: ${file} would get ${plural(hostCount, 'host')} → ${target} in the kingress block. Nothing written.`)
  } else {
    out.push(...changes)
    out.push(hostCount > 0 ? `Updated ${file}: ${plural(hostCount, 'host')} → ${target}.` : `Removed the kingress block from ${file}: no host left to map.`)
  }

  for (const mapped of report.userMapped) {
    const where = `line${mapped.lines.length > 1 ? 's' : ''} ${mapped.lines.join(', ')}`
    const base = `${mapped.host} is already in ${file} outside the kingress block (${where}: ${mapped.addresses.join(', ')}); left it alone`
    if (mapped.pointsToProxy) out.push(`note: ${base}.`)
    else warnings.push(`${base}, so ${mapped.host} goes to ${mapped.addresses.join(', ')}, not to the proxy. Delete or change that line to use kingress.`)
  }
  for (const wildcard of report.wildcards) out.push(`note: ${wildcardAdvice(wildcard, report.ips[0] ?? '127.0.0.1')}`)
  if (report.replaced) {
    const text = describeReplaced(report.replaced)
    if (text) out.push(`note: ${text}.`)
  }
  if (report.backup) out.push(`Backup of the original file: ${report.backup}`)
  if (report.dnsFlush) (report.dnsFlush.ok ? out : warnings).push(report.dnsFlush.ok ? `macOS: ${report.dnsFlush.message}.` : report.dnsFlush.message)
  warnings.push(...report.warnings)
  if (hostCount > 0 && !report.dryRun) out.push(`Remove the entries with: ${report.removeCommand}`)
  return {out, warnings}
}

export function renderCleanReport(report: CleanReport): Rendered {
  const out: string[] = []
  const warnings = [...report.warnings]
  const file = report.hostsFile
  if (report.skipped === 'no-block') {
    out.push(`${file} has no kingress block. Nothing to remove.`)
    return {out, warnings}
  }
  if (report.skipped === 'other-owner') {
    out.push(`${file}: the kingress block belongs to another kingress process (pid ${report.block?.pid ?? '?'}); left it.`)
    return {out, warnings}
  }
  const hosts = [...new Set(report.removed.map((e) => e.host))]
  if (report.dryRun) {
    if (report.diff) out.push(colorDiff(report.diff.trimEnd()))
    out.push(`dry run: would remove the kingress block (${plural(hosts.length, 'host')}) from ${file}. Nothing written.`)
  } else {
    for (const host of hosts) out.push(`  ${chalk.red('-')} ${host}`)
    out.push(`Removed the kingress block (${plural(hosts.length, 'host')}) from ${file}; the rest of the file is as it was.`)
  }
  if (report.backup) out.push(`Backup of the file before: ${report.backup}`)
  if (report.dnsFlush) (report.dnsFlush.ok ? out : warnings).push(report.dnsFlush.ok ? `macOS: ${report.dnsFlush.message}.` : report.dnsFlush.message)
  return {out, warnings}
}

const STATE_TEXT: Record<HostResolution['state'], string> = {
  proxy: 'yes',
  mixed: 'partly',
  elsewhere: 'NO',
  unresolved: 'NO',
}

/** The `kingress hosts list` view: managed entries and where each host resolves now. */
export function renderHostsList(state: HostsState, resolutions: readonly HostResolution[], options: {readonly systemFile: boolean}): Rendered {
  const out: string[] = []
  const warnings: string[] = []
  const block = state.block
  if (!block) {
    out.push(`${state.hostsFile} has no kingress block. Add one with: kingress hosts sync FILE...`)
    return {out, warnings}
  }
  const meta = block.meta
  const owner = !meta
    ? 'no owner line'
    : meta.owner === 'session'
      ? `owned by \`kingress up --hosts\` pid ${meta.pid ?? '?'}${state.ownerAlive ? ', running' : ', NOT running: stale, the next sync replaces it'}`
      : `written by \`kingress hosts sync\`${meta.since ? ` at ${meta.since}` : ''}`
  out.push(`${state.hostsFile}: kingress block at lines ${block.startLine}-${block.endLine} (${owner})`)
  if (block.entries.length === 0) {
    out.push('  (no entries)')
    return {out, warnings}
  }
  const byHost = new Map<string, HostEntry[]>()
  for (const entry of block.entries) byHost.set(entry.host, [...(byHost.get(entry.host) ?? []), entry])
  const rows = [['HOST', 'MAPPED TO', 'PROXY NOW', 'OS RESOLVER SAYS']]
  for (const [host, entries] of byHost) {
    const resolution = resolutions.find((r) => r.host === host)
    const says = !resolution ? '' : resolution.addresses.length > 0 ? resolution.addresses.join(', ') : `(${resolution.error ?? 'no address'})`
    rows.push([host, entries.map((e) => e.ip).join(', '), resolution ? STATE_TEXT[resolution.state] : '?', says])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const row of rows) out.push('  ' + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   ').trimEnd())
  if (!options.systemFile) {
    out.push(`note: the OS resolver reads the system hosts file, not ${state.hostsFile}: "PROXY NOW" tells where these names go on this machine today.`)
  }
  const off = resolutions.filter((r) => r.state !== 'proxy')
  if (options.systemFile) {
    for (const r of off) {
      if (r.state === 'unresolved') warnings.push(`${r.host} does not resolve (${r.error ?? 'no address'}) although the block maps it: is the system using this hosts file?`)
      else warnings.push(`${r.host} resolves to ${r.addresses.join(', ')}: an earlier hosts line or a DNS entry shadows the kingress entry.`)
    }
  }
  return {out, warnings}
}

/** On WSL, Windows browsers read the Windows hosts file, not WSL's /etc/hosts. */
export function wslNote(realPath: string, commandForWindowsFile: string, needsAdmin = true): string {
  if (realPath.toLowerCase() === WSL_WINDOWS_HOSTS_FILE.toLowerCase()) {
    return 'WSL: this is the Windows hosts file (C:\\Windows\\System32\\drivers\\etc\\hosts), the one Windows browsers use.'
  }
  return (
    'WSL: Windows browsers read C:\\Windows\\System32\\drivers\\etc\\hosts, not this file (and WSL regenerates /etc/hosts at start unless ' +
    `/etc/wsl.conf sets [network] generateHosts = false). For the Windows file${needsAdmin ? ', start your terminal with "Run as administrator" and' : ''} run:\n` +
    `  ${commandForWindowsFile}`
  )
}
