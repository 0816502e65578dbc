/**
 * One end of the IPC channel between a cluster worker and the primary, as the cluster code sees it
 * (a test joins two ends in memory). Messages are plain objects with a `kind`; node:cluster sends
 * them as JSON.
 */
export interface MessageLink {
  /** false when the channel is gone and nothing was sent */
  send(message: object): boolean
  /** delivers every message that arrives; returns the function that stops it */
  listen(listener: (message: unknown) => void): () => void
}

/** The cluster worker's end of the IPC channel to the primary. */
export const primaryLink: MessageLink = {
  send: (message) => {
    if (process.send === undefined || !process.connected) return false
    // The callback keeps a channel that closes meanwhile from becoming an uncaught 'error' event.
    return process.send(message, undefined, {}, () => {})
  },
  listen: (listener) => {
    process.on("message", listener)
    return () => void process.off("message", listener)
  }
}
