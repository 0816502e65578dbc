import type { Effect } from "effect"
import type { Admission, ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"

/**
 * What a worker and the primary say to each other about the connection budget (smtp-threads > 1):
 * the worker asks, naming the connection by its session id, and the primary answers the request
 * with the same requestId. A `releaseIncoming` also withdraws a connection still waiting for a slot.
 */
export type BudgetUsage = Effect.Success<ConnectionBudgetShape["usage"]>

export interface BudgetResults {
  readonly admitIncoming: Admission
  readonly releaseIncoming: null
  readonly acquireOutgoing: boolean
  readonly releaseOutgoing: null
  readonly usage: BudgetUsage
}

export type BudgetOp = keyof BudgetResults

export interface BudgetRequest {
  readonly kind: "budget"
  readonly op: BudgetOp
  /** the connection's session id; empty for the outgoing side and usage */
  readonly id: string
  readonly requestId: number
}

export interface BudgetReply {
  readonly kind: "budget-reply"
  readonly requestId: number
  readonly result: BudgetResults[BudgetOp]
}

const OPS: ReadonlyArray<string> = ["admitIncoming", "releaseIncoming", "acquireOutgoing", "releaseOutgoing", "usage"]

const isRecord = (message: unknown): message is Record<string, unknown> =>
  typeof message === "object" && message !== null

export const isBudgetRequest = (message: unknown): message is BudgetRequest =>
  isRecord(message) && message["kind"] === "budget" && typeof message["op"] === "string" && OPS.includes(message["op"]) &&
  typeof message["id"] === "string" && typeof message["requestId"] === "number"

export const isBudgetReply = (message: unknown): message is BudgetReply =>
  isRecord(message) && message["kind"] === "budget-reply" && typeof message["requestId"] === "number" && "result" in message

export type { MessageLink } from "./message-link.ts"
