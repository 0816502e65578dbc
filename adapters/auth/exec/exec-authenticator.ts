import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { Effect } from "effect"
import { AuthUnavailable } from "../../../application/ports/authenticator.ts"
import type { AuthenticatorShape, AuthVerdict } from "../../../application/ports/authenticator.ts"
import type { AuthBackend } from "../../../domain/auth/auth-backend.ts"

export type ExecBackend = Extract<AuthBackend, { readonly kind: "exec" }>

export interface ExecAuthenticatorOptions {
  /** after this the program and everything it started are killed; default 5000 */
  readonly timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 5_000
const OUTPUT_KEPT_BYTES = 4_096
/** how long to wait for the exit after SIGKILL before giving up on reaping it */
const KILL_GRACE_MS = 1_000
/** the two-line stdin protocol cannot carry these, and NUL cannot be put in the environment */
const UNSENDABLE = /[\0\r\n]/
/** Linux refuses an environment string over 128 KiB (E2BIG); stay below it with room for the name */
const MAX_VALUE_BYTES = 120 * 1024
/** the program gets only these from our environment: the rest may hold secrets (the broker password) */
const INHERITED_ENV = ["PATH", "HOME", "LANG"] as const

type Outcome =
  | { readonly kind: "exited"; readonly code: number; readonly output: string }
  | { readonly kind: "signalled"; readonly signal: string; readonly output: string }
  | { readonly kind: "not-started"; readonly reason: string }
  | { readonly kind: "timed-out"; readonly output: string }

const programEnvironment = (username: string, password: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const key of INHERITED_ENV) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  env["SMTP_AUTH_USER"] = username
  env["SMTP_AUTH_PASSWORD"] = password
  return env
}

/** Keeps the first few KB of stdout+stderr for the log and throws the rest away. */
const outputCollector = (child: ChildProcess) => {
  const kept: Array<Buffer> = []
  let size = 0
  const keep = (chunk: Buffer) => {
    if (size >= OUTPUT_KEPT_BYTES) return
    const part = chunk.subarray(0, OUTPUT_KEPT_BYTES - size)
    kept.push(part)
    size += part.length
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  return () => Buffer.concat(kept).toString("utf8").trim()
}

/** The program runs in its own process group, so a kill reaches whatever it started (a `sleep`, a `curl`). */
const killGroup = (child: ChildProcess): void => {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, "SIGKILL")
  } catch {
    // already gone
  }
}

const run = (path: string, username: string, password: string, timeoutMs: number) =>
  Effect.callback<Outcome>((resume) => {
    let child: ChildProcess
    try {
      // no shell and no arguments: the credentials never show up in argv or `ps`
      child = spawn(path, [], {
        detached: true,
        env: programEnvironment(username, password),
        stdio: ["pipe", "pipe", "pipe"]
      })
    } catch (error) {
      resume(Effect.succeed({ kind: "not-started", reason: describeSpawnError(error) }))
      return
    }
    const output = outputCollector(child)
    let timedOut = false
    let settled = false
    const timers: Array<NodeJS.Timeout> = []
    const settle = (outcome: Outcome) => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      child.stdout?.destroy()
      child.stderr?.destroy()
      resume(Effect.succeed(outcome))
    }

    child.on("error", (error) => {
      if (child.pid === undefined) settle({ kind: "not-started", reason: describeSpawnError(error) })
    })
    // 'close', not 'exit': 'exit' can come before the last of the program's output is read (seen on a
    // busy machine), and the verdict's message would miss it
    child.on("close", (code, signal) => {
      if (timedOut) settle({ kind: "timed-out", output: output() })
      else if (code !== null) settle({ kind: "exited", code, output: output() })
      else settle({ kind: "signalled", signal: signal ?? "unknown signal", output: output() })
    })
    timers.push(setTimeout(() => {
      timedOut = true
      killGroup(child)
      // normally "exit" follows at once; this only guards against a process the kernel cannot kill promptly
      timers.push(setTimeout(() => settle({ kind: "timed-out", output: output() }), KILL_GRACE_MS))
    }, timeoutMs))

    // a program that does not read stdin closes the pipe: the EPIPE is expected and harmless
    child.stdin?.on("error", () => undefined)
    child.stdin?.end(`${username}\n${password}\n`)

    return Effect.sync(() => {
      if (settled) return
      settled = true
      for (const timer of timers) clearTimeout(timer)
      killGroup(child)
    })
  })

const sendable = (value: string): boolean =>
  !UNSENDABLE.test(value) && Buffer.byteLength(value, "utf8") <= MAX_VALUE_BYTES

const describeSpawnError = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === "string" ? code : error instanceof Error ? error.message : String(error)
}

/** Output goes to the log; a careless script might echo the password, so it is masked there. */
const shownOutput = (output: string, password: string): string => {
  const text = password === "" ? output : output.replaceAll(password, "***")
  return text === "" ? "" : `; output: ${text}`
}

/** `exec:///path`: runs the program with the credentials on stdin and in its environment; exit 0 accepts. */
export const execAuthenticator = (spec: ExecBackend, options: ExecAuthenticatorOptions = {}): AuthenticatorShape => {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const unavailable = (why: string) =>
    Effect.fail(new AuthUnavailable({ message: `auth program ${spec.path}: ${why}` }))

  const verdictFor = (outcome: Outcome, password: string): Effect.Effect<AuthVerdict, AuthUnavailable> => {
    const output = shownOutput("output" in outcome ? outcome.output : "", password)
    switch (outcome.kind) {
      case "exited":
        if (outcome.code === 0) return Effect.succeed("accepted")
        return Effect.logDebug(`auth program ${spec.path} exited ${outcome.code}${output}`)
          .pipe(Effect.as("rejected" as const))
      case "signalled":
        return unavailable(`killed by ${outcome.signal}${output}`)
      case "timed-out":
        return unavailable(`no exit within ${timeoutMs} ms, killed${output}`)
      case "not-started":
        return unavailable(`cannot run it (${outcome.reason})`)
    }
  }

  return {
    verify: ({ username, password }) =>
      sendable(username) && sendable(password)
        ? Effect.flatMap(run(spec.path, username, password, timeoutMs), (outcome) => verdictFor(outcome, password))
        : Effect.succeed("rejected")
  }
}
