import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {unifiedDiff} from '../../src/hosts/diff.js'

const labels = {fromLabel: 'a/hosts', toLabel: 'b/hosts'}
const dir = mkdtempSync(join(tmpdir(), 'kingress-diff-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

let hasPatch = true
try {
  execFileSync('patch', ['--version'], {stdio: 'ignore'})
} catch {
  hasPatch = false
}

/** Applies our diff with GNU patch: the real check that the format is right. */
function applyWithPatch(oldText: string, diff: string): string {
  const file = join(dir, 'hosts')
  writeFileSync(file, oldText, 'latin1')
  execFileSync('patch', ['--quiet', '--force', file], {input: diff})
  return readFileSync(file, 'latin1')
}

const lines = (n: number, prefix = 'line'): string => Array.from({length: n}, (_, i) => `${prefix} ${i + 1}\n`).join('')

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\n', 'a\n', labels)).toBe('')
  })

  it('shows an appended block with three lines of context', () => {
    const diff = unifiedDiff(lines(5), lines(5) + '# BEGIN kingress\n# END kingress\n', labels)
    expect(diff).toBe(['--- a/hosts', '+++ b/hosts', '@@ -3,3 +3,5 @@', ' line 3', ' line 4', ' line 5', '+# BEGIN kingress', '+# END kingress', ''].join('\n'))
  })

  it('marks a last line without newline, as diff -u does', () => {
    const diff = unifiedDiff('a\nb', 'a\nb\nc\n', labels)
    expect(diff).toContain('-b\n\\ No newline at end of file\n+b\n+c\n')
  })

  it('keeps the carriage return of CRLF lines, as diff -u does', () => {
    expect(unifiedDiff('a\r\n', 'a\r\nb\r\n', labels)).toBe('--- a/hosts\n+++ b/hosts\n@@ -1 +1,2 @@\n a\r\n+b\r\n')
  })

  it('splits far-apart changes into hunks and merges close ones', () => {
    const old = lines(40)
    const far = old.replace('line 2\n', 'LINE 2\n').replace('line 35\n', 'LINE 35\n')
    expect(unifiedDiff(old, far, labels).match(/^@@/gm)).toHaveLength(2)
    const near = old.replace('line 2\n', 'LINE 2\n').replace('line 8\n', 'LINE 8\n')
    expect(unifiedDiff(old, near, labels).match(/^@@/gm)).toHaveLength(1)
  })

  it('diffs a 100k-line hosts file quickly (only the changed middle is compared)', () => {
    const big = lines(100_000, '0.0.0.0 ads')
    const started = performance.now()
    const diff = unifiedDiff(big, big + '# BEGIN kingress\n127.0.0.1\ta.test\n# END kingress\n', labels)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(diff).toContain('@@ -99998,3 +99998,6 @@')
  })

  describe.skipIf(!hasPatch)('GNU patch applies it', () => {
    const cases: Array<[string, string, string]> = [
      ['append', lines(3), lines(3) + 'x\ny\n'],
      ['remove at end', lines(3) + 'x\ny\n', lines(3)],
      ['no final newline → block', '# a\n127.0.0.1 localhost', '# a\n127.0.0.1 localhost\n# BEGIN kingress\n# END kingress\n'],
      ['block → no final newline', '# a\n127.0.0.1 localhost\n# BEGIN kingress\n# END kingress\n', '# a\n127.0.0.1 localhost'],
      ['empty → block', '', 'x\n'],
      ['replace in the middle', lines(20) + 'old\n' + lines(20, 'tail'), lines(20) + 'new 1\nnew 2\n' + lines(20, 'tail')],
      ['CRLF', 'a\r\nb\r\n', 'a\r\nb\r\nc\r\n'],
      ['two hunks', lines(30), lines(30).replace('line 1\n', 'one\n').replace('line 29\n', 'twenty-nine\n')],
    ]
    it.each(cases)('%s', (_, oldText, newText) => {
      expect(applyWithPatch(oldText, unifiedDiff(oldText, newText, labels))).toBe(newText)
    })
  })
})
