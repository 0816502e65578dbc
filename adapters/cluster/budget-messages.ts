import type { Admission, BudgetUsage } from "../../application/ports/connection-budget.ts"
import { isRecord } from "./ipc-requests.ts"

/**
 * What a worker and the primary say to each other about the connection budget (smtp-threads > 1):
 * the worker asks over `ipc-requests.ts`, naming the connection by its session id, and the primary
 * answers the request with the same requestId (kind `budget-reply`). A `releaseIncoming` also
 * withdraws a connection still waiting for a slot; it is told, and gets no reply.
 */
export const BUDGET = "budget"

export interface BudgetResults {
  readonly admitIncoming: Admission
  readonly releaseIncoming: null
  readonly acquireOutgoing: boolean
  readonly releaseOutgoing: null
  readonly usage: BudgetUsage
}

export type BudgetOp = keyof BudgetResults

export interface BudgetRequest {
  readonly kind: typeof BUDGET
  readonly op: BudgetOp
  /** the connection's session id; empty for the outgoing side and usage */
  readonly id: string
  readonly requestId: number
}

const OPS: ReadonlyArray<string> = ["admitIncoming", "releaseIncoming", "acquireOutgoing", "releaseOutgoing", "usage"]

export const isBudgetRequest = (message: unknown): message is BudgetRequest =>
  isRecord(message) && message["kind"] === BUDGET && typeof message["op"] === "string" && OPS.includes(message["op"]) &&
  typeof message["id"] === "string" && typeof message["requestId"] === "number"

export type { MessageLink } from "./message-link.ts"
