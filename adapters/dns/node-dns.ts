import { Resolver } from "node:dns/promises"
import { Clock, Effect, Layer } from "effect"
import { Dns, DnsFailure } from "../../application/ports/dns.ts"
import type { DnsAnswer, DnsShape, MxRecord } from "../../application/ports/dns.ts"
import { nameServer, wireQuery } from "./wire-query.ts"

interface AddressWithTtl {
  readonly address: string
  /** seconds */
  readonly ttl: number
}

/** The part of node:dns's `Resolver` used here; tests may hand in their own. */
export interface NodeResolver {
  resolve4(name: string, options: { ttl: true }): Promise<ReadonlyArray<AddressWithTtl>>
  resolve6(name: string, options: { ttl: true }): Promise<ReadonlyArray<AddressWithTtl>>
  resolveTxt(name: string): Promise<ReadonlyArray<ReadonlyArray<string>>>
  resolveMx(name: string): Promise<ReadonlyArray<MxRecord>>
  resolvePtr(name: string): Promise<ReadonlyArray<string>>
  resolveCname(name: string): Promise<ReadonlyArray<string>>
  /** where it sends its questions, for the ones it refuses to send (see `wire-query.ts`) */
  getServers(): ReadonlyArray<string>
}

export interface NodeDnsOptions {
  /** name servers (`1.2.3.4`, `[::1]:5353`) instead of the system's */
  readonly servers?: ReadonlyArray<string>
  /** instead of a node:dns Resolver */
  readonly resolver?: NodeResolver
}

/**
 * node:dns reports a TTL for A and AAAA only (`{ ttl: true }`); TXT, MX, PTR and CNAME answers,
 * and "no such name" or "no such record", are kept this fixed, short time instead.
 */
export const FIXED_TTL_MS = 60_000
/** a TTL of days is honoured for an hour at most */
const MAX_TTL_MS = 3_600_000
/** the oldest entries go first beyond this, so that a flood of names cannot fill the memory */
const MAX_ENTRIES = 10_000
const QUERY_TIMEOUT_MS = 2_000
const QUERY_TRIES = 2

/** Answers that say the record is not there; they are cached. Anything else (timeouts, SERVFAIL) is asked again. */
const NEGATIVE = new Set(["ENOTFOUND", "ENODATA"])

interface Fresh {
  readonly answer: DnsAnswer
  readonly ttlMs: number
}

type Outcome = { readonly answer: DnsAnswer } | { readonly failure: DnsFailure }

const fixed = (answer: DnsAnswer): Fresh => ({ answer, ttlMs: FIXED_TTL_MS })

const withTtl = (records: ReadonlyArray<AddressWithTtl>): Fresh => ({
  answer: records.map((r) => r.address),
  ttlMs: records.length === 0 ? 0 : Math.min(MAX_TTL_MS, ...records.map((r) => r.ttl * 1000))
})

const nodeQuery = (resolver: NodeResolver, name: string, rrtype: string): Promise<Fresh> => {
  switch (rrtype) {
    case "A": return resolver.resolve4(name, { ttl: true }).then(withTtl)
    case "AAAA": return resolver.resolve6(name, { ttl: true }).then(withTtl)
    case "TXT": return resolver.resolveTxt(name).then(fixed)
    case "MX": return resolver.resolveMx(name).then(fixed)
    case "PTR": return resolver.resolvePtr(name).then(fixed)
    case "CNAME": return resolver.resolveCname(name).then(fixed)
    default: return Promise.reject(Object.assign(new Error(`${rrtype} lookups are not supported`), { code: "ENOTIMP" }))
  }
}

/**
 * What node:dns cannot do, `wire-query.ts` does, with the same servers: send a name it refuses
 * (EBADNAME), and read an answer it cannot (EBADRESP: a TXT record without strings, RFC 7208 §3.3's
 * test suite has one, fails the whole answer).
 */
const ASKED_AGAIN = new Set(["EBADNAME", "EBADRESP"])

const query = (resolver: NodeResolver, name: string, rrtype: string): Promise<Fresh> =>
  nodeQuery(resolver, name, rrtype).catch((cause: unknown) => {
    const code = (cause as { code?: unknown } | null)?.code
    if (typeof code !== "string" || !ASKED_AGAIN.has(code)) throw cause
    return wireQuery(resolver.getServers().map(nameServer), name, rrtype, { timeoutMs: QUERY_TIMEOUT_MS, tries: QUERY_TRIES })
      .then(({ answer, ttlSeconds }) => ({ answer, ttlMs: Math.min(MAX_TTL_MS, ttlSeconds * 1000) }))
  })

const failureOf = (name: string, rrtype: string) => (cause: unknown): DnsFailure => {
  const code = (cause as { code?: unknown } | null)?.code
  return new DnsFailure({
    code: typeof code === "string" ? code : "EFAIL",
    message: `${rrtype} ${name}: ${cause instanceof Error ? cause.message : String(cause)}`
  })
}

const systemResolver = (servers: ReadonlyArray<string> | undefined): NodeResolver => {
  const resolver = new Resolver({ timeout: QUERY_TIMEOUT_MS, tries: QUERY_TRIES })
  if (servers !== undefined) resolver.setServers([...servers])
  return resolver
}

/** DNS through node:dns, with answers cached within their TTL and simultaneous identical questions asked once. */
export const nodeDns = (options: NodeDnsOptions = {}): DnsShape => {
  const resolver = options.resolver ?? systemResolver(options.servers)
  const cache = new Map<string, { readonly expiresAt: number; readonly outcome: Outcome }>()
  const pending = new Map<string, Promise<Fresh>>()

  const remember = (key: string, outcome: Outcome, expiresAt: number, now: number) => {
    cache.delete(key)
    if (expiresAt <= now) return
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value ?? "")
    cache.set(key, { expiresAt, outcome })
  }

  const ask = (key: string, name: string, rrtype: string): Promise<Fresh> => {
    const asked = pending.get(key)
    if (asked !== undefined) return asked
    const asking = query(resolver, name, rrtype).finally(() => pending.delete(key))
    pending.set(key, asking)
    return asking
  }

  return {
    resolve: (name, rrtype) =>
      Effect.gen(function*() {
        const key = `${rrtype} ${name.toLowerCase().replace(/\.$/, "")}`
        const cached = cache.get(key)
        if (cached !== undefined && cached.expiresAt > (yield* Clock.currentTimeMillis)) {
          return "answer" in cached.outcome ? cached.outcome.answer : yield* cached.outcome.failure
        }
        const fresh = yield* Effect.result(Effect.tryPromise({ try: () => ask(key, name, rrtype), catch: failureOf(name, rrtype) }))
        const now = yield* Clock.currentTimeMillis
        if (fresh._tag === "Success") {
          remember(key, { answer: fresh.success.answer }, now + fresh.success.ttlMs, now)
          return fresh.success.answer
        }
        if (NEGATIVE.has(fresh.failure.code)) remember(key, { failure: fresh.failure }, now + FIXED_TTL_MS, now)
        return yield* fresh.failure
      })
  }
}

export const NodeDns = (options: NodeDnsOptions = {}) => Layer.sync(Dns, () => Dns.of(nodeDns(options)))
