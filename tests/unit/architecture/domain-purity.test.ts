/**
 * The domain is pure (ARCHITECTURE.md): nothing under `domain/` imports from `application/`,
 * `adapters/` or `infrastructure/`, nor any of Node's modules (files, sockets, DNS, processes,
 * the clock's timers): that is what lets it be published as `smtp-intake/domain`.
 */
import { readdirSync, readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = join(import.meta.dirname, "../../..")
const DOMAIN = join(ROOT, "domain")
const OUTER_LAYERS = ["application", "adapters", "infrastructure"]
const NODE_MODULES = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]))

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;(])import\s*\(\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']/gm

/** Every module a source text imports or re-exports, statically or with import(). */
export const importsOf = (source: string): ReadonlyArray<string> =>
  [...source.matchAll(SPECIFIER)].map((m) => m[1] ?? m[2] ?? m[3]!)

/** Why an import in `file` breaks the domain's purity, or undefined. */
export const impurity = (file: string, specifier: string): string | undefined => {
  if (NODE_MODULES.has(specifier) || specifier.startsWith("node:")) return `${specifier} is one of Node's modules`
  if (!specifier.startsWith(".")) return undefined
  const target = relative(ROOT, resolve(dirname(file), specifier))
  const layer = OUTER_LAYERS.find((outer) => target === outer || target.startsWith(`${outer}/`))
  return layer === undefined ? undefined : `${specifier} reaches into ${layer}/`
}

const sourcesUnder = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourcesUnder(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [])

describe("the domain is pure", () => {
  it("no file under domain/ imports an outer layer or a Node module", () => {
    const violations = sourcesUnder(DOMAIN).flatMap((file) =>
      importsOf(readFileSync(file, "utf8")).flatMap((specifier) => {
        const why = impurity(file, specifier)
        return why === undefined ? [] : [`${relative(ROOT, file)}: ${why}`]
      }))
    expect(violations).toEqual([])
  })

  it("the check finds each kind of violation, however the import is written", () => {
    const file = join(DOMAIN, "session", "decide.ts")
    const source = [
      "import { readFileSync } from \"node:fs\"",
      "import type { Publisher } from '../../application/ports/publisher.ts'",
      "export { x } from \"../../adapters/amqp/amqp-link.ts\"",
      "const later = await import(\"../../infrastructure/daemon.ts\")",
      "import \"net\"",
      "import { reply } from \"./reply.ts\"",
      "import ipaddr from \"ipaddr.js\""
    ].join("\n")
    const found = importsOf(source).map((specifier) => impurity(file, specifier))
    expect(found).toEqual([
      "node:fs is one of Node's modules",
      "../../application/ports/publisher.ts reaches into application/",
      "../../adapters/amqp/amqp-link.ts reaches into adapters/",
      "../../infrastructure/daemon.ts reaches into infrastructure/",
      "net is one of Node's modules",
      undefined,
      undefined
    ])
  })
})
