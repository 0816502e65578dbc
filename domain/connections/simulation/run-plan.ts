/**
 * A deterministic simulation of the connection budget (SPEC §5) under a user's load: clients
 * arrive (in waves and bursts), are admitted, wait in arrival order or are refused; admitted ones
 * hold their slot for their session; held ones get their 421 after `maxWaitMs` or hang up; a
 * delivery stage takes and gives back outgoing slots. Time is simulated (milliseconds, one event
 * at a time), so a run takes no real time and one seed gives one run, byte for byte.
 *
 * It drives the domain's own budget rules and checks the budget's invariants after every event
 * (`budget-invariants.ts`, shared with the tests' simulation of the real keeper), plus: arrival
 * order, no wait longer than `maxWaitMs`, a refusal at once only when `maxWaiting` already wait,
 * `acquireOutgoing` granting exactly when there is room. The first violation ends the run
 * (`shrink-plan.ts` then finds the fewest clients and connections that still fail).
 */
import * as budget from "../connection-budget.ts"
import type { BudgetLimits, BudgetState } from "../connection-budget.ts"
import { budgetViolation, incomingRoom, outgoingRoom } from "./budget-invariants.ts"
import { Agenda } from "./agenda.ts"
import type { Plan, PlannedClient } from "./scenario.ts"

export interface SimulationLimits extends BudgetLimits {
  /** how long a held client waits for a slot before its 421 (smtp-timeout, at most a minute) */
  readonly maxWaitMs: number
}

/** The budget's rules; the simulation takes them as a parameter so that its own tests can break them on purpose. */
export interface BudgetRules {
  readonly requestIncoming: typeof budget.requestIncoming
  readonly releaseIncoming: typeof budget.releaseIncoming
  readonly withdrawWaiting: typeof budget.withdrawWaiting
  readonly acquireOutgoing: typeof budget.acquireOutgoing
  readonly releaseOutgoing: typeof budget.releaseOutgoing
}

export const DOMAIN_RULES: BudgetRules = budget

/** What happened in one simulated second (`second` s to `second + 1` s), and what was open at its end. */
export interface SecondOfRun {
  readonly second: number
  readonly arrived: number
  readonly admitted: number
  readonly refused: number
  readonly left: number
  readonly outgoingOpened: number
  readonly outgoingDenied: number
  readonly incoming: number
  readonly outgoing: number
  readonly waiting: number
  readonly peakWaiting: number
}

export interface SimulationSummary {
  readonly clients: number
  readonly admittedAtOnce: number
  readonly admittedAfterWait: number
  /** held, then refused with 421 when their wait ran out */
  readonly refusedAfterWait: number
  /** 421 at once: maxWaiting clients were already waiting */
  readonly refusedAtOnce: number
  readonly leftWhileWaiting: number
  /** every client that was held, however it ended */
  readonly held: number
  readonly waitMs: { readonly p50: number; readonly p99: number; readonly max: number }
  readonly peak: { readonly incoming: number; readonly outgoing: number; readonly total: number; readonly waiting: number }
  readonly outgoingAttempts: number
  readonly outgoingGranted: number
  readonly steps: number
  readonly simulatedMs: number
}

export interface Violation {
  readonly step: number
  readonly atMs: number
  readonly event: string
  readonly message: string
}

/** How one client's wait for a slot ended, and when: admitted, refused with 421, or it hung up. */
export interface ClientOutcome {
  readonly ended: "admitted" | "refused" | "left"
  readonly atMs: number
}

export interface SimulationRun {
  readonly summary: SimulationSummary
  /** per client of the plan, in its order (a client the run did not reach before a violation is absent) */
  readonly outcomes: ReadonlyArray<ClientOutcome | undefined>
  readonly timeline: ReadonlyArray<SecondOfRun>
  readonly violation: Violation | undefined
}

// ---------------------------------------------------------------- events

type Event =
  | { readonly kind: "arrive"; readonly client: number }
  | { readonly kind: "sessionEnds"; readonly client: number }
  | { readonly kind: "waitEnds"; readonly client: number }
  | { readonly kind: "hangUp"; readonly client: number }
  | { readonly kind: "outgoingOpens"; readonly link: number }
  | { readonly kind: "outgoingCloses"; readonly link: number }

// ---------------------------------------------------------------- one run of a plan

type ClientState = "coming" | "waiting" | "admitted" | "closed" | "refused" | "left"

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!

const describe = (event: Event) => {
  switch (event.kind) {
    case "arrive":
      return `client c${event.client + 1} connects`
    case "sessionEnds":
      return `client c${event.client + 1} ends its session`
    case "waitEnds":
      return `client c${event.client + 1} has waited the longest allowed`
    case "hangUp":
      return `client c${event.client + 1} hangs up while held`
    case "outgoingOpens":
      return `outgoing o${event.link + 1} asks for a slot`
    case "outgoingCloses":
      return `outgoing o${event.link + 1} closes`
  }
}

/** Runs one plan to its end (or to its first violation). */
export const runPlan = (limits: SimulationLimits, plan: Plan, rules: BudgetRules = DOMAIN_RULES): SimulationRun => {
  const clients = plan.clients
  const states: Array<ClientState> = clients.map(() => "coming")
  const outcomes: Array<ClientOutcome | undefined> = clients.map(() => undefined)
  const waiting = new Set<number>() // in arrival order, the simulation's own count
  let incoming = 0
  let outgoing = 0
  let state: BudgetState = budget.emptyBudget
  const agenda = new Agenda<Event>()
  clients.forEach((client, i) => agenda.add(client.atMs, { kind: "arrive", client: i }))
  plan.outgoing.forEach((link, i) => agenda.add(link.atMs, { kind: "outgoingOpens", link: i }))

  const counts = { admittedAtOnce: 0, admittedAfterWait: 0, refusedAfterWait: 0, refusedAtOnce: 0, leftWhileWaiting: 0, outgoingGranted: 0 }
  const peak = { incoming: 0, outgoing: 0, total: 0, waiting: 0 }
  const waits: Array<number> = []
  const timeline: Array<SecondOfRun> = []
  let second: { -readonly [K in keyof SecondOfRun]: SecondOfRun[K] } | undefined
  let violation: string | undefined
  const fail = (message: string) => void (violation ??= message)

  const secondAt = (atMs: number) => {
    const at = Math.floor(atMs / 1000)
    while (second === undefined || second.second < at) {
      if (second !== undefined) timeline.push(second)
      const next = second === undefined ? at : second.second + 1
      second = { second: next, arrived: 0, admitted: 0, refused: 0, left: 0, outgoingOpened: 0, outgoingDenied: 0, incoming, outgoing, waiting: waiting.size, peakWaiting: waiting.size }
    }
    return second
  }

  /** Clients the budget let in: each must be the oldest still waiting. */
  const admit = (ids: ReadonlyArray<string>, now: number) => {
    for (const id of ids) {
      const i = Number(id)
      const oldest = waiting.values().next().value
      if (oldest !== i) fail(`arrival order: c${i + 1} was admitted while c${(oldest ?? -1) + 1} still waits`)
      if (!waiting.delete(i)) fail(`c${i + 1} was admitted without waiting`)
      states[i] = "admitted"
      incoming++
      outcomes[i] = { ended: "admitted", atMs: now }
      waits.push(now - clients[i]!.atMs)
      counts.admittedAfterWait++
      secondAt(now).admitted++
      agenda.add(now + clients[i]!.holdMs, { kind: "sessionEnds", client: i })
    }
  }

  const stopWaiting = (i: number, now: number, as: "refused" | "left") => {
    state = rules.withdrawWaiting(state, String(i))
    waiting.delete(i)
    states[i] = as
    outcomes[i] = { ended: as, atMs: now }
    waits.push(now - clients[i]!.atMs)
    if (as === "refused") {
      counts.refusedAfterWait++
      secondAt(now).refused++
    } else {
      counts.leftWhileWaiting++
      secondAt(now).left++
    }
  }

  const handle = (event: Event, now: number) => {
    switch (event.kind) {
      case "arrive": {
        const i = event.client
        const client: PlannedClient = clients[i]!
        secondAt(now).arrived++
        const step = rules.requestIncoming(limits, state, String(i))
        state = step.state
        if (step.verdict === "admitted") {
          if (waiting.size > 0) fail(`c${i + 1} was admitted at once although ${waiting.size} client(s) were waiting before it`)
          if (!incomingRoom(limits, { incoming, outgoing, waiting: waiting.size })) fail(`c${i + 1} was admitted with no room`)
          states[i] = "admitted"
          incoming++
          outcomes[i] = { ended: "admitted", atMs: now }
          counts.admittedAtOnce++
          secondAt(now).admitted++
          agenda.add(now + client.holdMs, { kind: "sessionEnds", client: i })
        } else if (step.verdict === "refused") {
          if (waiting.size < limits.maxWaiting) fail(`c${i + 1} was refused at once with only ${waiting.size} waiting (maxWaiting ${limits.maxWaiting})`)
          states[i] = "refused"
          outcomes[i] = { ended: "refused", atMs: now }
          counts.refusedAtOnce++
          secondAt(now).refused++
        } else {
          states[i] = "waiting"
          waiting.add(i)
          agenda.add(now + limits.maxWaitMs, { kind: "waitEnds", client: i })
          if (client.patienceMs !== undefined && client.patienceMs < limits.maxWaitMs) {
            agenda.add(now + client.patienceMs, { kind: "hangUp", client: i })
          }
        }
        return
      }
      case "sessionEnds": {
        states[event.client] = "closed"
        incoming--
        const step = rules.releaseIncoming(limits, state)
        state = step.state
        return admit(step.admitted, now)
      }
      case "waitEnds":
        if (states[event.client] === "waiting") stopWaiting(event.client, now, "refused")
        return
      case "hangUp":
        if (states[event.client] === "waiting") stopWaiting(event.client, now, "left")
        return
      case "outgoingOpens": {
        const room = outgoingRoom(limits, { incoming, outgoing, waiting: waiting.size })
        const step = rules.acquireOutgoing(limits, state)
        state = step.state
        if (step.granted !== room) fail(`acquireOutgoing ${step.granted ? "granted a slot with no room" : "refused although there was room"} (${incoming} in, ${outgoing} out)`)
        if (!step.granted) return void secondAt(now).outgoingDenied++
        outgoing++
        counts.outgoingGranted++
        secondAt(now).outgoingOpened++
        agenda.add(now + plan.outgoing[event.link]!.holdMs, { kind: "outgoingCloses", link: event.link })
        return
      }
      case "outgoingCloses": {
        outgoing--
        const step = rules.releaseOutgoing(limits, state)
        state = step.state
        return admit(step.admitted, now)
      }
    }
  }

  let steps = 0
  let now = 0
  let failure: Violation | undefined
  for (let next = agenda.next(); next !== undefined; next = agenda.next()) {
    // a waiting client's timer that fires after it was admitted (or gone) is no event: it neither
    // counts as a step nor stretches the simulated time
    if ((next.event.kind === "waitEnds" || next.event.kind === "hangUp") && states[next.event.client] !== "waiting") continue
    now = next.atMs
    steps++
    handle(next.event, now)
    const open = { incoming, outgoing, waiting: waiting.size }
    violation ??= budgetViolation(limits, open, { incoming: state.incoming, outgoing: state.outgoing, waiting: state.waiting.length })
    const oldest = waiting.values().next().value
    if (oldest !== undefined && now - clients[oldest]!.atMs > limits.maxWaitMs) {
      fail(`c${oldest + 1} still waits ${now - clients[oldest]!.atMs} ms after connecting; the bound is ${limits.maxWaitMs} ms`)
    }
    if (violation !== undefined) {
      failure = { step: steps, atMs: now, event: describe(next.event), message: violation }
      break
    }
    peak.incoming = Math.max(peak.incoming, incoming)
    peak.outgoing = Math.max(peak.outgoing, outgoing)
    peak.total = Math.max(peak.total, incoming + outgoing)
    peak.waiting = Math.max(peak.waiting, waiting.size)
    const current = secondAt(now)
    Object.assign(current, { incoming, outgoing, waiting: waiting.size, peakWaiting: Math.max(current.peakWaiting, waiting.size) })
  }
  if (second !== undefined) timeline.push(second)

  const sortedWaits = [...waits].sort((a, b) => a - b)
  const summary: SimulationSummary = {
    clients: clients.length,
    ...counts,
    held: waits.length,
    waitMs: { p50: percentile(sortedWaits, 50), p99: percentile(sortedWaits, 99), max: sortedWaits.at(-1) ?? 0 },
    peak,
    outgoingAttempts: plan.outgoing.length,
    steps,
    simulatedMs: now
  }
  return { summary, outcomes, timeline, violation: failure }
}
