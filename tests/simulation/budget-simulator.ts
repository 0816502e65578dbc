/**
 * A deterministic simulation of the connection budget (SPEC §5) driving the real keeper
 * (`application/connection-budget-keeper.ts`) under Effect's TestClock.
 *
 * One seed gives one schedule: clients connect in bursts (each a fiber calling `admitIncoming`,
 * as the SMTP listener does, raced against the client's own patience), admitted clients send,
 * stall or drop for a while and then release their slot, waiting clients hang up (their fiber is
 * interrupted), and a delivery stage takes and gives back outgoing slots. Everything happens
 * synchronously inside one event, and time only moves through `TestClock.adjust` ticks of a few
 * milliseconds, so a failing seed replays exactly. After every event the invariants are checked:
 *
 * 1. no limit is ever exceeded, and the keeper's `usage` equals the simulator's own count of
 *    admitted-and-open sockets, open outgoing connections and waiting clients;
 * 2. the reserved share: below min(in, total − out) incoming connections nobody waits (and more
 *    strictly, no free slot stays idle while someone waits); below min(out, total − in) outgoing
 *    connections `acquireOutgoing` grants (and more strictly, it grants exactly when there is room);
 * 3. arrival order: a client is admitted only when nobody who came before it still waits;
 * 4. every client ends admitted-then-closed, refused, or left while waiting, never two of these;
 *    nobody still waits once maxWaitMs have passed; a refusal comes exactly at maxWaitMs, or at
 *    once when maxWaiting clients already wait;
 * 5. after the run drains, usage is back to zero and every fiber has ended.
 */
import { Cause, Clock, Data, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { makeConnectionBudget } from "../../application/connection-budget-keeper.ts"
import type { ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"
import type { BudgetLimits } from "../../domain/connections/connection-budget.ts"
import { budgetViolation, incomingRoom, outgoingRoom, reservedOutgoing } from "../../domain/connections/simulation/budget-invariants.ts"
import { hashText, makeDice } from "../../domain/connections/simulation/seeded-random.ts"
import type { Dice } from "../../domain/connections/simulation/seeded-random.ts"

export { reservedIncoming, reservedOutgoing } from "../../domain/connections/simulation/budget-invariants.ts"
export { mulberry32 } from "../../domain/connections/simulation/seeded-random.ts"

export interface Scenario {
  readonly name: string
  readonly limits: BudgetLimits
  readonly maxWaitMs: number
}

export interface SimulationReport {
  readonly steps: number
  readonly simulatedMs: number
  readonly clients: number
  readonly admittedAtOnce: number
  readonly admittedAfterWait: number
  readonly refusedAtOnce: number
  readonly refusedAfterWait: number
  readonly leftWhileWaiting: number
  readonly outgoingGranted: number
  readonly outgoingDenied: number
  readonly stepsWithWaiters: number
  readonly peakIncoming: number
  readonly peakOutgoing: number
  readonly peakTotal: number
  readonly peakWaiting: number
}

export class InvariantViolation extends Data.TaggedError("InvariantViolation")<{ readonly message: string }> {}

// ---------------------------------------------------------------- the schedule

type EventKind = "connect" | "deliver" | "hangUp" | "dropClient" | "dropOutgoing" | "closeAndHangUp" | "tick"

/** Load changes every few hundred events, so that both sides get busy and quiet in turn. */
interface Phase {
  readonly weights: Readonly<Record<EventKind, number>>
  readonly burst: number
  /** the share of clients that stall once admitted (hold their slot for seconds) */
  readonly stallers: number
  readonly outgoingHoldMs: readonly [number, number]
}

const mix = (connect: number, deliver: number, tick: number) =>
  ({ connect, deliver, tick, hangUp: 0.4, dropClient: 0.2, dropOutgoing: 0.3, closeAndHangUp: 0.2 })

const PHASES: ReadonlyArray<Phase> = [
  { weights: mix(1, 8, 6), burst: 2, stallers: 0.1, outgoingHoldMs: [2_000, 20_000] }, // mostly sending
  { weights: mix(3, 1, 6), burst: 2, stallers: 0.1, outgoingHoldMs: [50, 1_000] }, // sending slows down
  { weights: mix(6, 2, 4), burst: 5, stallers: 0.1, outgoingHoldMs: [200, 5_000] }, // a storm of clients
  { weights: mix(2, 2, 6), burst: 2, stallers: 0.6, outgoingHoldMs: [200, 5_000] }, // clients that stall
  { weights: mix(1, 1, 10), burst: 1, stallers: 0.1, outgoingHoldMs: [50, 2_000] } // quiet
]

interface ClientPlan {
  /** the client hangs up after this long if still held (undefined: it waits for the answer) */
  readonly patienceMs: number | undefined
  /** how long it stays once admitted: sends a while, stalls long, or drops at once */
  readonly holdMs: number
}

const planClient = (dice: Dice, phase: Phase, maxWaitMs: number): ClientPlan => {
  const holdMs = dice.chance(phase.stallers)
    ? dice.int(2_000, 10_000)
    : dice.chance(0.15) ? dice.int(0, 10) : dice.int(20, 1_500)
  return { patienceMs: dice.chance(0.25) ? dice.int(1, 2 * maxWaitMs) : undefined, holdMs }
}

// ---------------------------------------------------------------- simulated sockets

type SocketState = "waiting" | "admitted" | "refused" | "left" | "closed"

/** every client ends admitted-then-closed, refused, or left while waiting: never two of these */
const NEXT: Readonly<Record<SocketState, ReadonlyArray<SocketState>>> = {
  waiting: ["admitted", "refused", "left"],
  admitted: ["closed"],
  refused: [],
  left: [],
  closed: []
}

interface SimSocket {
  readonly id: string
  readonly connectedAt: number
  state: SocketState
  /** true while `admitIncoming` runs for the first time, inside the connect event */
  arriving: boolean
  fiber: Fiber.Fiber<void> | undefined
}

interface OutgoingLink {
  readonly id: string
  fiber: Fiber.Fiber<void> | undefined
}

/** The simulator's own account of every socket, kept independently of the keeper. */
class World {
  readonly sockets: Array<SimSocket> = []
  readonly waiting = new Set<SimSocket>() // in arrival order
  readonly admitted = new Set<SimSocket>()
  readonly outgoing = new Set<OutgoingLink>()
  violation: string | undefined = undefined
  happened: Array<string> = []
  readonly stats = {
    admittedAtOnce: 0, admittedAfterWait: 0, refusedAtOnce: 0, refusedAfterWait: 0, leftWhileWaiting: 0,
    outgoingGranted: 0, outgoingDenied: 0, stepsWithWaiters: 0, peakIncoming: 0, peakOutgoing: 0, peakTotal: 0, peakWaiting: 0
  }
  private outgoingCount = 0
  private readonly scenario: Scenario

  constructor(scenario: Scenario) {
    this.scenario = scenario
  }

  fail(message: string): void {
    this.violation ??= message
  }

  connect(at: number): SimSocket {
    const socket: SimSocket = { id: `c${this.sockets.length + 1}`, connectedAt: at, state: "waiting", arriving: true, fiber: undefined }
    this.sockets.push(socket)
    this.waiting.add(socket)
    return socket
  }

  /** room for one more incoming connection, by the simulator's own count */
  incomingRoom(): boolean {
    return incomingRoom(this.scenario.limits, this.open())
  }

  outgoingRoom(): boolean {
    return outgoingRoom(this.scenario.limits, this.open())
  }

  open() {
    return { incoming: this.admitted.size, outgoing: this.outgoing.size, waiting: this.waiting.size }
  }

  move(socket: SimSocket, to: SocketState, at: number): void {
    const from = socket.state
    this.happened.push(`${socket.id} ${to}`)
    if (!NEXT[from].includes(to)) {
      return this.fail(`${socket.id} went ${from} → ${to}: a client ends admitted-then-closed, refused, or left while waiting, never two of these`)
    }
    if (to === "admitted") this.checkArrivalOrder(socket)
    if (to === "refused") this.checkRefusal(socket, at)
    if (from === "waiting") this.countWaitOutcome(socket, to)
    socket.state = to
    this.waiting.delete(socket)
    if (to === "admitted") this.admitted.add(socket)
    else this.admitted.delete(socket)
  }

  openOutgoing(): OutgoingLink {
    const link: OutgoingLink = { id: `o${++this.outgoingCount}`, fiber: undefined }
    this.outgoing.add(link)
    return link
  }

  closeOutgoing(link: OutgoingLink): void {
    this.happened.push(`${link.id} closed`)
    if (!this.outgoing.delete(link)) this.fail(`outgoing ${link.id} closed twice`)
  }

  /** Invariant 3: a client is let in only when nobody who started waiting before it still waits. */
  private checkArrivalOrder(socket: SimSocket): void {
    const oldest = first(this.waiting)
    if (oldest !== undefined && oldest !== socket) {
      this.fail(`arrival order: ${socket.id} (arrived at ${socket.connectedAt}ms) was admitted while ${oldest.id} (arrived at ${oldest.connectedAt}ms) still waits`)
    }
  }

  /** Refused at once only when maxWaiting already wait (and no slot is free), else exactly after maxWaitMs. */
  private checkRefusal(socket: SimSocket, at: number): void {
    const { maxWaitMs, limits } = this.scenario
    if (socket.arriving) {
      const ahead = [...this.waiting].indexOf(socket)
      if (ahead < limits.maxWaiting) this.fail(`${socket.id} was refused at once with only ${ahead} waiting (maxWaiting ${limits.maxWaiting})`)
      else if (ahead === 0 && this.incomingRoom()) this.fail(`${socket.id} was refused at once although a slot was free`)
    } else if (at - socket.connectedAt !== maxWaitMs) {
      this.fail(`${socket.id} was refused after waiting ${at - socket.connectedAt}ms; the bound is ${maxWaitMs}ms`)
    }
  }

  private countWaitOutcome(socket: SimSocket, to: SocketState): void {
    const s = this.stats
    if (to === "admitted") socket.arriving ? s.admittedAtOnce++ : s.admittedAfterWait++
    else if (to === "refused") socket.arriving ? s.refusedAtOnce++ : s.refusedAfterWait++
    else s.leftWhileWaiting++
  }

  /** Invariants 1, 2 (incoming side) and 4, checked after every event. */
  check(usage: { readonly incoming: number; readonly outgoing: number; readonly waiting: number }, now: number): string | undefined {
    const { limits, maxWaitMs } = this.scenario
    const incoming = this.admitted.size
    const outgoing = this.outgoing.size
    const waiting = this.waiting.size
    const s = this.stats
    s.peakIncoming = Math.max(s.peakIncoming, incoming)
    s.peakOutgoing = Math.max(s.peakOutgoing, outgoing)
    s.peakTotal = Math.max(s.peakTotal, incoming + outgoing)
    s.peakWaiting = Math.max(s.peakWaiting, waiting)
    if (waiting > 0) s.stepsWithWaiters++
    // 1 and 2: the keeper's count agrees with the open sockets, no limit is ever exceeded, nobody waits below the reserved share or beside a free slot
    const broken = budgetViolation(limits, { incoming, outgoing, waiting }, usage)
    if (broken !== undefined) return broken
    // 4. nobody waits longer than maxWaitMs (TestClock fires a timeout within the tick that reaches it)
    const oldest = first(this.waiting)
    if (oldest !== undefined && now - oldest.connectedAt >= maxWaitMs) {
      return `${oldest.id} still waits ${now - oldest.connectedAt}ms after connecting; the bound is ${maxWaitMs}ms`
    }
    return undefined
  }
}

const first = <A>(items: Set<A>): A | undefined => items.values().next().value

const show = (u: { readonly incoming: number; readonly outgoing: number; readonly waiting: number }) =>
  `{incoming ${u.incoming}, outgoing ${u.outgoing}, waiting ${u.waiting}}`

// ---------------------------------------------------------------- the actors

/** One SMTP client, as `adapters/smtp/budget-admission.ts` serves it. */
const client = (budget: ConnectionBudgetShape, world: World, socket: SimSocket, plan: ClientPlan) => {
  const ask = plan.patienceMs === undefined
    ? budget.admitIncoming(socket.id)
    : budget.admitIncoming(socket.id).pipe(Effect.raceFirst(Effect.sleep(plan.patienceMs).pipe(Effect.as("gone" as const))))
  return Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      const answer = yield* Effect.exit(restore(ask)) // an interrupt here: the client hung up while held
      const at = yield* Clock.currentTimeMillis
      if (Exit.isFailure(answer) && !Cause.hasInterruptsOnly(answer.cause)) {
        return world.fail(`admitIncoming(${socket.id}) died: ${Cause.pretty(answer.cause)}`)
      }
      const outcome = Exit.isSuccess(answer) ? answer.value : "gone"
      world.move(socket, outcome === "gone" ? "left" : outcome, at)
      if (outcome !== "admitted") return
      yield* Effect.exit(restore(Effect.sleep(plan.holdMs))) // an interrupt here: an abrupt disconnect
      world.move(socket, "closed", yield* Clock.currentTimeMillis)
      yield* budget.releaseIncoming(socket.id)
    })
  )
}

/** One connection of the delivery stage: open for a while (or cut short), then its slot goes back. */
const outgoingConnection = (budget: ConnectionBudgetShape, world: World, link: OutgoingLink, holdMs: number) =>
  Effect.uninterruptibleMask((restore) =>
    Effect.gen(function*() {
      yield* Effect.exit(restore(Effect.sleep(holdMs)))
      world.closeOutgoing(link)
      yield* budget.releaseOutgoing
    })
  )

const interruptAll = (fibers: ReadonlyArray<Fiber.Fiber<void> | undefined>) =>
  Effect.gen(function*() {
    for (const fiber of fibers) fiber?.interruptUnsafe() // in the same instant, before anything else runs
    for (const fiber of fibers) if (fiber !== undefined) yield* Fiber.await(fiber)
  })

// ---------------------------------------------------------------- the run

export interface SimulationOptions {
  readonly seed: number
  readonly scenario: Scenario
  readonly events: number
}

/** Runs one seed; fails with a message naming the seed, the step and the event at the first violation. */
export const simulate = ({ seed, scenario, events }: SimulationOptions): Effect.Effect<SimulationReport, InvariantViolation> =>
  Effect.gen(function*() {
    const { limits, maxWaitMs } = scenario
    const budget = yield* makeConnectionBudget(limits, maxWaitMs)
    const dice = makeDice(seed ^ hashText(scenario.name)) // the same seed gives each scenario its own schedule
    const world = new World(scenario)
    let phase: Phase = PHASES[0]!
    let phaseLeft = 0
    let step = 0

    const violated = (event: string, now: number, why: string) =>
      new InvariantViolation({
        message: [
          `connection budget simulation: scenario "${scenario.name}", seed ${seed}, step ${step} at t=${now}ms`,
          `  event: ${event}`,
          `  during the event: ${world.happened.slice(0, 12).join(", ") || "nothing else"}`,
          `  violated: ${why}`,
          `  replay: SIMULATION_SEED=${seed} SIMULATION_EVENTS=${events} npx vitest run tests/simulation/connection-budget.simulation.test.ts -t "${scenario.name}"`
        ].join("\n")
      })

    /** checks the invariants after one event */
    const checkAfter = (event: string) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const why = world.violation ?? world.check(yield* budget.usage, now)
        if (why !== undefined) return yield* Effect.fail(violated(event, now, why))
      })

    const connect = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const ids: Array<string> = []
      for (let n = dice.int(1, phase.burst); n > 0; n--) {
        const socket = world.connect(now)
        ids.push(socket.id)
        socket.fiber = yield* Effect.forkChild(client(budget, world, socket, planClient(dice, phase, maxWaitMs)), { startImmediately: true })
        socket.arriving = false
      }
      return `${ids.join(", ")} connect`
    })

    /** the delivery stage asks for a slot; invariant 2, outgoing side */
    const deliver = Effect.gen(function*() {
      const room = world.outgoingRoom()
      const reserved = world.outgoing.size < reservedOutgoing(limits)
      const granted = yield* budget.acquireOutgoing
      if (!granted) {
        world.stats.outgoingDenied++
        if (reserved) world.fail(`acquireOutgoing refused with ${world.outgoing.size} outgoing open, below the ${reservedOutgoing(limits)} reserved for outgoing`)
        else if (room) world.fail(`acquireOutgoing refused although there was room (${world.admitted.size} in, ${world.outgoing.size} out)`)
        return "delivery attempt: no slot"
      }
      world.stats.outgoingGranted++
      if (!room) world.fail(`acquireOutgoing granted with no room (${world.admitted.size} in, ${world.outgoing.size} out)`)
      const link = world.openOutgoing()
      link.fiber = yield* Effect.forkChild(outgoingConnection(budget, world, link, dice.int(...phase.outgoingHoldMs)), { startImmediately: true })
      return `delivery attempt: ${link.id} opened`
    })

    const act = (kind: EventKind): Effect.Effect<string> => {
      switch (kind) {
        case "connect":
          return connect
        case "deliver":
          return deliver
        case "hangUp": {
          const socket = dice.pick([...world.waiting])!
          return interruptAll([socket.fiber]).pipe(Effect.as(`${socket.id} hangs up while held`))
        }
        case "dropClient": {
          const socket = dice.pick([...world.admitted])!
          return interruptAll([socket.fiber]).pipe(Effect.as(`${socket.id} disconnects abruptly`))
        }
        case "dropOutgoing": {
          const link = dice.pick([...world.outgoing])!
          return interruptAll([link.fiber]).pipe(Effect.as(`outgoing ${link.id} is cut`))
        }
        case "closeAndHangUp": {
          const leaving = dice.pick([...world.admitted])!
          const waiter = first(world.waiting)!
          const order = dice.chance(0.5) ? [leaving, waiter] : [waiter, leaving]
          return interruptAll(order.map((s) => s.fiber)).pipe(
            Effect.as(`in the same instant ${order.map((s) => `${s.id} (${s.state})`).join(" and ")} go away`)
          )
        }
        case "tick": {
          const ms = dice.int(1, 60)
          return TestClock.adjust(ms).pipe(Effect.as(`tick +${ms}ms`))
        }
      }
    }

    /** only the events that make sense now */
    const possible = (): ReadonlyArray<readonly [EventKind, number]> => {
      const w = phase.weights
      const hasWaiting = world.waiting.size > 0
      const hasAdmitted = world.admitted.size > 0
      return [
        ["connect", w.connect],
        ["deliver", w.deliver],
        ["tick", w.tick],
        ["hangUp", hasWaiting ? w.hangUp : 0],
        ["dropClient", hasAdmitted ? w.dropClient : 0],
        ["dropOutgoing", world.outgoing.size > 0 ? w.dropOutgoing : 0],
        ["closeAndHangUp", hasWaiting && hasAdmitted ? w.closeAndHangUp : 0]
      ]
    }

    for (step = 1; step <= events; step++) {
      if (--phaseLeft <= 0) {
        phase = dice.pick(PHASES)!
        phaseLeft = dice.int(100, 400)
      }
      world.happened = []
      yield* checkAfter(yield* act(dice.weighted(possible())))
    }

    // Drain: no more events, time runs on until every client and every delivery is over.
    const drainTick = 500
    for (let ticks = 0; world.waiting.size + world.admitted.size + world.outgoing.size > 0; ticks++, step++) {
      if (ticks * drainTick > 40_000 + maxWaitMs) {
        return yield* Effect.fail(violated("drain", yield* Clock.currentTimeMillis, "connections still open long after every client and delivery should have ended"))
      }
      world.happened = []
      yield* TestClock.adjust(drainTick)
      yield* checkAfter(`drain tick +${drainTick}ms`)
    }

    // 5. no slot leaked, no client stuck, no fiber still running
    const now = yield* Clock.currentTimeMillis
    const usage = yield* budget.usage
    if (usage.incoming !== 0 || usage.outgoing !== 0 || usage.waiting !== 0) {
      return yield* Effect.fail(violated("end of run", now, `slots leaked: usage ${show(usage)} after every connection closed`))
    }
    const stuck = world.sockets.find((s) => s.state === "waiting" || s.state === "admitted" || s.fiber?.pollUnsafe() === undefined)
    if (stuck !== undefined) return yield* Effect.fail(violated("end of run", now, `${stuck.id} never finished (${stuck.state})`))

    return { steps: step - 1, simulatedMs: now, clients: world.sockets.length, ...world.stats }
  }).pipe(Effect.provide(TestClock.layer())) // a clock of its own, at 0: a seed replays alone exactly as in a batch
