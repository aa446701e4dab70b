import {UserError} from '../errors.js'

/** What to say when a port cannot be bound: why, and the exact command that fixes it on this OS. */

export type BindFailure = 'EACCES' | 'EADDRINUSE' | 'EADDRNOTAVAIL'

export function howToGetPort(port: number, failure: BindFailure, owner: string | null, platform: NodeJS.Platform = process.platform): string {
  if (failure === 'EADDRINUSE') {
    const who = owner ? `${owner} already listens on port ${port}` : `another process already listens on port ${port}`
    const stop = owner?.startsWith('nginx') || owner?.startsWith('apache') || owner?.startsWith('httpd') ? ` (e.g. \`sudo systemctl stop ${owner.split(' ')[0]}\`)` : ''
    return `${who}: stop it${stop} to use ${port}, or choose another port with --http-port/--https-port.`
  }
  if (failure === 'EADDRNOTAVAIL') return `the address is not one of this machine's: pass --bind 127.0.0.1 (or 0.0.0.0 for every interface).`
  if (platform === 'linux') {
    return (
      `ports below 1024 need privileges on Linux. To use ${port}: run kingress with sudo, ` +
      `or allow Node once: \`sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(which node)")"\`, ` +
      `or allow every program: \`sudo sysctl net.ipv4.ip_unprivileged_port_start=${Math.min(port, 80)}\`.`
    )
  }
  if (platform === 'darwin') return `ports below 1024 need privileges here. To use ${port}: run kingress with sudo (\`sudo kingress up ...\`).`
  return `ports below 1024 need administrator rights. To use ${port}: run kingress as administrator.`
}

export class PortUnavailableError extends UserError {
  constructor(
    readonly port: number,
    readonly failure: BindFailure,
    readonly owner: string | null,
    flag: string,
    address: string,
  ) {
    const why = failure === 'EACCES' ? `permission denied` : failure === 'EADDRINUSE' ? 'address already in use' : 'address not available'
    super(`PORT_${failure}`, `cannot listen on ${address}:${port} (${flag} ${port}): ${why}. ${howToGetPort(port, failure, owner)}`)
  }
}

/** Said (on stderr) when the default port could not be bound and kingress fell back to another. */
export function fallbackNotice(requested: number, actual: number, failure: BindFailure, owner: string | null): string {
  return `port ${requested} is not available, serving on ${actual} instead: ${howToGetPort(requested, failure, owner)}`
}
