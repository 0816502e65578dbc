import type { MessageLink } from "../../adapters/cluster/message-link.ts"

/**
 * Two ends of an in-memory channel that, like node:cluster's IPC, delivers copies, later, in order;
 * `cut` closes it (sends then fail, as on a channel whose other end is gone).
 */
export const ipcChannel = () => {
  const listeners = [new Set<(message: unknown) => void>(), new Set<(message: unknown) => void>()] as const
  let open = true
  const end = (mine: 0 | 1): MessageLink => ({
    send: (message) => {
      if (!open) return false
      const copy = structuredClone(message)
      setImmediate(() => listeners[mine === 0 ? 1 : 0].forEach((listener) => listener(copy)))
      return true
    },
    listen: (listener) => {
      listeners[mine].add(listener)
      return () => void listeners[mine].delete(listener)
    }
  })
  return { worker: end(0), primary: end(1), cut: () => void (open = false) }
}
