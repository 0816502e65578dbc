import { describe, expect, it } from "vitest"
import { parseIpRange } from "../../../domain/ip/ip-range.ts"
import { outgoingIps } from "../../../domain/ip/outgoing-ips.ts"
import type { OutgoingIpRules } from "../../../domain/ip/outgoing-ips.ts"

const ranges = (text: string) => text.split(";").map((t) => parseIpRange(t)!)

/** The seed's example configuration. */
const seed: OutgoingIpRules = {
  defaultIps: ["1.2.3.4", "4.5.6.7"],
  unmappable: ranges("1.2.3.28/32;1.2.3.5/32"),
  mappable: ranges("1.2.3.0/24;4.5.6.0/24")
}
const none: OutgoingIpRules = { defaultIps: [], mappable: [], unmappable: [] }

describe("outgoing IPs (SPEC §3)", () => {
  it.each([
    ["a mappable local IP is sent out from itself", seed, "1.2.3.100", [], ["1.2.3.100"]],
    ["an unmappable local IP falls back to the defaults", seed, "1.2.3.28", [], ["1.2.3.4", "4.5.6.7"]],
    ["a local IP outside every mappable range falls back to the defaults", seed, "9.9.9.9", [], ["1.2.3.4", "4.5.6.7"]],
    ["x-mq-ip wins over everything", seed, "1.2.3.100", ["5.5.5.5"], ["5.5.5.5"]],
    ["with no rule at all, the local IP", none, "10.0.0.1", [], ["10.0.0.1"]],
    ["mappable ranges without defaults: an unmappable IP gives none (any IP)", { ...none, mappable: ranges("1.2.3.0/24") }, "8.8.8.8", [], undefined],
    ["an unmappable IP without defaults gives none, never itself", { ...none, mappable: ranges("1.2.3.0/24"), unmappable: ranges("1.2.3.28/32") }, "1.2.3.28", [], undefined],
    ["only unmappable ranges, without defaults: none", { ...none, unmappable: ranges("10.0.0.0/8") }, "10.0.0.1", [], undefined],
    ["IPv4-mapped IPv6 is matched and written as IPv4", seed, "::ffff:4.5.6.9", [], ["4.5.6.9"]],
    ["IPv6 ranges work", { ...none, mappable: ranges("2001:db8::/32"), defaultIps: ["2001:db8:ffff::1"] }, "2001:db8::25", [], ["2001:db8::25"]],
    ["an x-mq-ip that is no IP is ignored", seed, "1.2.3.100", ["not-an-ip"], ["1.2.3.100"]],
    ["several x-mq-ip values are kept in order", seed, "1.2.3.100", ["2001:db8::1", "5.5.5.5"], ["2001:db8::1", "5.5.5.5"]]
  ] as const)("%s", (_, rules, local, explicit, expected) => {
    expect(outgoingIps(rules, local, explicit)).toEqual(expected)
  })
})
