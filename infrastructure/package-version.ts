import { readFileSync } from "node:fs"

/**
 * The version in smtp-intake's package.json: the nearest one above this file, which is one level
 * up from the sources and two from the build (`dist/infrastructure/`).
 */
export const packageVersion = (): string => {
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { name?: string; version?: string }
      if (manifest.name === "smtp-intake" && manifest.version !== undefined) return manifest.version
    } catch {
      // not at this level
    }
  }
  return "unknown"
}
