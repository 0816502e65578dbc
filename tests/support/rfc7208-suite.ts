import { readFileSync } from "node:fs"
import type { MxRecord } from "../../application/ports/dns.ts"
import type { Zone, ZoneEntry } from "./memory-dns.ts"

/**
 * The OpenSPF RFC 7208 test suite (`rfc7208-tests.yml` of pyspf, BSD licence in
 * `rfc7208/rfc7208-tests.LICENSE`), converted from YAML to JSON unchanged, and its zone data read
 * as pyspf's test runner reads it: an SPF record is also a TXT record unless the name has TXT
 * records of its own; `TIMEOUT` for a name (or a type) gives no answer; `TXT: NONE` is no record.
 */
interface RawCase {
  readonly description: string
  readonly helo: string
  readonly host: string
  readonly mailfrom: string
  readonly result: string | ReadonlyArray<string>
}

type RawRecord = "TIMEOUT" | Readonly<Record<string, string | ReadonlyArray<string | number>>>

interface RawScenario {
  readonly description: string
  readonly tests: Readonly<Record<string, RawCase>>
  readonly zonedata: Readonly<Record<string, ReadonlyArray<RawRecord>>>
}

export interface SpfCase {
  readonly name: string
  readonly scenario: string
  readonly sender: string
  readonly helo: string
  readonly clientIp: string
  /** any of these */
  readonly results: ReadonlyArray<string>
  readonly zone: Zone
}

const textOf = (value: string | ReadonlyArray<string | number>): Array<string> =>
  typeof value === "string" ? [value] : value.map(String)

const zoneOf = (data: RawScenario["zonedata"]): Zone => {
  const zone: Record<string, Record<string, ZoneEntry>> = {}
  for (const [name, records] of Object.entries(data)) {
    const types: Record<string, ZoneEntry> = {}
    const add = (type: string, value: unknown) => {
      const before = types[type]
      types[type] = [...(Array.isArray(before) ? before : []), value] as ZoneEntry
    }
    const hasTxt = records.some((r) => r !== "TIMEOUT" && "TXT" in r)
    /** the types with a record before a TIMEOUT (`TXT: NONE` and the TXT made from SPF are none) */
    const answered = new Set<string>()
    for (const record of records) {
      if (record === "TIMEOUT") {
        // as pyspf's runner reads it: a type with a record before the TIMEOUT is answered with those, the others time out
        for (const type of ["A", "AAAA", "TXT", "MX", "PTR", "CNAME"]) if (!answered.has(type)) types[type] = "hang"
        break
      }
      for (const [type, value] of Object.entries(record)) if (type !== "SPF" && value !== "NONE" && value !== "TIMEOUT") answered.add(type)
      for (const [type, value] of Object.entries(record)) {
        if (value === "TIMEOUT") types[type === "SPF" ? "TXT" : type] = "hang"
        else if (type === "SPF") {
          if (!hasTxt) add("TXT", textOf(value))
        } else if (type === "TXT") {
          if (value !== "NONE") add("TXT", textOf(value))
          else types.TXT ??= []
        } else if (type === "MX") {
          const [priority, exchange] = value as ReadonlyArray<number | string>
          add("MX", { priority: Number(priority), exchange: String(exchange) } satisfies MxRecord)
        } else add(type, value)
      }
    }
    zone[name.toLowerCase()] = types
  }
  return zone
}

const scenarios = JSON.parse(
  readFileSync(new URL("./rfc7208/rfc7208-tests.json", import.meta.url), "utf8")
) as ReadonlyArray<RawScenario>

export const rfc7208Cases: ReadonlyArray<SpfCase> = scenarios.flatMap((scenario) => {
  const zone = zoneOf(scenario.zonedata)
  return Object.entries(scenario.tests).map(([name, raw]) => ({
    name,
    scenario: scenario.description,
    sender: raw.mailfrom,
    helo: raw.helo,
    clientIp: raw.host,
    results: typeof raw.result === "string" ? [raw.result] : [...raw.result],
    zone
  }))
})
