import { readFileSync } from "node:fs"

/** The daemon's version, as package.json gives it. */
export const version = (): string =>
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version
