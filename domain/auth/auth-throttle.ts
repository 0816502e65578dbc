/**
 * Slowing down password guessing (SPEC §4: repeated failures from one IP are slowed down).
 * Up to FREE_FAILURES failures within WINDOW_MS cost nothing; each failure beyond that delays the
 * next attempt's answer by one more second (at most MAX_DELAY_MS); at BLOCK_AFTER failures the IP is
 * refused outright for BLOCK_MS. A success forgives the IP.
 */
export const THROTTLE = {
  WINDOW_MS: 60_000,
  FREE_FAILURES: 5,
  DELAY_STEP_MS: 1_000,
  MAX_DELAY_MS: 5_000,
  BLOCK_AFTER: 10,
  BLOCK_MS: 10 * 60_000
} as const

interface IpRecord {
  /** times of recent failures, oldest first, all within the window */
  readonly failures: ReadonlyArray<number>
  readonly blockedUntil: number | undefined
}

export type ThrottleState = ReadonlyMap<string, IpRecord>

export type AttemptVerdict =
  | { readonly _tag: "Allowed"; readonly delayMs: number }
  | { readonly _tag: "Blocked"; readonly untilMs: number }

export const emptyThrottle: ThrottleState = new Map()

const recentFailures = (record: IpRecord | undefined, now: number): ReadonlyArray<number> =>
  (record?.failures ?? []).filter((at) => now - at < THROTTLE.WINDOW_MS)

/** What an AUTH attempt from `ip` at `now` gets: an answer after a delay, or a refusal. */
export const assessAttempt = (state: ThrottleState, ip: string, now: number): AttemptVerdict => {
  const record = state.get(ip)
  if (record?.blockedUntil !== undefined && now < record.blockedUntil) return { _tag: "Blocked", untilMs: record.blockedUntil }
  const excess = recentFailures(record, now).length - THROTTLE.FREE_FAILURES
  return { _tag: "Allowed", delayMs: excess < 0 ? 0 : Math.min((excess + 1) * THROTTLE.DELAY_STEP_MS, THROTTLE.MAX_DELAY_MS) }
}

/** Keeps only records that still matter at `now`, so that the state stays bounded. */
const prune = (state: ThrottleState, now: number): Map<string, IpRecord> => {
  const kept = new Map<string, IpRecord>()
  for (const [ip, record] of state) {
    const failures = recentFailures(record, now)
    const blocked = record.blockedUntil !== undefined && now < record.blockedUntil
    if (failures.length > 0 || blocked) kept.set(ip, { failures, blockedUntil: blocked ? record.blockedUntil : undefined })
  }
  return kept
}

export const recordFailure = (state: ThrottleState, ip: string, now: number): ThrottleState => {
  const next = prune(state, now)
  const failures = [...recentFailures(next.get(ip), now), now]
  const blockedUntil = failures.length >= THROTTLE.BLOCK_AFTER ? now + THROTTLE.BLOCK_MS : next.get(ip)?.blockedUntil
  next.set(ip, { failures, blockedUntil })
  return next
}

export const recordSuccess = (state: ThrottleState, ip: string, now: number): ThrottleState => {
  const next = prune(state, now)
  next.delete(ip)
  return next
}
