import { makeDice } from "./seeded-random.ts"

/** A span of seconds, drawn uniformly for each client or connection. */
export interface Span {
  readonly min: number
  readonly max: number
}

/** `clients` SMTP clients arriving at random moments between `fromSecond` and `toSecond`. */
export interface ArrivalWave {
  readonly fromSecond: number
  readonly toSecond: number
  readonly clients: number
}

/** `clients` SMTP clients arriving in the same instant. */
export interface Burst {
  readonly atSecond: number
  readonly clients: number
}

/** A delivery stage opening `connections` outgoing connections between `fromSecond` and `toSecond`, each held a while. */
export interface OutgoingWave {
  readonly fromSecond: number
  readonly toSecond: number
  readonly connections: number
  readonly holdSeconds: Span
}

/**
 * The load a simulation puts on the connection budget. Every field has a default, so `{}` is a
 * scenario; `plan`, when given, is the exact list of clients and connections (what a shrunk
 * failing run is replayed from), and the rest is then ignored.
 */
export interface Scenario {
  readonly arrivals: ReadonlyArray<ArrivalWave>
  readonly bursts: ReadonlyArray<Burst>
  /** how long an admitted client's session lasts */
  readonly sessionSeconds: Span
  /** a held client hangs up after waiting this long; absent: it waits for its answer */
  readonly patienceSeconds?: number | undefined
  readonly outgoing: ReadonlyArray<OutgoingWave>
  readonly plan?: Plan | undefined
}

export const DEFAULT_SCENARIO: Scenario = {
  arrivals: [{ fromSecond: 0, toSecond: 60, clients: 300 }],
  bursts: [{ atSecond: 30, clients: 50 }],
  sessionSeconds: { min: 1, max: 20 },
  outgoing: [{ fromSecond: 0, toSecond: 60, connections: 120, holdSeconds: { min: 1, max: 30 } }]
}

export interface PlannedClient {
  readonly atMs: number
  readonly holdMs: number
  readonly patienceMs?: number | undefined
}

export interface PlannedOutgoing {
  readonly atMs: number
  readonly holdMs: number
}

/** Every client and outgoing connection of one run, in time order. */
export interface Plan {
  readonly clients: ReadonlyArray<PlannedClient>
  readonly outgoing: ReadonlyArray<PlannedOutgoing>
}

const byTime = <A extends { readonly atMs: number }>(items: Array<A>) => items.sort((a, b) => a.atMs - b.atMs)

/** The scenario's clients and connections for one seed: the same seed gives the same plan. */
export const planScenario = (scenario: Scenario, seed: number): Plan => {
  if (scenario.plan !== undefined) return scenario.plan
  const dice = makeDice(seed)
  const ms = (seconds: number) => Math.round(seconds * 1000)
  const within = (from: number, to: number) => dice.int(ms(from), Math.max(ms(from), ms(to) - 1))
  const hold = (span: Span) => dice.int(ms(span.min), ms(span.max))
  const patience = scenario.patienceSeconds === undefined ? {} : { patienceMs: ms(scenario.patienceSeconds) }
  const client = (atMs: number): PlannedClient => ({ atMs, holdMs: hold(scenario.sessionSeconds), ...patience })
  const clients = [
    ...scenario.arrivals.flatMap((wave) => Array.from({ length: wave.clients }, () => client(within(wave.fromSecond, wave.toSecond)))),
    ...scenario.bursts.flatMap((burst) => Array.from({ length: burst.clients }, () => client(ms(burst.atSecond))))
  ]
  const outgoing = scenario.outgoing.flatMap((wave) =>
    Array.from({ length: wave.connections }, () => ({ atMs: within(wave.fromSecond, wave.toSecond), holdMs: hold(wave.holdSeconds) })))
  return { clients: byTime(clients), outgoing: byTime(outgoing) }
}

// ---------------------------------------------------------------- reading a scenario file

type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: string }

class ScenarioError extends Error {}

const record = (value: unknown, where: string): Readonly<Record<string, unknown>> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ScenarioError(`${where} must be an object`)
  return value as Record<string, unknown>
}

const KNOWN: Readonly<Record<string, ReadonlyArray<string>>> = {
  scenario: ["arrivals", "bursts", "sessionSeconds", "patienceSeconds", "outgoing", "plan"],
  arrivals: ["fromSecond", "toSecond", "clients"],
  bursts: ["atSecond", "clients"],
  outgoing: ["fromSecond", "toSecond", "connections", "holdSeconds"],
  span: ["min", "max"]
}

const fields = (value: unknown, where: string, kind: string) => {
  const object = record(value, where)
  const unknown = Object.keys(object).find((key) => !KNOWN[kind]!.includes(key))
  if (unknown !== undefined) throw new ScenarioError(`${where}: unknown field "${unknown}" (known: ${KNOWN[kind]!.join(", ")})`)
  return object
}

const number = (object: Readonly<Record<string, unknown>>, key: string, where: string, integer = false): number => {
  const value = object[key]
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new ScenarioError(`${where}.${key} must be a ${integer ? "whole " : ""}number of 0 or more`)
  }
  return value
}

const list = <A>(value: unknown, where: string, item: (v: unknown, at: string) => A): ReadonlyArray<A> => {
  if (!Array.isArray(value)) throw new ScenarioError(`${where} must be a list`)
  return value.map((v, i) => item(v, `${where}[${i}]`))
}

const interval = (object: Readonly<Record<string, unknown>>, where: string) => {
  const fromSecond = number(object, "fromSecond", where)
  const toSecond = number(object, "toSecond", where)
  if (toSecond <= fromSecond) throw new ScenarioError(`${where}: toSecond must come after fromSecond`)
  return { fromSecond, toSecond }
}

const span = (value: unknown, where: string): Span => {
  const object = fields(value, where, "span")
  const min = number(object, "min", where)
  const max = number(object, "max", where)
  if (max < min) throw new ScenarioError(`${where}: max must not be below min`)
  return { min, max }
}

const plannedPlan = (value: unknown, where: string): Plan => {
  const object = record(value, where)
  const item = (v: unknown, at: string) => {
    const entry = record(v, at)
    const patience = entry["patienceMs"] === undefined ? {} : { patienceMs: number(entry, "patienceMs", at, true) }
    return { atMs: number(entry, "atMs", at, true), holdMs: number(entry, "holdMs", at, true), ...patience }
  }
  const outgoing = (v: unknown, at: string) => {
    const entry = record(v, at)
    return { atMs: number(entry, "atMs", at, true), holdMs: number(entry, "holdMs", at, true) }
  }
  return {
    clients: byTime([...list(object["clients"] ?? [], `${where}.clients`, item)]),
    outgoing: byTime([...list(object["outgoing"] ?? [], `${where}.outgoing`, outgoing)])
  }
}

/** A scenario from a file's JSON: each field given replaces its default; anything unknown or out of range is an error naming it. */
export const parseScenario = (text: string): Parsed<Scenario> => {
  try {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      throw new ScenarioError(`not JSON: ${(error as Error).message}`)
    }
    const object = fields(json, "scenario", "scenario")
    const given = <A>(key: string, read: (value: unknown, where: string) => A): A | undefined =>
      object[key] === undefined ? undefined : read(object[key], key)
    const scenario: Scenario = {
      arrivals: given("arrivals", (v, w) => list(v, w, (a, at) => {
        const wave = fields(a, at, "arrivals")
        return { ...interval(wave, at), clients: number(wave, "clients", at, true) }
      })) ?? DEFAULT_SCENARIO.arrivals,
      bursts: given("bursts", (v, w) => list(v, w, (b, at) => {
        const burst = fields(b, at, "bursts")
        return { atSecond: number(burst, "atSecond", at), clients: number(burst, "clients", at, true) }
      })) ?? DEFAULT_SCENARIO.bursts,
      sessionSeconds: given("sessionSeconds", span) ?? DEFAULT_SCENARIO.sessionSeconds,
      patienceSeconds: given("patienceSeconds", (_, w) => number(object, "patienceSeconds", w.replace("patienceSeconds", "scenario"))),
      outgoing: given("outgoing", (v, w) => list(v, w, (o, at) => {
        const wave = fields(o, at, "outgoing")
        return { ...interval(wave, at), connections: number(wave, "connections", at, true), holdSeconds: span(wave["holdSeconds"], `${at}.holdSeconds`) }
      })) ?? DEFAULT_SCENARIO.outgoing,
      plan: given("plan", plannedPlan)
    }
    return { ok: true, value: scenario }
  } catch (error) {
    if (error instanceof ScenarioError) return { ok: false, error: error.message }
    throw error
  }
}
