import { Context, Schema } from "effect"
import type { Effect } from "effect"

export interface MxRecord {
  readonly exchange: string
  readonly priority: number
}

/** As node:dns `resolve(name, rrtype)` answers: TXT gives each record's strings, MX its records, the rest names or addresses. */
export type DnsAnswer = ReadonlyArray<string> | ReadonlyArray<ReadonlyArray<string>> | ReadonlyArray<MxRecord>

/**
 * A lookup that gave no answer, with node:dns's code: ENOTFOUND (no such name) and ENODATA (no
 * record of that type) are answers of a kind; ETIMEOUT, ESERVFAIL, ECONNREFUSED… are failures.
 */
export class DnsFailure extends Schema.TaggedError<DnsFailure>()("DnsFailure", {
  code: Schema.String,
  message: Schema.String
}) {}

export interface DnsShape {
  /** the shape mailauth's resolver has (name, rrtype), as an Effect */
  resolve(name: string, rrtype: string): Effect.Effect<DnsAnswer, DnsFailure>
}

/** DNS, for SPF, DKIM and DMARC. */
export class Dns extends Context.Service<Dns, DnsShape>()("smtp-intake/Dns") {}
