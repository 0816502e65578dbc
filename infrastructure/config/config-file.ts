import { Context } from "effect"
import type { Effect } from "effect"
import type { Settings } from "../../domain/config/settings.ts"
import type { ConfigInvalid } from "./load-config.ts"

/** The config the daemon was started with, to be read again on SIGHUP: the same file, the same environment overrides. */
export class ConfigFile extends Context.Service<ConfigFile, {
  readonly path: string
  readonly load: Effect.Effect<Settings, ConfigInvalid>
}>()("smtp-intake/ConfigFile") {}
