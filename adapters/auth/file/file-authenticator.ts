import { Effect } from "effect"
import { open, stat } from "node:fs/promises"
import type { Stats } from "node:fs"
import { AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { AuthenticatorShape, AuthVerdict, Credentials } from "../../../application/ports/authenticator.ts"
import { cryptMatches, DUMMY_HASH, isSupportedHash } from "../system-crypt.ts"

export interface FileAuthenticatorOptions {
  /** how long a look at the file stays fresh; default 1000 ms */
  readonly recheckMs?: number
  /** per password check; default 5000 ms */
  readonly cryptTimeoutMs?: number
}

/**
 * file:///path (SPEC §4): `user:hash` lines, hash as made by `openssl passwd -6` (also `-5`,
 * bcrypt `$2y$`, yescrypt), checked by the system's crypt(3). The file is looked at again
 * (stat) when the last look is older than `recheckMs`, and read again when it changed, so users
 * come and go without a restart.
 */
export const fileAuthenticator = (spec: { readonly path: string }, options?: FileAuthenticatorOptions): AuthenticatorShape => {
  const users = passwordFileCache(spec.path, options?.recheckMs ?? 1000)
  const cryptTimeoutMs = options?.cryptTimeoutMs ?? 5000
  return {
    verify: ({ username, password }: Credentials) =>
      Effect.gen(function*() {
        const table = yield* Effect.tryPromise({
          try: () => users.current(),
          catch: (error) => new AuthUnavailable({ message: `smtp-auth file ${spec.path} cannot be read: ${reason(error)}` })
        })
        const hash = table.get(username)
        const usable = hash !== undefined && isSupportedHash(hash)
        const matches = yield* cryptMatches(password, usable ? hash : dummyHashFor(table), cryptTimeoutMs)
        const verdict: AuthVerdict = usable && matches ? "accepted" : "rejected"
        return verdict
      })
  }
}

/** `user:hash` lines; blank lines, `#` comments and lines without `:` are skipped; the first line for a user wins. */
export const parsePasswordFile = (text: string): ReadonlyMap<string, string> => {
  const table = new Map<string, string>()
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    const colon = line.indexOf(":")
    if (colon <= 0) continue
    const user = line.slice(0, colon).trimEnd()
    if (!table.has(user)) table.set(user, line.slice(colon + 1).trim())
  }
  return table
}

// The dummy has the cost of a real entry: an unknown name then takes as long as a wrong password.
const dummyHashFor = (table: ReadonlyMap<string, string>): string => {
  for (const hash of table.values()) if (isSupportedHash(hash)) return hash
  return DUMMY_HASH
}

const reason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error)
}

interface Snapshot {
  readonly stamp: string
  readonly table: ReadonlyMap<string, string>
  readonly lookedAt: number
}

const stampOf = (s: Stats): string => `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`

const passwordFileCache = (path: string, recheckMs: number) => {
  let snapshot: Snapshot | undefined
  let pending: Promise<ReadonlyMap<string, string>> | undefined

  const load = async (): Promise<ReadonlyMap<string, string>> => {
    const stamp = stampOf(await stat(path))
    if (snapshot !== undefined && snapshot.stamp === stamp) {
      snapshot = { ...snapshot, lookedAt: Date.now() }
      return snapshot.table
    }
    // Read through one handle, so the stamp belongs to the bytes read even if the file is replaced meanwhile.
    const handle = await open(path, "r")
    try {
      const opened = stampOf(await handle.stat())
      const table = parsePasswordFile(await handle.readFile("utf8"))
      snapshot = { stamp: opened, table, lookedAt: Date.now() }
      return table
    } finally {
      await handle.close()
    }
  }

  return {
    /** The table as the file holds it now (at most `recheckMs` old); rejects when the file cannot be read. */
    current: (): Promise<ReadonlyMap<string, string>> => {
      if (snapshot !== undefined && Date.now() - snapshot.lookedAt < recheckMs) return Promise.resolve(snapshot.table)
      pending ??= load().finally(() => {
        pending = undefined
      })
      return pending
    }
  }
}
