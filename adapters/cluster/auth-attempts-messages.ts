import type { AttemptVerdict } from "../../domain/auth/auth-throttle.ts"

/**
 * What a worker asks the primary about AUTH attempts (smtp-threads > 1), over `ipc-requests.ts`:
 * `{ kind: "auth-attempts", op, ip }`, answered with the op's result.
 */
export const AUTH_ATTEMPTS = "auth-attempts"

export interface AuthAttemptsResults {
  readonly assess: AttemptVerdict
  readonly recordFailure: null
  readonly recordSuccess: null
}

export type AuthAttemptsOp = keyof AuthAttemptsResults

export interface AuthAttemptsRequest {
  readonly op: AuthAttemptsOp
  readonly ip: string
}

const OPS: ReadonlyArray<unknown> = ["assess", "recordFailure", "recordSuccess"] satisfies ReadonlyArray<AuthAttemptsOp>

/** The op and IP of a request, or undefined when it is not one. */
export const authAttemptsRequest = (message: Readonly<Record<string, unknown>>): AuthAttemptsRequest | undefined => {
  const { op, ip } = message
  return OPS.includes(op) && typeof ip === "string" ? { op: op as AuthAttemptsOp, ip } : undefined
}
