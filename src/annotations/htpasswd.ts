import {createHash, timingSafeEqual} from 'node:crypto'

import bcrypt from 'bcryptjs'

/**
 * htpasswd lines (`user:hash`) as nginx's auth_basic_user_file accepts them: bcrypt (`$2y$`,
 * `$2a$`, `$2b$`), Apache MD5 (`$apr1$`), SHA-1 (`{SHA}`), and plain text (nginx's `{PLAIN}`).
 */
export function parseHtpasswd(text: string): Map<string, string> {
  const users = new Map<string, string>()
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const colon = trimmed.indexOf(':')
    if (colon > 0) users.set(trimmed.slice(0, colon), trimmed.slice(colon + 1))
  }
  return users
}

export function verifyPassword(password: string, hash: string): boolean {
  if (/^\$2[aby]\$/.test(hash)) return bcrypt.compareSync(password, hash.replace(/^\$2y\$/, '$2b$'))
  if (hash.startsWith('$apr1$')) return safeEqual(apr1(password, hash.split('$')[2] ?? ''), hash)
  if (hash.startsWith('{SHA}')) return safeEqual('{SHA}' + createHash('sha1').update(password).digest('base64'), hash)
  if (hash.startsWith('{PLAIN}')) return safeEqual('{PLAIN}' + password, hash)
  return false
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Apache's MD5-crypt variant (`htpasswd -m`), as specified by its reference implementation. */
export function apr1(password: string, salt: string): string {
  const magic = '$apr1$'
  salt = salt.slice(0, 8)
  const pw = Buffer.from(password)
  const md5 = () => createHash('md5')
  let alt = md5().update(pw).update(salt).update(pw).digest()
  const ctx = md5().update(pw).update(magic).update(salt)
  for (let length = pw.length; length > 0; length -= 16) ctx.update(alt.subarray(0, Math.min(16, length)))
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.from([0]) : pw.subarray(0, 1))
  let final = ctx.digest()
  for (let i = 0; i < 1000; i++) {
    const round = md5()
    round.update(i & 1 ? pw : final)
    if (i % 3) round.update(salt)
    if (i % 7) round.update(pw)
    round.update(i & 1 ? final : pw)
    final = round.digest()
  }
  alt = final
  const to64 = (value: number, count: number) => {
    let out = ''
    for (let i = 0; i < count; i++, value >>= 6) out += ITOA64[value & 0x3f]
    return out
  }
  const b = (i: number) => alt[i]!
  const encoded =
    to64((b(0) << 16) | (b(6) << 8) | b(12), 4) +
    to64((b(1) << 16) | (b(7) << 8) | b(13), 4) +
    to64((b(2) << 16) | (b(8) << 8) | b(14), 4) +
    to64((b(3) << 16) | (b(9) << 8) | b(15), 4) +
    to64((b(4) << 16) | (b(10) << 8) | b(5), 4) +
    to64(b(11), 2)
  return `${magic}${salt}$${encoded}`
}
