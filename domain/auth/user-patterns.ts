/**
 * users://name,prefix* (SPEC §4): a username is allowed when it equals a listed name or matches
 * one of the globs. `*` is any run of characters (also none), `?` exactly one; everything else,
 * `.` and `$` included, is literal. Case-sensitive, like Linux account names.
 */
export const matchesUserPatterns = (username: string, patterns: ReadonlyArray<string>): boolean =>
  patterns.some((pattern) => pattern === username || globMatches(pattern, username))

/** Greedy wildcard matching without RegExp: a name cannot inject syntax, and the cost stays O(pattern × name). */
const globMatches = (pattern: string, text: string): boolean => {
  const p = Array.from(pattern)
  const t = Array.from(text)
  let pi = 0
  let ti = 0
  // where the last `*` was seen, and the text position it currently stands for
  let starAt = -1
  let starText = 0
  while (ti < t.length) {
    const pc = p[pi]
    if (pc === "*") {
      starAt = pi++
      starText = ti
    } else if (pc !== undefined && (pc === "?" || pc === t[ti])) {
      pi++
      ti++
    } else if (starAt !== -1) {
      pi = starAt + 1
      ti = ++starText
    } else {
      return false
    }
  }
  while (p[pi] === "*") pi++
  return pi === p.length
}
