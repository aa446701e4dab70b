// The HTTP/1.1 field grammar both directions check against (RFC 9110 §5.1, §5.5, §8.6).

/** A token: a field name, a method, a Connection option. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** A byte a field value may not hold: controls other than HTAB, and DEL. */
export const BAD_FIELD_BYTE = /[^\t\x20-\x7e\x80-\xff]/
/** A Content-Length: one run of digits, short enough to stay an exact number. */
export const LENGTH_DIGITS = /^[0-9]{1,15}$/
