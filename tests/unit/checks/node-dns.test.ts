import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { FIXED_TTL_MS, nodeDns } from "../../../adapters/dns/node-dns.ts"
import type { NodeResolver } from "../../../adapters/dns/node-dns.ts"

const nodeError = (code: string) => Object.assign(new Error(`query ${code}`), { code })

/** A resolver that counts its queries and answers from a table (the TTL of A and AAAA records in seconds). */
const fakeResolver = (answers: Record<string, unknown>) => {
  const asked: Array<string> = []
  const answer = <A>(type: string, name: string): Promise<A> => {
    asked.push(`${type} ${name}`)
    const found = answers[`${type} ${name}`]
    return found instanceof Error ? Promise.reject(found) : found === undefined ? Promise.reject(nodeError("ENOTFOUND")) : Promise.resolve(found as A)
  }
  const resolver: NodeResolver = {
    resolve4: (name) => answer("A", name),
    resolve6: (name) => answer("AAAA", name),
    resolveTxt: (name) => answer("TXT", name),
    resolveMx: (name) => answer("MX", name),
    resolvePtr: (name) => answer("PTR", name),
    resolveCname: (name) => answer("CNAME", name),
    getServers: () => ["127.0.0.1"]
  }
  return { resolver, asked }
}

const codeOf = <A>(effect: Effect.Effect<A, { readonly code: string }>) => Effect.map(Effect.flip(effect), (e) => e.code)

describe("DNS through node:dns, cached", () => {
  it.effect("keeps A answers for their TTL (the shortest of the records), then asks again", () => {
    const fake = fakeResolver({ "A mail.example.org": [{ address: "192.0.2.1", ttl: 300 }, { address: "192.0.2.2", ttl: 30 }] })
    const dns = nodeDns({ resolver: fake.resolver })
    return Effect.gen(function*() {
      assert.deepStrictEqual(yield* dns.resolve("mail.example.org", "A"), ["192.0.2.1", "192.0.2.2"])
      yield* TestClock.adjust("29 seconds")
      assert.deepStrictEqual(yield* dns.resolve("Mail.Example.ORG.", "A"), ["192.0.2.1", "192.0.2.2"])
      assert.strictEqual(fake.asked.length, 1)
      yield* TestClock.adjust("1 second")
      yield* dns.resolve("mail.example.org", "A")
      assert.strictEqual(fake.asked.length, 2)
    })
  })

  it.effect("keeps TXT answers, which come without a TTL, for the fixed time", () => {
    const fake = fakeResolver({ "TXT example.org": [["v=spf1 ", "-all"]] })
    const dns = nodeDns({ resolver: fake.resolver })
    return Effect.gen(function*() {
      assert.deepStrictEqual(yield* dns.resolve("example.org", "TXT"), [["v=spf1 ", "-all"]])
      yield* TestClock.adjust(FIXED_TTL_MS - 1)
      yield* dns.resolve("example.org", "TXT")
      assert.strictEqual(fake.asked.length, 1)
      yield* TestClock.adjust(1)
      yield* dns.resolve("example.org", "TXT")
      assert.strictEqual(fake.asked.length, 2)
    })
  })

  it.effect("keeps 'no such name' and 'no such record', and asks again after a timeout or SERVFAIL", () => {
    const fake = fakeResolver({ "TXT empty.example": nodeError("ENODATA"), "TXT slow.example": nodeError("ETIMEOUT"), "TXT sick.example": nodeError("ESERVFAIL") })
    const dns = nodeDns({ resolver: fake.resolver })
    return Effect.gen(function*() {
      for (let i = 0; i < 2; i++) {
        assert.strictEqual(yield* codeOf(dns.resolve("gone.example", "TXT")), "ENOTFOUND")
        assert.strictEqual(yield* codeOf(dns.resolve("empty.example", "TXT")), "ENODATA")
        assert.strictEqual(yield* codeOf(dns.resolve("slow.example", "TXT")), "ETIMEOUT")
        assert.strictEqual(yield* codeOf(dns.resolve("sick.example", "TXT")), "ESERVFAIL")
      }
      assert.deepStrictEqual(fake.asked, ["TXT gone.example", "TXT empty.example", "TXT slow.example", "TXT sick.example", "TXT slow.example", "TXT sick.example"])
    })
  })

  it.effect("asks once for the same question asked by several at once", () => {
    const fake = fakeResolver({ "MX example.org": [{ exchange: "mx.example.org", priority: 10 }] })
    const dns = nodeDns({ resolver: fake.resolver })
    return Effect.gen(function*() {
      const answers = yield* Effect.all(Array.from({ length: 5 }, () => dns.resolve("example.org", "MX")), { concurrency: "unbounded" })
      assert.deepStrictEqual(answers[4], [{ exchange: "mx.example.org", priority: 10 }])
      assert.strictEqual(fake.asked.length, 1)
    })
  })

  it.effect("does not cache a record with TTL 0, and refuses record types it does not serve", () => {
    const fake = fakeResolver({ "AAAA v6.example": [{ address: "2001:db8::1", ttl: 0 }] })
    const dns = nodeDns({ resolver: fake.resolver })
    return Effect.gen(function*() {
      yield* dns.resolve("v6.example", "AAAA")
      yield* dns.resolve("v6.example", "AAAA")
      assert.strictEqual(fake.asked.length, 2)
      assert.strictEqual(yield* codeOf(dns.resolve("example.org", "SRV")), "ENOTIMP")
    })
  })
})

describe("DNS through a real node:dns Resolver", () => {
  it.live("asks the servers it is given: a refused query is a temporary failure, not 'no record'", () =>
    Effect.gen(function*() {
      const code = yield* codeOf(nodeDns({ servers: ["127.0.0.1:1"] }).resolve("example.org", "TXT"))
      assert.strictEqual(code, "ECONNREFUSED")
    }))
})
