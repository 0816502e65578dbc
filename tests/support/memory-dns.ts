import { Effect, Layer } from "effect"
import { Dns, DnsFailure } from "../../application/ports/dns.ts"
import type { DnsAnswer, DnsShape } from "../../application/ports/dns.ts"

/** What a name holds for one record type: the answer, a DNS failure (by node:dns code), or no answer ever. */
export type ZoneEntry = DnsAnswer | { readonly fail: string } | "hang"

/** name (lower case, no trailing dot) → record type → entry */
export type Zone = Readonly<Record<string, Readonly<Record<string, ZoneEntry>>>>

export interface MemoryDns {
  readonly layer: Layer.Layer<Dns>
  readonly service: DnsShape
  /** every question asked, as `TYPE name` */
  readonly asked: ReadonlyArray<string>
}

const failure = (code: string, name: string, rrtype: string) => new DnsFailure({ code, message: `${code} ${rrtype} ${name}` })

/**
 * DNS served from zone data in memory, answering as node:dns does: a name that is not in the
 * zone is ENOTFOUND, a name without records of the type asked is ENODATA.
 */
export const memoryDns = (zone: Zone): MemoryDns => {
  const asked: Array<string> = []
  const service: DnsShape = {
    resolve: (name, rrtype) =>
      Effect.suspend(() => {
        const key = name.toLowerCase().replace(/\.$/, "")
        asked.push(`${rrtype} ${key}`)
        const records = zone[key]
        if (records === undefined) return Effect.fail(failure("ENOTFOUND", key, rrtype))
        const entry = records[rrtype]
        if (entry === undefined) return Effect.fail(failure("ENODATA", key, rrtype))
        if (entry === "hang") return Effect.never
        if ("fail" in entry) return Effect.fail(failure(entry.fail, key, rrtype))
        return Effect.succeed(entry)
      })
  }
  return { layer: Layer.succeed(Dns, Dns.of(service)), service, asked }
}
