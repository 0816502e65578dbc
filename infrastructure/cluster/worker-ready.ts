/** A worker's word to the primary that its listeners are up: until then an exit is a failed start-up. */
export const WORKER_READY = { kind: "worker-ready" } as const

export const isWorkerReady = (message: unknown): boolean =>
  typeof message === "object" && message !== null && (message as { readonly kind?: unknown }).kind === WORKER_READY.kind
