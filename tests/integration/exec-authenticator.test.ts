import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { execAuthenticator } from "../../adapters/auth/exec/exec-authenticator.ts"
import type { ExecAuthenticatorOptions } from "../../adapters/auth/exec/exec-authenticator.ts"
import { parseAuthBackend } from "../../domain/auth/auth-backend.ts"

const dir = mkdtempSync(join(tmpdir(), "exec-auth-test-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Writes an executable /bin/sh script; `$DIR` in the body is the test's temp directory. */
const script = (name: string, body: string, mode = 0o755): string => {
  const path = join(dir, name)
  writeFileSync(path, `#!/bin/sh\nDIR='${dir}'\n${body}\n`)
  chmodSync(path, mode)
  return path
}

const authFor = (path: string, options?: ExecAuthenticatorOptions) => {
  const spec = parseAuthBackend(`exec://${path}`)
  if (spec?.kind !== "exec") throw new Error(`not an exec backend: ${path}`)
  return execAuthenticator(spec, options)
}

/** Gone, or a zombie nobody reaps (an orphan in a container whose PID 1 does not reap): either way not running. */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : ""
  return !/^\d+ \(.*\) Z/.test(stat)
}

const TRICKY_PASSWORD = "  s3cret $HOME \"q\" 'x' \\n ünï ✓ "

describe("execAuthenticator", () => {
  it.live("passes username and password as two lines on stdin", () =>
    Effect.gen(function*() {
      const auth = authFor(script(
        "check-stdin.sh",
        `IFS= read -r user || exit 2
IFS= read -r pass || exit 2
[ "$user" = "alice" ] && [ "$pass" = '${TRICKY_PASSWORD.replaceAll("'", "'\\''")}' ] && exit 0
exit 1`
      ))
      assert.strictEqual(yield* auth.verify({ username: "alice", password: TRICKY_PASSWORD }), "accepted")
      assert.strictEqual(yield* auth.verify({ username: "alice", password: TRICKY_PASSWORD.trim() }), "rejected")
      assert.strictEqual(yield* auth.verify({ username: "bob", password: TRICKY_PASSWORD }), "rejected")
    }))

  it.live("passes them in SMTP_AUTH_USER and SMTP_AUTH_PASSWORD too", () =>
    Effect.gen(function*() {
      const auth = authFor(script(
        "check-env.sh",
        `[ "$SMTP_AUTH_USER" = "alice" ] && [ "$SMTP_AUTH_PASSWORD" = "s3cret" ] && exit 0
exit 1`
      ))
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "s3cret" }), "accepted")
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "s3cre" }), "rejected")
    }))

  it.live("does not hand the server's own environment (secrets included) to the program", () =>
    Effect.gen(function*() {
      process.env["SMTP_INTAKE_TEST_BROKER_PASSWORD"] = "broker-secret"
      const auth = authFor(script("dump-env.sh", `env > "$DIR/env.txt"`))
      try {
        assert.strictEqual(yield* auth.verify({ username: "alice", password: "s3cret" }), "accepted")
      } finally {
        delete process.env["SMTP_INTAKE_TEST_BROKER_PASSWORD"]
      }
      const env = readFileSync(join(dir, "env.txt"), "utf8").split("\n")
      assert.notInclude(env.join("\n"), "broker-secret")
      assert.include(env, `PATH=${process.env["PATH"]}`)
      assert.include(env, "SMTP_AUTH_USER=alice")
    }))

  it.live("runs the program without arguments, so the password is not on its command line", () =>
    Effect.gen(function*() {
      const auth = authFor(script(
        "argv.sh",
        `echo "$#" > "$DIR/argc.txt"
tr '\\0' ' ' < /proc/$$/cmdline > "$DIR/cmdline.txt"`
      ))
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "Pw-argv" }), "accepted")
      assert.strictEqual(readFileSync(join(dir, "argc.txt"), "utf8").trim(), "0")
      const cmdline = readFileSync(join(dir, "cmdline.txt"), "utf8")
      assert.include(cmdline, "argv.sh")
      assert.notInclude(cmdline, "Pw-argv")
      assert.notInclude(cmdline, "alice")
    }))

  it.live("accepts on exit 0 and rejects on any other exit code", () =>
    Effect.gen(function*() {
      const credentials = { username: "alice", password: "s3cret" }
      assert.strictEqual(yield* authFor(script("exit0.sh", "exit 0")).verify(credentials), "accepted")
      assert.strictEqual(yield* authFor(script("exit1.sh", "exit 1")).verify(credentials), "rejected")
      assert.strictEqual(yield* authFor(script("exit77.sh", "exit 77")).verify(credentials), "rejected")
    }))

  it.live("kills a program that hangs, and everything it started, after timeoutMs", () =>
    Effect.gen(function*() {
      const pids = join(dir, "sleeper.pids")
      const auth = authFor(
        script("sleeper.sh", `echo $$ > "$DIR/sleeper.pids"\nsleep 60 &\necho $! >> "$DIR/sleeper.pids"\nwait`),
        { timeoutMs: 500 }
      )
      const started = Date.now()
      const error = yield* Effect.flip(auth.verify({ username: "alice", password: "Pw-sleep" }))
      const elapsed = Date.now() - started
      assert.strictEqual(error._tag, "AuthUnavailable")
      assert.include(error.message, "sleeper.sh")
      assert.include(error.message, "500 ms")
      assert.isAtLeast(elapsed, 450)
      assert.isBelow(elapsed, 3_000)
      const [shell, sleep] = readFileSync(pids, "utf8").trim().split("\n").map(Number)
      assert.isDefined(shell)
      assert.isDefined(sleep)
      // the shell is our child and is reaped before verify returns; the orphaned sleep may need a moment
      assert.isFalse(isRunning(shell ?? 0), "the script is still running")
      const deadline = Date.now() + 1_000
      while (isRunning(sleep ?? 0) && Date.now() < deadline) yield* Effect.sleep("20 millis")
      assert.isFalse(isRunning(sleep ?? 0), "the script's sleep is still running")
    }))

  it.live("kills the program when the check is abandoned (the client went away)", () =>
    Effect.gen(function*() {
      const auth = authFor(script("abandoned.sh", `echo $$ > "$DIR/abandoned.pid"\nsleep 60`), { timeoutMs: 30_000 })
      const verdict = yield* auth.verify({ username: "alice", password: "s3cret" }).pipe(
        Effect.timeoutOption("300 millis")
      )
      assert.strictEqual(verdict._tag, "None")
      const pid = Number(readFileSync(join(dir, "abandoned.pid"), "utf8"))
      const deadline = Date.now() + 1_000
      while (isRunning(pid) && Date.now() < deadline) yield* Effect.sleep("20 millis")
      assert.isFalse(isRunning(pid), "the abandoned script is still running")
    }))

  it.live("reports a program killed by a signal as unavailable, without the password in the message", () =>
    Effect.gen(function*() {
      const auth = authFor(script(
        "crash.sh",
        `echo "checking $SMTP_AUTH_USER with $SMTP_AUTH_PASSWORD" >&2\nkill -TERM $$`
      ))
      const error = yield* Effect.flip(auth.verify({ username: "alice", password: "Pw-crash" }))
      assert.strictEqual(error._tag, "AuthUnavailable")
      assert.include(error.message, "SIGTERM")
      assert.include(error.message, "checking alice")
      assert.notInclude(error.message, "Pw-crash")
    }))

  it.live("reports a missing or non-executable program as unavailable", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.flip(
        authFor(join(dir, "no-such-program")).verify({ username: "alice", password: "s3cret" })
      )
      assert.strictEqual(missing._tag, "AuthUnavailable")
      assert.include(missing.message, "ENOENT")
      const notExecutable = yield* Effect.flip(
        authFor(script("not-executable.sh", "exit 0", 0o644)).verify({ username: "alice", password: "s3cret" })
      )
      assert.strictEqual(notExecutable._tag, "AuthUnavailable")
      assert.include(notExecutable.message, "EACCES")
    }))

  it.live("accepts from a program that never reads stdin, even when the write fails with EPIPE", () =>
    Effect.gen(function*() {
      const auth = authFor(script("ignores-stdin.sh", "exec 0<&-\nsleep 0.2\nexit 0"))
      // larger than a pipe buffer (64 KiB), so the write cannot complete before the program is gone
      const password = "p".repeat(100_000)
      assert.strictEqual(yield* auth.verify({ username: "alice", password }), "accepted")
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "short" }), "accepted")
    }))

  it.live("is not blocked by a program that writes a lot of output", () =>
    Effect.gen(function*() {
      const auth = authFor(script("chatty.sh", "head -c 5000000 /dev/zero | tr '\\0' x\nexit 0"), { timeoutMs: 5_000 })
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "s3cret" }), "accepted")
    }))

  it.live("rejects credentials with NUL, line breaks or over 120 KiB without running the program", () =>
    Effect.gen(function*() {
      const marker = join(dir, "ran.marker")
      const auth = authFor(script("marker.sh", `touch "${marker}"\nexit 0`))
      for (
        const credentials of [
          { username: "alice\nexit", password: "s3cret" },
          { username: "alice", password: "s3cret\nalice" },
          { username: "alice", password: "s3cret\r" },
          { username: "alice\0", password: "s3cret" },
          { username: "alice", password: "p".repeat(1 << 20) }
        ]
      ) {
        assert.strictEqual(yield* auth.verify(credentials), "rejected")
      }
      assert.isFalse(existsSync(marker))
    }))

  it.live("keeps 20 concurrent checks apart", () =>
    Effect.gen(function*() {
      const auth = authFor(script(
        "per-user.sh",
        `IFS= read -r user; IFS= read -r pass
sleep 0.1
[ "$pass" = "pw-$user" ] && [ "$SMTP_AUTH_USER" = "$user" ]`
      ))
      const users = Array.from({ length: 20 }, (_, n) => `user${n}`)
      const verdicts = yield* Effect.forEach(
        users,
        (user, n) => auth.verify({ username: user, password: n % 2 === 0 ? `pw-${user}` : `pw-user${n + 1}` }),
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(verdicts, users.map((_, n) => (n % 2 === 0 ? "accepted" : "rejected")))
    }))
})
