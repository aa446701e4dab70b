/** Parsers for the value syntaxes ingress-nginx annotations use. Each returns null when the value is malformed. */

export function parseInteger(value: string, min: number, max: number): number | null {
  if (!/^-?\d+$/.test(value.trim())) return null
  const n = Number(value.trim())
  return n >= min && n <= max ? n : null
}

const SIZE_UNITS: Record<string, number> = {'': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3}

/** nginx sizes: `8m`, `512k`, `1g`, `1024` or `1024b` (bytes); `0` means unlimited. */
export function parseSize(value: string): number | null {
  const match = /^(\d+)([bBkKmMgG]?)$/.exec(value.trim())
  if (!match) return null
  return Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!
}

export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

export interface Cidr {
  readonly text: string
  readonly family: 4 | 6
  readonly bytes: Uint8Array
  readonly prefix: number
}

/** An address or CIDR as Go's net.ParseIP and net.ParseCIDR read them: no spaces, signs or leading zeros in an IPv4 octet. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/')
  const address = slash === -1 ? text : text.slice(0, slash)
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1)
  const v4 = parseIpv4(address)
  const bytes = v4 ?? parseIpv6(address)
  if (!bytes) return null
  const family = v4 ? 4 : 6
  const max = family === 4 ? 32 : 128
  const prefix = prefixText === undefined ? max : /^\d+$/.test(prefixText) ? Number(prefixText) : null
  if (prefix === null || prefix > max) return null
  // Go writes an IPv4-mapped address, or a range of them from /96 on, as plain IPv4 (IPNet.String),
  // and that is the rule nginx gets; client addresses are compared as IPv4 too.
  if (family === 6 && prefix >= 96 && isV4Mapped(bytes)) return {text, family: 4, bytes: bytes.slice(12), prefix: prefix - 96}
  return {text, family, bytes, prefix}
}

export function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.')
  if (parts.length !== 4) return null
  const bytes = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null
    bytes[i] = Number(part)
  }
  return bytes
}

export function parseIpv6(text: string): Uint8Array | null {
  if (!text.includes(':')) return null
  let head = text
  let tail4: Uint8Array | null = null
  const lastColon = text.lastIndexOf(':')
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIpv4(text.slice(lastColon + 1))
    if (!tail4) return null
    head = text.slice(0, lastColon + 1) + '0:0'
  }
  const halves = head.split('::')
  if (halves.length > 2) return null
  const left = halves[0] ? halves[0].split(':') : []
  const right = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const missing = 8 - left.length - right.length
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]
  const bytes = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null
    const n = parseInt(g, 16)
    bytes[i * 2] = n >> 8
    bytes[i * 2 + 1] = n & 0xff
  }
  if (tail4) bytes.set(tail4, 12)
  return bytes
}

function isV4Mapped(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
}

/** Client address in a CIDR; IPv4-mapped IPv6 (`::ffff:127.0.0.1`, as Node reports it) counts as IPv4, and a zone (`fe80::1%eth0`) is not part of the address. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  const zone = address.indexOf('%')
  const plain = zone === -1 ? address : address.slice(0, zone)
  const v4 = parseIpv4(plain)
  const v6 = v4 === null ? parseIpv6(plain) : null
  const bytes = v4 ?? (v6 !== null && isV4Mapped(v6) ? v6.slice(12) : v6)
  if (!bytes) return false
  if (bytes.length !== cidr.bytes.length) return false
  let bits = cidr.prefix
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if ((bytes[i]! & mask) !== (cidr.bytes[i]! & mask)) return false
  }
  return true
}
