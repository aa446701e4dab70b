/**
 * nginx's ngx_escape_uri(NGX_ESCAPE_URI) (src/core/ngx_string.c), which nginx applies to a URI it
 * rebuilt (after a rewrite, in a redirect's Location): control bytes, space, `"`, `#`, `%`, `<`,
 * `>`, `?`, `\`, `^`, `` ` ``, `{`, `|`, `}`, DEL and every non-ASCII byte become `%XX` (upper
 * case); `/`, `+`, `&`, `;`, `=`, `:`, `@` stay. Input is the decoded URI; output is ASCII.
 */
export function escapeUri(decoded: string): string {
  if (!NEEDS_ESCAPE.test(decoded)) return decoded
  let out = ''
  for (const byte of Buffer.from(decoded, 'utf8')) {
    out += byte < 0x80 && !ESCAPED_ASCII.has(byte) ? String.fromCharCode(byte) : '%' + HEX[byte >> 4] + HEX[byte & 15]
  }
  return out
}

const HEX = '0123456789ABCDEF'
const ESCAPED_ASCII = new Set<number>([...Array.from({length: 0x21}, (_, i) => i), ...[...'"#%<>?\\^`{|}'].map((c) => c.charCodeAt(0)), 0x7f])
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\x00-\x20"#%<>?\\^`{|}\x7f-\uffff]/
