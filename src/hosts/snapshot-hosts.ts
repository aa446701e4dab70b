import type {Ingress, Snapshot} from '../manifests/model.js'

export interface SnapshotHosts {
  /** Exact names, lower-case, sorted, without duplicates: what goes in the hosts file. */
  readonly names: string[]
  /** `*.example.com` names: a hosts file cannot hold them. */
  readonly wildcards: string[]
}

/**
 * Every host the Ingresses name, in `spec.rules[].host` and `spec.tls[].hosts`. A rule without a
 * host matches every host and needs no entry. With `className`, only Ingresses of that class (as
 * `kingress up --class` serves them).
 */
export function hostsOfSnapshot(snapshot: Snapshot, options: {readonly className?: string} = {}): SnapshotHosts {
  return hostsOfIngresses(ingressesOfClass(snapshot, options.className))
}

/** The Ingresses `kingress up --class` serves: all without a class given. */
export function ingressesOfClass(snapshot: Snapshot, className: string | undefined): readonly Ingress[] {
  return className === undefined ? snapshot.ingresses : snapshot.ingresses.filter((i) => i.className === className)
}

/** As hostsOfSnapshot, for Ingresses already chosen (a running session's served ones). */
export function hostsOfIngresses(ingresses: readonly Ingress[]): SnapshotHosts {
  const names = new Set<string>()
  const wildcards = new Set<string>()
  for (const ingress of ingresses) {
    const hosts = [...ingress.rules.map((r) => r.host), ...ingress.tls.flatMap((t) => t.hosts)]
    for (const raw of hosts) {
      if (raw === null) continue
      const host = raw.trim().toLowerCase().replace(/\.$/, '')
      if (host === '') continue
      if (host.startsWith('*.')) wildcards.add(host)
      else names.add(host)
    }
  }
  return {names: [...names].sort(), wildcards: [...wildcards].sort()}
}
