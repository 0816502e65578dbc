import { afterAll } from "vitest"
import { killLeftovers } from "./processes.ts"
import { scaled } from "./timing.ts"

/**
 * Run before every test file (vitest.config.ts's setupFiles): once the file's own hooks have run,
 * any process group it started and did not see end gets a moment, then is killed and named, so
 * that a test that gave up on a process never leaves it running after the suite. The worker's
 * exit is the last net (processes.ts).
 */
afterAll(async () => {
  const killed = await killLeftovers(scaled(2_000))
  if (killed.length > 0) console.warn(`killed what this test file left running:\n  ${killed.join("\n  ")}`)
})
