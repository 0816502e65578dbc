import { reverse } from "node:dns/promises"
import { Effect, Layer } from "effect"
import { ReverseDns } from "../../application/ports/reverse-dns.ts"

const LOOKUP_TIMEOUT_MS = 2_000

/**
 * Reverse DNS of our own local IPs, looked up once per IP and kept: the answer names this machine
 * and does not change while it runs. No answer in time, or none at all, means no name.
 */
export const CachedReverseDns = Layer.sync(ReverseDns, () => {
  const names = new Map<string, Promise<string | undefined>>()
  const lookup = (ip: string) =>
    Promise.race([
      reverse(ip).then((found) => found[0], () => undefined),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS).unref())
    ])
  return ReverseDns.of({
    nameOf: (ip) =>
      Effect.promise(() => {
        const known = names.get(ip) ?? lookup(ip)
        names.set(ip, known)
        return known
      })
  })
})
