import { Effect } from "effect"
import type { Settings } from "../../domain/config/settings.ts"
import { startNotices } from "../../domain/config/start-notices.ts"

/** The notices as the daemon's first log lines. */
export const logStartNotices = (settings: Settings, otherParts: ReadonlyArray<string>): Effect.Effect<void> =>
  Effect.forEach(
    startNotices(settings, otherParts),
    ({ level, message }) => (level === "info" ? Effect.logInfo(message) : Effect.logWarning(message)),
    { discard: true }
  )

/** The notices as comment lines, for `--check-config`. */
export const printStartNotices = (settings: Settings, otherParts: ReadonlyArray<string>): string =>
  startNotices(settings, otherParts).map(({ level, message }) => `# ${level}: ${message}\n`).join("")
