import { Effect } from "effect"
import { greetingHostname } from "../domain/lists/greeting-hostname.ts"
import { IntakeSettings } from "./ports/intake-settings.ts"
import { MtaHostnames } from "./ports/mta-hostnames.ts"
import { ReverseDns } from "./ports/reverse-dns.ts"

/** The name to greet a client with that reached `localIp` (SPEC §6). */
export const greetingNameFor = Effect.fnUntraced(function*(localIp: string) {
  const settings = yield* (yield* IntakeSettings).current
  const mtaHostname = yield* (yield* MtaHostnames).hostnameFor(localIp)
  if (mtaHostname !== undefined || settings.configuredHostname !== undefined) {
    return greetingHostname({ mtaHostname, configured: settings.configuredHostname, reverseDns: undefined, machine: settings.machineHostname })
  }
  const reverseDns = yield* (yield* ReverseDns).nameOf(localIp)
  return greetingHostname({ mtaHostname, configured: undefined, reverseDns, machine: settings.machineHostname })
})
