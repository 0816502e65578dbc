/**
 * What a worker and the primary say about the console (smtp-threads > 1), over `ipc-requests.ts`.
 *
 * - `console-read`, worker → primary, for a console request the worker serves: answered with the
 *   whole daemon's `DaemonFactsReading` (application/ports/daemon-facts.ts).
 * - `console-collect`, primary → worker, while gathering it: answered with the worker's own
 *   `ProcessConsole` (its settings, last reload, version, start, and the refusals it counted).
 */
export const CONSOLE_READ = "console-read"
export const CONSOLE_COLLECT = "console-collect"
