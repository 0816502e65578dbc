import { defineConfig } from "vitest/config"
import { HOOK_TIMEOUT_MS, TEST_TIMEOUT_MS } from "./tests/support/timing.ts"

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // generous, for a loaded machine: longer than the longest wait for a process to start (timing.ts)
    testTimeout: TEST_TIMEOUT_MS,
    hookTimeout: HOOK_TIMEOUT_MS,
    // kills whatever process a test file started and left running (processes.ts)
    setupFiles: ["tests/support/process-cleanup.ts"]
  }
})
