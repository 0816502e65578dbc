/**
 * `npm run build`: what the package ships, in `dist/`.
 *
 * - `dist/domain/`: the library `smtp-intake/domain`, by tsc (JavaScript and .d.ts, one file per module).
 * - `dist/bin/smtp-intake.js`: the command, bundled by rolldown from `infrastructure/bin/smtp-intake.ts`
 *   with Effect tree-shaken in, and each command's and optional adapter's code in a chunk of its
 *   own, loaded only when used (issue 16: the daemon at rest in ~80 MB instead of ~190 MB, and
 *   `--version` without loading Effect at all). The package's dependencies stay external: they are
 *   installed with it, and some read their own files at run time (radius's dictionaries).
 */
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { build } from "rolldown"

const ROOT = join(import.meta.dirname, "..")
const DIST = join(ROOT, "dist")

/**
 * The package's dependencies stay external (installed with it); what the command takes from its
 * devDependencies (Effect and @effect/platform-node, tree-shaken) is bundled, so an installed
 * smtp-intake, or a project using only `smtp-intake/domain`, does not install Effect at all.
 */
const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }
const external = Object.keys(manifest.dependencies)

rmSync(DIST, { recursive: true, force: true })
execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" })
await build({
  input: { "smtp-intake": join(ROOT, "infrastructure/bin/smtp-intake.ts") },
  platform: "node",
  external: (id) => id.startsWith("node:") || external.some((name) => id === name || id.startsWith(`${name}/`)),
  output: { dir: join(DIST, "bin"), format: "esm", chunkFileNames: "[name]-[hash].js" },
  logLevel: "warn"
})
