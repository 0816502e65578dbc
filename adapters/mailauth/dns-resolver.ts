import { Effect } from "effect"
import type { DNSResolver } from "mailauth"
import { Dns } from "../../application/ports/dns.ts"

/**
 * The `Dns` of the current context as mailauth's resolver: a promise of the answer, or an Error
 * with node:dns's `code`, which is what mailauth tells "no record" (ENOTFOUND, ENODATA) from a
 * temporary failure by. Lookups run with the caller's context (its clock) and stop when `signal` aborts.
 */
export const mailauthResolver = Effect.gen(function*() {
  const dns = yield* Dns
  const run = Effect.runPromiseWith(yield* Effect.context<never>())
  return (signal: AbortSignal): DNSResolver => async (name, rrtype) => {
    const answer = await run(Effect.result(dns.resolve(name, rrtype)), { signal })
    if (answer._tag === "Failure") {
      throw Object.assign(new Error(answer.failure.message), { code: answer.failure.code })
    }
    // mailauth's declared type leaves out MX answers ({ exchange, priority }), which it does ask for
    return [...answer.success] as Array<string>
  }
})
