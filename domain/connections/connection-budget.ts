/**
 * SPEC §5, the seed's "Connections": smtp-connections caps incoming + outgoing together,
 * smtp-connections-in and -out cap each side. With 100/50/75 a busy sender can hold 75, which
 * leaves 25 for incoming, and incoming can grow to 50 when sending slows down.
 * An incoming connection over budget waits its turn (first come, first served); at most
 * `maxWaiting` may wait, later ones are refused at once.
 */
export interface BudgetLimits {
  readonly total: number | undefined
  readonly incoming: number | undefined
  readonly outgoing: number | undefined
  readonly maxWaiting: number
}

export interface BudgetState {
  readonly incoming: number
  readonly outgoing: number
  /** ids of incoming connections waiting for a slot, oldest first */
  readonly waiting: ReadonlyArray<string>
}

export const emptyBudget: BudgetState = { incoming: 0, outgoing: 0, waiting: [] }

/** The change a request makes: the new state, and which waiting connections it let in. */
export interface BudgetStep {
  readonly state: BudgetState
  readonly admitted: ReadonlyArray<string>
}

const below = (count: number, limit: number | undefined) => limit === undefined || count < limit

export const incomingFits = (limits: BudgetLimits, state: BudgetState): boolean =>
  below(state.incoming, limits.incoming) && below(state.incoming + state.outgoing, limits.total)

export const outgoingFits = (limits: BudgetLimits, state: BudgetState): boolean =>
  below(state.outgoing, limits.outgoing) && below(state.incoming + state.outgoing, limits.total)

/** Lets waiting connections in, in arrival order, for as long as there is room. */
const admitWaiting = (limits: BudgetLimits, state: BudgetState): BudgetStep => {
  let current = state
  const admitted: Array<string> = []
  while (current.waiting.length > 0 && incomingFits(limits, current)) {
    const [next, ...rest] = current.waiting
    admitted.push(next!)
    current = { ...current, incoming: current.incoming + 1, waiting: rest }
  }
  return { state: current, admitted }
}

export type IncomingVerdict = "admitted" | "waiting" | "refused"

/** A new incoming connection: in now if there is room and nobody is ahead of it, else it waits or is refused. */
export const requestIncoming = (
  limits: BudgetLimits,
  state: BudgetState,
  id: string
): BudgetStep & { readonly verdict: IncomingVerdict } => {
  if (state.waiting.length === 0 && incomingFits(limits, state)) {
    return { state: { ...state, incoming: state.incoming + 1 }, admitted: [id], verdict: "admitted" }
  }
  if (state.waiting.length >= limits.maxWaiting) return { state, admitted: [], verdict: "refused" }
  return { state: { ...state, waiting: [...state.waiting, id] }, admitted: [], verdict: "waiting" }
}

/** A waiting connection gave up (its wait ran out, or the client left). */
export const withdrawWaiting = (state: BudgetState, id: string): BudgetState =>
  state.waiting.includes(id) ? { ...state, waiting: state.waiting.filter((w) => w !== id) } : state

export const releaseIncoming = (limits: BudgetLimits, state: BudgetState): BudgetStep =>
  admitWaiting(limits, { ...state, incoming: Math.max(0, state.incoming - 1) })

/** The API a delivery stage uses: an outgoing slot now, or not (it retries on its own schedule). */
export const acquireOutgoing = (limits: BudgetLimits, state: BudgetState): { readonly state: BudgetState; readonly granted: boolean } =>
  outgoingFits(limits, state)
    ? { state: { ...state, outgoing: state.outgoing + 1 }, granted: true }
    : { state, granted: false }

export const releaseOutgoing = (limits: BudgetLimits, state: BudgetState): BudgetStep =>
  admitWaiting(limits, { ...state, outgoing: Math.max(0, state.outgoing - 1) })

/**
 * New limits (a reload): connections already in keep their slots even when they are now over a
 * lowered limit (nothing is dropped; newcomers wait until enough have left), and when a limit was
 * raised the waiting connections that now fit come in, in arrival order.
 */
export const changeLimits = (limits: BudgetLimits, state: BudgetState): BudgetStep => admitWaiting(limits, state)
