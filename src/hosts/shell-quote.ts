/** Quotes one word for a POSIX shell, only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word
  return `'${word.replaceAll("'", `'\\''`)}'`
}

export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ')
}
