import {describe, expect, it} from 'vitest'

import {
  appendNeedsEol,
  BEGIN_MARKER,
  detectEol,
  END_MARKER,
  parseHostsText,
  parseMappingLine,
  renderBlock,
  withBlock,
  withoutBlock,
  type BlockMeta,
  type HostEntry,
} from '../../src/hosts/block.js'
import {HostsFormatError} from '../../src/hosts/errors.js'

const entries: HostEntry[] = [
  {ip: '127.0.0.1', host: 'blue.example.com'},
  {ip: '127.0.0.1', host: 'green.example.com'},
]
const meta = (over: Partial<BlockMeta> = {}): BlockMeta => ({owner: 'static', pid: 4242, since: '2025-01-02T03:04:05.000Z', addedEofNewline: false, ...over})

/** Adds a block the way planSync does (eof flag from appendNeedsEol), returns the new text. */
function add(text: string): string {
  const parsed = parseHostsText(text)
  const block = renderBlock(entries, meta({addedEofNewline: appendNeedsEol(parsed)}), {eol: parsed.eol, removeCommand: 'kingress hosts clean'})
  return withBlock(parsed, block)
}

const remove = (text: string): string => withoutBlock(parseHostsText(text))

/** Originals that must survive add + remove byte for byte. */
const TRICKY: Record<string, string> = {
  'empty file': '',
  'one newline': '\n',
  'plain LF': '127.0.0.1 localhost\n::1 localhost\n',
  'no final newline': '127.0.0.1 localhost\n10.0.0.1 db',
  'CRLF': '# Windows\r\n127.0.0.1\tlocalhost\r\n',
  'CRLF, no final newline': '# Windows\r\n127.0.0.1\tlocalhost',
  'comments, tabs, trailing spaces, blank lines': '# comment\t with tab  \n\n127.0.0.1\t\tlocalhost   # inline comment\n\t\n#last\n',
  'only a comment, no newline': '# nothing here',
  'mixed endings': '127.0.0.1 a\r\n127.0.0.2 b\n127.0.0.3 c\r\n',
  'trailing blank lines': '127.0.0.1 localhost\n\n\n',
  'latin1 and UTF-8 bytes': Buffer.from('# caf\u00e9 \u2603\n127.0.0.1 localhost\n', 'utf8').toString('latin1'),
  'UTF-8 BOM': '\u00ef\u00bb\u00bf127.0.0.1 localhost\n',
  'lone CR at end': '127.0.0.1 localhost\r',
}

describe('parseHostsText', () => {
  it('finds the block, its entries and meta', () => {
    const text = add('127.0.0.1 localhost\n')
    const parsed = parseHostsText(text)
    expect(parsed.block).not.toBeNull()
    expect(parsed.block!.startLine).toBe(2)
    expect(parsed.block!.entries).toEqual(entries)
    expect(parsed.block!.meta).toEqual(meta())
    expect(parsed.userMappings).toEqual([{ip: '127.0.0.1', names: ['localhost'], line: 1}])
  })

  it('reads user mappings outside the block only: several names, inline comments, IPv6, case', () => {
    const text = '# 10.0.0.9 commented.example.com\n10.0.0.5  Blue.Example.com   alias # note\nfe80::1%lo0 link\nnot-an-ip name\n' + add('')
    const parsed = parseHostsText(text)
    expect(parsed.userMappings).toEqual([
      {ip: '10.0.0.5', names: ['blue.example.com', 'alias'], line: 2},
      {ip: 'fe80::1%lo0', names: ['link'], line: 3},
    ])
  })

  it('sees through a UTF-8 byte order mark on the first line', () => {
    expect(parseHostsText(TRICKY['UTF-8 BOM']!).userMappings[0]).toMatchObject({ip: '127.0.0.1', names: ['localhost']})
  })

  it('tolerates trailing whitespace after the markers', () => {
    const text = `${BEGIN_MARKER}  \n127.0.0.1 a.test\n${END_MARKER}\t\n`
    expect(parseHostsText(text).block?.entries).toEqual([{ip: '127.0.0.1', host: 'a.test'}])
    expect(parseHostsText(text).block?.meta).toBeNull()
  })

  it.each([
    ['BEGIN without END', `${BEGIN_MARKER}\n127.0.0.1 a\n`, /line 1 but no "# END kingress"/],
    ['END without BEGIN', `127.0.0.1 a\n${END_MARKER}\n`, /line 2 without "# BEGIN kingress"/],
    ['END before BEGIN', `${END_MARKER}\n${BEGIN_MARKER}\n`, /before/],
    ['two blocks', `${BEGIN_MARKER}\n${END_MARKER}\n${BEGIN_MARKER}\n${END_MARKER}\n`, /lines 1, 2, 3, 4/],
  ])('refuses a damaged block: %s', (_, text, message) => {
    expect(() => parseHostsText(text)).toThrow(HostsFormatError)
    expect(() => parseHostsText(text)).toThrow(message)
  })

  it('detects the line ending in use', () => {
    expect(detectEol('a\r\nb\n')).toBe('\r\n')
    expect(detectEol('a\nb\r\n')).toBe('\n')
    expect(detectEol('no newline', '\r\n')).toBe('\r\n')
    expect(parseHostsText('', '\r\n').eol).toBe('\r\n')
  })

  it('ignores comments, blanks and junk as mappings', () => {
    expect(parseMappingLine('# 127.0.0.1 x')).toBeNull()
    expect(parseMappingLine('   ')).toBeNull()
    expect(parseMappingLine('127.0.0.1')).toBeNull()
    expect(parseMappingLine('hello world')).toBeNull()
    expect(parseMappingLine('\t::1\tA.b # c')).toEqual({ip: '::1', names: ['a.b']})
  })
})

describe('renderBlock', () => {
  it('writes markers, what wrote it, how to remove it, the owner and the entries', () => {
    const text = renderBlock(entries, meta({owner: 'session', pid: 77, addedEofNewline: true}), {eol: '\n', removeCommand: 'kingress hosts clean --hosts-file /x'})
    expect(text).toBe(
      [
        BEGIN_MARKER,
        '# Written by `kingress up --hosts` (pid 77) for the hosts of its Ingresses; removed when it exits.',
        '# Remove this block with: kingress hosts clean --hosts-file /x',
        '# Do not edit between BEGIN and END: kingress rewrites these lines.',
        '# kingress-meta: owner=session pid=77 since=2025-01-02T03:04:05.000Z eof=added',
        '127.0.0.1\tblue.example.com',
        '127.0.0.1\tgreen.example.com',
        END_MARKER,
        '',
      ].join('\n'),
    )
  })

  it('uses the given line ending on every line', () => {
    const text = renderBlock(entries, meta(), {eol: '\r\n', removeCommand: 'kingress hosts clean'})
    expect(text.split('\r\n')).toHaveLength(text.split('\n').length)
    expect(text.endsWith(`${END_MARKER}\r\n`)).toBe(true)
  })

  it('is pure ASCII, so latin1 and UTF-8 write the same bytes', () => {
    const text = renderBlock(entries, meta(), {eol: '\n', removeCommand: 'kingress hosts clean'})
    expect(/^[\x00-\x7f]*$/.test(text)).toBe(true)
  })
})

describe('add and remove round-trip byte for byte', () => {
  it.each(Object.entries(TRICKY))('%s', (_, original) => {
    const added = add(original)
    // Outside the block nothing moved: the original is a prefix, byte for byte.
    expect(added.startsWith(original)).toBe(true)
    const parsed = parseHostsText(added)
    expect(parsed.block?.entries).toEqual(entries)
    // The block uses the file's own line ending.
    if (original.includes('\r\n')) expect(parsed.block!.text).toContain(`${END_MARKER}\r\n`)
    expect(remove(added)).toBe(original)
  })

  it('replacing a block keeps everything around it, also text the user added after it', () => {
    const original = '# top\r\n127.0.0.1 localhost'
    const added = add(original) + '10.0.0.7 later.example.com\r\n'
    const parsed = parseHostsText(added)
    const replacement = renderBlock([{ip: '127.0.0.1', host: 'x.test'}], {...parsed.block!.meta!}, {eol: parsed.eol, removeCommand: 'kingress hosts clean'})
    const replaced = withBlock(parsed, replacement)
    expect(replaced.slice(0, parsed.block!.start)).toBe(added.slice(0, parsed.block!.start))
    expect(replaced.endsWith('10.0.0.7 later.example.com\r\n')).toBe(true)
    // With lines after the block, removing it must not glue "localhost" onto "10.0.0.7 ...".
    expect(remove(replaced)).toBe('# top\r\n127.0.0.1 localhost\r\n10.0.0.7 later.example.com\r\n')
  })

  it('keeps a block in the middle of the file where it is', () => {
    const text = `a\n${BEGIN_MARKER}\n127.0.0.1 old.test\n${END_MARKER}\nb\n`
    const parsed = parseHostsText(text)
    const next = withBlock(parsed, renderBlock(entries, meta(), {eol: '\n', removeCommand: 'x'}))
    expect(next.startsWith(`a\n${BEGIN_MARKER}\n`)).toBe(true)
    expect(next.endsWith(`${END_MARKER}\nb\n`)).toBe(true)
    expect(remove(next)).toBe('a\nb\n')
  })

  it('keeps an END line without line ending as it was', () => {
    const text = `a\n${BEGIN_MARKER}\n127.0.0.1 old.test\n${END_MARKER}`
    const parsed = parseHostsText(text)
    expect(parsed.block!.endHasEol).toBe(false)
    const next = withBlock(parsed, renderBlock(entries, meta(), {eol: '\n', removeCommand: 'x', endHasEol: false}))
    expect(next.endsWith(END_MARKER)).toBe(true)
  })
})

describe('round trip on generated files', () => {
  // A small seeded PRNG: the same 400 files on every run.
  let seed = 0x5eed
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
  const PIECES = ['127.0.0.1', ' ', '\t', 'host.example', '\n', '\r\n', '\r', '#', ' # note', '::1', '\u00e9', '']

  it('add → replace → remove gives back the original bytes', () => {
    for (let n = 0; n < 400; n++) {
      let original = ''
      const length = Math.floor(random() * 30)
      for (let i = 0; i < length; i++) original += PIECES[Math.floor(random() * PIECES.length)]
      const added = add(original)
      const parsed = parseHostsText(added)
      const replaced = withBlock(parsed, renderBlock([{ip: '::1', host: 'z.test'}], parsed.block!.meta!, {eol: parsed.eol, removeCommand: 'x'}))
      expect(remove(added), JSON.stringify(original)).toBe(original)
      expect(remove(replaced), JSON.stringify(original)).toBe(original)
    }
  })
})
