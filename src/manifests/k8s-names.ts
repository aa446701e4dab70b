import {isIP} from 'node:net'

/** apimachinery's name checks, returning its messages word for word (an empty list means valid). */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?'
const WILDCARD_SUBDOMAIN = `\\*\\.${DNS1123_SUBDOMAIN}`

const subdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN}$`)
const labelRe = new RegExp(`^${DNS1123_LABEL}$`)
const dns1035Re = new RegExp(`^${DNS1035_LABEL}$`)
const wildcardRe = new RegExp(`^${WILDCARD_SUBDOMAIN}$`)
const qualifiedNamePartRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/

function maxLen(n: number): string {
  return `must be no more than ${n} characters`
}

export function dns1123Subdomain(value: string): string[] {
  const errors: string[] = []
  if (value.length > 253) errors.push(maxLen(253))
  if (!subdomainRe.test(value)) {
    errors.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN}')`)
  }
  return errors
}

export function dns1123Label(value: string): string[] {
  const errors: string[] = []
  if (value.length > 63) errors.push(maxLen(63))
  if (!labelRe.test(value)) {
    errors.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${DNS1123_LABEL}')`)
  }
  return errors
}

export function dns1035Label(value: string): string[] {
  const errors: string[] = []
  if (value.length > 63) errors.push(maxLen(63))
  if (!dns1035Re.test(value)) {
    errors.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${DNS1035_LABEL}')`)
  }
  return errors
}

export function wildcardDns1123Subdomain(value: string): string[] {
  const errors: string[] = []
  if (value.length > 253) errors.push(maxLen(253))
  if (!wildcardRe.test(value)) {
    errors.push(`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${WILDCARD_SUBDOMAIN}')`)
  }
  return errors
}

/** A host as the Ingress API accepts it: a DNS subdomain, or `*.` and one; never an IP address. */
export function ingressHost(value: string, allowIp = false): string[] {
  if (!allowIp && isIP(value) !== 0) {
    const errors = ['must be a DNS name, not an IP address']
    if (isIP(value) === 6) errors.push(...dns1123Subdomain(value))
    return errors
  }
  return value.includes('*') ? wildcardDns1123Subdomain(value) : dns1123Subdomain(value)
}

/** IANA service name rules for named ports. */
export function portName(value: string): string[] {
  const errors: string[] = []
  if (value.length > 15) errors.push(maxLen(15))
  if (!/^[-a-z0-9]+$/.test(value)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')
  if (!/[a-z]/.test(value)) errors.push('must contain at least one letter (a-z)')
  if (value.includes('--')) errors.push('must not contain consecutive hyphens')
  if (value.startsWith('-') || value.endsWith('-')) errors.push('must not begin or end with a hyphen')
  return errors
}

const QUALIFIED_NAME_DETAIL = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

/** Annotation and label keys: `[prefix/]name`. */
export function qualifiedName(value: string): string[] {
  const parts = value.split('/')
  let name: string
  const errors: string[] = []
  if (parts.length === 1) {
    name = parts[0]!
  } else if (parts.length === 2) {
    const prefix = parts[0]!
    name = parts[1]!
    if (prefix.length === 0) errors.push('prefix part must be non-empty')
    else for (const message of dns1123Subdomain(prefix)) errors.push(`prefix part ${message}`)
  } else {
    return [`a valid label key ${QUALIFIED_NAME_DETAIL} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]
  }
  if (name.length === 0) errors.push('name part must be non-empty')
  else if (name.length > 63) errors.push('name part must be no more than 63 characters')
  if (!qualifiedNamePartRe.test(name)) errors.push(`name part ${QUALIFIED_NAME_DETAIL}`)
  return errors
}

/** Resource backend kind and name: a path segment. */
export function pathSegmentName(value: string): string[] {
  if (value === '.') return ["may not be '.'"]
  if (value === '..') return ["may not be '..'"]
  const errors: string[] = []
  if (value.includes('/')) errors.push("may not contain '/'")
  if (value.includes('%')) errors.push("may not contain '%'")
  return errors
}
