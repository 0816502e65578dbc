import { Effect } from "effect"
import { readFile } from "node:fs/promises"
import { AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { AuthenticatorShape, AuthVerdict, Credentials } from "../../../application/ports/authenticator.ts"
import { matchesUserPatterns } from "../../../domain/auth/user-patterns.ts"
import { cryptMatches, DUMMY_HASH, isSupportedHash } from "../system-crypt.ts"

export interface UsersAuthenticatorOptions {
  /** default /etc/shadow */
  readonly shadowFile?: string
  /** per password check; default 5000 ms */
  readonly cryptTimeoutMs?: number
  /** for expiry; default Date.now */
  readonly now?: () => number
}

const DAY_MS = 86_400_000

/**
 * users://name,prefix* (SPEC §4): a local account whose name is listed or matches a glob, with
 * the password checked against its hash in /etc/shadow by the system's crypt(3). Locked (`!`,
 * `*`), password-less and expired accounts are rejected. The shadow file is read on every check,
 * so `passwd`, `usermod -L` and `userdel` take effect at once.
 */
export const usersAuthenticator = (
  spec: { readonly names: ReadonlyArray<string> },
  options?: UsersAuthenticatorOptions
): AuthenticatorShape => {
  const shadowFile = options?.shadowFile ?? "/etc/shadow"
  const cryptTimeoutMs = options?.cryptTimeoutMs ?? 5000
  const now = options?.now ?? Date.now
  return {
    verify: ({ username, password }: Credentials) =>
      Effect.gen(function*() {
        if (username === "" || !matchesUserPatterns(username, spec.names)) return "rejected"
        const shadow = yield* Effect.tryPromise({
          try: () => readFile(shadowFile, "utf8"),
          catch: (error) =>
            new AuthUnavailable({
              message: `users:// needs read access to ${shadowFile} (${reason(error)}): run as root or in group shadow`
            })
        })
        const entry = findShadowEntry(shadow, username)
        const usable = entry !== undefined && isSupportedHash(entry.hash) && !isExpired(entry, now())
        const matches = yield* cryptMatches(password, usable ? entry.hash : dummyHashFor(shadow), cryptTimeoutMs)
        const verdict: AuthVerdict = usable && matches ? "accepted" : "rejected"
        return verdict
      })
  }
}

interface ShadowEntry {
  readonly hash: string
  /** days since 1970-01-01 on which the account stops working; undefined = never */
  readonly expiresOnDay: number | undefined
}

/** `name:hash:lastchg:min:max:warn:inactive:expire:reserved` (shadow(5)). */
const findShadowEntry = (shadow: string, username: string): ShadowEntry | undefined => {
  for (const line of shadow.split("\n")) {
    const fields = line.trimEnd().split(":")
    if (fields[0] !== username) continue
    const expire = fields[7] ?? ""
    return { hash: fields[1] ?? "", expiresOnDay: /^\d+$/.test(expire) ? Number(expire) : undefined }
  }
  return undefined
}

// Another account's hash costs what a real check costs (yescrypt on Debian 12); its result is ignored.
const dummyHashFor = (shadow: string): string =>
  shadow.split("\n").map((line) => line.split(":")[1] ?? "").find(isSupportedHash) ?? DUMMY_HASH

// As pam_unix: the account is expired from the expiry day on.
const isExpired = (entry: ShadowEntry, nowMs: number): boolean =>
  entry.expiresOnDay !== undefined && Math.floor(nowMs / DAY_MS) >= entry.expiresOnDay

const reason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error)
}
