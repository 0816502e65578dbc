/**
 * SPEC §6, MailerQ's `locals` table: a local address is given as a pattern of one of four types.
 * exact: `user@example.com`, or `@example.com` for every address of a domain;
 * fnmatch: a shell glob like `*@example.com` or `info@*.example.com`;
 * substr: the address contains the text; regex: a regular expression the address matches.
 * Addresses compare without regard to letter case.
 */
export type LocalAddressType = "exact" | "fnmatch" | "substr" | "regex"

export interface LocalAddressRule {
  readonly pattern: string
  readonly type: LocalAddressType
}

export const LOCAL_ADDRESS_TYPES: ReadonlyArray<LocalAddressType> = ["exact", "fnmatch", "substr", "regex"]

const MAX_PATTERN_LENGTH = 512

const globToRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`,
    "is"
  )

/** Why a rule cannot be stored, or undefined when it is fine. */
export const ruleProblem = (rule: LocalAddressRule): string | undefined => {
  if (!LOCAL_ADDRESS_TYPES.includes(rule.type)) return `type must be one of ${LOCAL_ADDRESS_TYPES.join(", ")}`
  const pattern = rule.pattern.trim()
  if (pattern === "") return "pattern is empty"
  if (pattern.length > MAX_PATTERN_LENGTH) return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`
  if (/[\x00-\x1f\x7f]/.test(pattern)) return "pattern contains control characters"
  if (rule.type === "exact" && !/^[^@\s]*@[^@\s]+$/.test(pattern)) return "exact pattern must be user@domain or @domain"
  if (rule.type === "regex") {
    try {
      new RegExp(pattern, "i")
    } catch (error) {
      return `not a valid regular expression: ${(error as Error).message}`
    }
  }
  return undefined
}

/** A compiled rule set, for the hot path. */
export interface LocalAddressMatcher {
  readonly isLocal: (address: string) => boolean
}

export const compileLocalAddresses = (rules: ReadonlyArray<LocalAddressRule>): LocalAddressMatcher => {
  const exact = new Set<string>()
  const domains = new Set<string>()
  const tests: Array<(address: string) => boolean> = []
  for (const rule of rules) {
    if (ruleProblem(rule) !== undefined) continue
    const pattern = rule.pattern.trim().toLowerCase()
    switch (rule.type) {
      case "exact":
        if (pattern.startsWith("@")) domains.add(pattern.slice(1))
        else exact.add(pattern)
        break
      case "fnmatch": {
        const re = globToRegExp(pattern)
        tests.push((address) => re.test(address))
        break
      }
      case "substr":
        tests.push((address) => address.includes(pattern))
        break
      case "regex": {
        const re = new RegExp(rule.pattern.trim(), "i")
        tests.push((address) => re.test(address))
        break
      }
    }
  }
  return {
    isLocal: (address) => {
      const lower = address.toLowerCase()
      const at = lower.lastIndexOf("@")
      return exact.has(lower) || (at !== -1 && domains.has(lower.slice(at + 1))) || tests.some((test) => test(lower))
    }
  }
}
