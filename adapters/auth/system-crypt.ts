import { spawn } from "node:child_process"
import { timingSafeEqual } from "node:crypto"
import { Effect } from "effect"
import { AuthUnavailable } from "../../application/ports/authenticator.ts"

/** The system's crypt(3) could not give an answer (perl missing, crashed, or too slow). Never holds the password. */
export class SystemCryptError extends Error {
  override readonly name = "SystemCryptError"
}

export interface VerifyCryptOptions {
  /** default 5000 */
  readonly timeoutMs?: number
  /** aborting kills the perl process and rejects the promise */
  readonly signal?: AbortSignal
}

const DEFAULT_TIMEOUT_MS = 5000

/**
 * Hash forms libxcrypt computes: yescrypt, gost-yescrypt, scrypt, bcrypt, SHA-512/256 crypt, MD5
 * crypt, and 13-character DES. Anything else (`*`, `!`, `!!`, `x`, empty) is a locked or
 * password-less account and never matches.
 */
const SUPPORTED_HASH = /^(?:\$(?:y|gy|7|2[abxy]|6|5|1)\$[./0-9A-Za-z$=,]+|[./0-9A-Za-z]{13})$/

/** A real sha512crypt hash of a random password: checked instead when there is no usable hash, so a missing or locked account costs the same time. */
export const DUMMY_HASH = "$6$knqx3buxJx9dn1P/$VFK82WxGBtn7uGKdqUCbdCRjEopWzbKwYy0uuRFwScZt.PS.ufyNQ1fhRqqK21xjR.9QC6vc3ByC8fXr7lTyi0"

export const isSupportedHash = (hash: string): boolean => SUPPORTED_HASH.test(hash)

// Password and hash arrive on stdin, NUL-separated, so neither shows up in `ps` or /proc/*/cmdline.
const PERL_CRYPT = "local $/; my ($p, $h) = split /\\0/, <STDIN>, 2; my $c = crypt($p, $h); print defined $c ? $c : ''"

/**
 * Checks `password` against a crypt(3) `hash` with the system's libxcrypt, through perl.
 * Resolves false for a wrong password, a locked or unsupported hash, or a password holding NUL
 * (crypt would see only the part before it). Rejects with SystemCryptError when no answer came.
 */
export const verifyCrypt = async (password: string, hash: string, options?: VerifyCryptOptions): Promise<boolean> => {
  if (!isSupportedHash(hash) || password.includes("\0")) return false
  const computed = await runCrypt(password, hash, options?.timeoutMs ?? DEFAULT_TIMEOUT_MS, options?.signal)
  const expected = Buffer.from(hash, "utf8")
  return computed.length === expected.length && timingSafeEqual(computed, expected)
}

const runCrypt = (password: string, hash: string, timeoutMs: number, signal: AbortSignal | undefined) =>
  new Promise<Buffer>((resolve, reject) => {
    if (signal?.aborted === true) return reject(new SystemCryptError("password check aborted"))
    const child = spawn("perl", ["-e", PERL_CRYPT], {
      stdio: ["pipe", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" }
    })
    const stdout: Array<Buffer> = []
    const stderr: Array<Buffer> = []
    let settled = false
    const finish = (outcome: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener("abort", onAbort)
      outcome()
    }
    const fail = (message: string) => {
      child.kill("SIGKILL")
      finish(() => reject(new SystemCryptError(message)))
    }
    const onAbort = () => fail("password check aborted")
    const timer = setTimeout(() => fail(`password check timed out after ${timeoutMs} ms`), timeoutMs)
    signal?.addEventListener("abort", onAbort, { once: true })
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", (error: NodeJS.ErrnoException) =>
      fail(`cannot run perl for crypt(3): ${error.code ?? error.message}`))
    // A child that died early makes the write fail with EPIPE; the close handler reports it.
    child.stdin.on("error", () => {})
    child.on("close", (code, killedBy) => {
      if (code === 0) return finish(() => resolve(Buffer.concat(stdout)))
      const detail = Buffer.concat(stderr).toString("utf8").trim().slice(0, 200)
      fail(`perl crypt(3) exited with ${code ?? killedBy}${detail === "" ? "" : `: ${detail}`}`)
    })
    child.stdin.end(Buffer.from(`${password}\0${hash}`, "utf8"))
  })

/** verifyCrypt for the authenticators: no answer from crypt(3) is AuthUnavailable (454), not a rejection. */
export const cryptMatches = (password: string, hash: string, timeoutMs: number): Effect.Effect<boolean, AuthUnavailable> =>
  Effect.tryPromise({
    try: (signal) => verifyCrypt(password, hash, { timeoutMs, signal }),
    catch: (error) =>
      new AuthUnavailable({
        message: error instanceof SystemCryptError ? error.message : `password check failed: ${String(error)}`
      })
  })
