import { Layer } from "effect"
import { REFUSAL_REASONS } from "../../domain/console/refusal-reason.ts"
import type { RefusalReason } from "../../domain/console/refusal-reason.ts"
import { RefusalTally } from "../ports/refusal-tally.ts"
import type { RefusedClient, RefusalSummary, RefusalTallyShape } from "../ports/refusal-tally.ts"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
/** the clients are counted in windows of ten minutes, six of which make the hour */
const WINDOW = 10 * MINUTE
const WINDOWS = HOUR / WINDOW + 1
/** at most this many clients per window: a flood of distinct IPs costs bounded memory */
export const CLIENTS_PER_WINDOW = 256
const TOP = 10

const reasonIndex = new Map(REFUSAL_REASONS.map((reason, i) => [reason, i]))

interface ClientCount {
  count: number
  reason: RefusalReason
}

interface Window {
  start: number
  readonly clients: Map<string, ClientCount>
}

/**
 * Space-saving: a full window gives the slot of its least refused client to the newcomer, which
 * inherits that count. The heavy hitters stay, and a client's count is never under its true count.
 */
const countClient = (window: Window, client: string, reason: RefusalReason, count: number) => {
  const known = window.clients.get(client)
  if (known !== undefined) {
    known.count += count
    known.reason = reason
    return
  }
  if (window.clients.size < CLIENTS_PER_WINDOW) {
    window.clients.set(client, { count, reason })
    return
  }
  let least: string | undefined
  let leastCount = Infinity
  for (const [name, entry] of window.clients) {
    if (entry.count < leastCount) {
      least = name
      leastCount = entry.count
    }
  }
  if (least !== undefined) window.clients.delete(least)
  window.clients.set(client, { count: leastCount + count, reason })
}

/**
 * The refusals of the last hour in bounded memory: a count per reason for each of the last sixty
 * minutes, and the most refused clients of each ten-minute window.
 */
export const makeRefusalTally = (): RefusalTallyShape => {
  const minutes = Array.from({ length: 60 }, () => ({ minute: -1, counts: new Float64Array(REFUSAL_REASONS.length) }))
  const windows: Array<Window> = Array.from({ length: WINDOWS }, () => ({ start: -1, clients: new Map() }))

  const minuteSlot = (at: number) => {
    const minute = Math.floor(at / MINUTE)
    const slot = minutes[minute % minutes.length]!
    if (slot.minute !== minute) {
      slot.minute = minute
      slot.counts.fill(0)
    }
    return slot
  }

  const windowSlot = (at: number) => {
    const start = Math.floor(at / WINDOW)
    const slot = windows[start % windows.length]!
    if (slot.start !== start) {
      slot.start = start
      slot.clients.clear()
    }
    return slot
  }

  return {
    record: (reason, client, at, count = 1) => {
      minuteSlot(at).counts[reasonIndex.get(reason) ?? 0]! += count
      if (client !== undefined) countClient(windowSlot(at), client, reason, count)
    },
    summary: (at): RefusalSummary => {
      const since = at - HOUR
      const byReason = Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, 0])) as Record<RefusalReason, number>
      const firstMinute = Math.floor(since / MINUTE)
      const lastMinute = Math.floor(at / MINUTE)
      for (const slot of minutes) {
        if (slot.minute <= firstMinute || slot.minute > lastMinute) continue
        REFUSAL_REASONS.forEach((reason, i) => void (byReason[reason] += slot.counts[i]!))
      }
      const clients = new Map<string, ClientCount>()
      const firstWindow = Math.floor(since / WINDOW)
      const lastWindow = Math.floor(at / WINDOW)
      // oldest first, so that a client's latest reason wins
      for (const slot of [...windows].sort((a, b) => a.start - b.start)) {
        if (slot.start <= firstWindow || slot.start > lastWindow) continue
        for (const [client, entry] of slot.clients) {
          const sum = clients.get(client)
          clients.set(client, { count: (sum?.count ?? 0) + entry.count, reason: entry.reason })
        }
      }
      const topClients: Array<RefusedClient> = [...clients]
        .map(([client, entry]) => ({ client, count: entry.count, reason: entry.reason }))
        .sort((a, b) => b.count - a.count || (a.client < b.client ? -1 : 1))
        .slice(0, TOP)
      return { since, at, byReason, topClients }
    }
  }
}

/** The process's tally, kept for as long as the layer lives. */
export const RefusalTallyLayer = Layer.sync(RefusalTally, makeRefusalTally)
