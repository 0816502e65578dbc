/**
 * How long the tests wait for real processes. On a loaded machine (a busy CI runner, or
 * `stress-ng --cpu 2` next to the suite) a Node process starts several times slower than on a
 * quiet one; these limits are generous so that a slow start is never taken for a failed one.
 * They only bound a failure: nothing waits for them when all goes well.
 *
 * SMTP_INTAKE_TEST_SLOWDOWN (a number, default 1) multiplies them all, for a machine slower still.
 */
const slowdown = (() => {
  const value = Number(process.env["SMTP_INTAKE_TEST_SLOWDOWN"] ?? "1")
  return Number.isFinite(value) && value >= 1 ? value : 1
})()

export const scaled = (ms: number): number => Math.round(ms * slowdown)

/** The longest wait for one started process (the daemon, slapd, a CLI run) to be ready or done. */
export const STARTUP_MS = scaled(60_000)

/** How long a process asked to stop (SIGTERM) gets to exit before its whole process group is killed. */
export const STOP_GRACE_MS = scaled(30_000)

/** A test's default limit: a daemon start, and a minute for the test's own work. */
export const TEST_TIMEOUT_MS = STARTUP_MS + scaled(60_000)

/** A hook's limit: a hook may start (or stop) a few processes one after the other. */
export const HOOK_TIMEOUT_MS = 4 * STARTUP_MS

/** A test that starts a daemon in its body: the start's limit plus `ms` for the rest of the test. */
export const withStartup = (ms: number): number => STARTUP_MS + scaled(ms)
