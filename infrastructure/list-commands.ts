import { Effect } from "effect"
import { storeFromUrl } from "../adapters/database/store-from-url.ts"
import { hostnameInput, ipInput, localAddressInput, patternInput, rangeInput } from "../domain/lists/list-inputs.ts"
import type { Parsed } from "../domain/lists/list-inputs.ts"
import type { ManagedListsStoreShape } from "../application/ports/managed-lists-store.ts"
import type { Settings } from "../domain/config/settings.ts"

/** What a list command prints and its exit code. */
interface Outcome {
  readonly out: string
  readonly code: number
}

const done = (out: string): Outcome => ({ out, code: 0 })
const failed = (out: string): Outcome => ({ out, code: 1 })

const withValid = <A>(parsed: Parsed<A>, use: (value: A) => Effect.Effect<Outcome, unknown>) =>
  parsed.ok ? use(parsed.value) : Effect.succeed(failed(parsed.error))

const removed = (what: string) => (found: boolean) => (found ? done(`removed ${what}`) : failed(`${what} is not on the list`))

const run = (store: ManagedListsStoreShape, list: string, verb: string | undefined, args: ReadonlyArray<string>) => {
  switch (`${list} ${verb ?? ""}`) {
    case "local list":
      return store.snapshot.pipe(Effect.map((s) => done(s.localAddresses.map((r) => `${r.pattern}\t${r.type}`).join("\n"))))
    case "local add":
      return withValid(localAddressInput({ pattern: args[0], type: args[1] }), (rule) =>
        store.addLocalAddress(rule).pipe(Effect.as(done(`added ${rule.pattern} (${rule.type})`))))
    case "local remove":
      return withValid(patternInput(args[0]), (pattern) => store.removeLocalAddress(pattern).pipe(Effect.map(removed(pattern))))
    case "hostname list":
      return store.snapshot.pipe(Effect.map((s) => done(s.mtaHostnames.map((h) => `${h.ip}\t${h.hostname}`).join("\n"))))
    case "hostname set":
      return withValid(ipInput(args[0]), (ip) =>
        withValid(hostnameInput(args[1]), (hostname) =>
          store.setMtaHostname({ ip, hostname }).pipe(Effect.as(done(`${ip} is ${hostname}`)))))
    case "hostname unset":
      return withValid(ipInput(args[0]), (ip) => store.unsetMtaHostname(ip).pipe(Effect.map(removed(ip))))
    case "block list":
      return store.snapshot.pipe(Effect.map((s) => done(s.blocked.join("\n"))))
    case "block add":
      return withValid(rangeInput(args[0]), (range) => store.addBlocked(range).pipe(Effect.as(done(`blocked ${range}`))))
    case "block remove":
      return withValid(rangeInput(args[0]), (range) => store.removeBlocked(range).pipe(Effect.map(removed(range))))
  }
  return Effect.succeed(failed(`unknown list command: ${list} ${verb ?? ""}`))
}

/** `smtp-intake local|hostname|block …`: changes the managed lists in database-address directly. */
export const runListCommand = (settings: Settings, args: ReadonlyArray<string>): Effect.Effect<Outcome> => {
  const [list = "", verb, ...rest] = args
  return Effect.scoped(storeFromUrl(settings.databaseAddress).pipe(Effect.flatMap((store) => run(store, list, verb, rest)))).pipe(
    Effect.catch((error) => Effect.succeed(failed(error instanceof Error ? error.message : String(error))))
  )
}
