import { connect } from "amqplib"
import type { ChannelModel, ConfirmChannel, Message } from "amqplib"
import { batchFrameWrites } from "./batched-frame-writes.ts"
import { declareQueues } from "./queue-declaration.ts"
import type { Declarations } from "./queue-declaration.ts"

/**
 * One confirm channel and its write gate ('drain'). When the broker closes the channel (a message
 * it refuses, say) only the publishes on it fail: the lane opens another channel on the same
 * connection and goes on.
 */
export interface Lane {
  /** the lane's channel now (another one after the broker closed the last) */
  readonly channel: ConfirmChannel
  /** runs `f` once the channel takes writes again (at once if it does now); returns a cancel */
  whenWritable(f: () => void): () => void
  /** sendToQueue returned false: hold every writer until 'drain' */
  markFull(): void
  /** `f` runs once when the lane's channel closes or the whole link dies; returns a cancel */
  onClose(f: (reason: string) => void): () => void
}

/**
 * One live connection with two confirm channels shared by every publisher, one for small messages
 * and one for large ones: amqplib interleaves the channels' frames on the socket, so a 45 MB message
 * being written does not hold a small one behind it. Plus the bookkeeping they share: the close
 * signal, messages the broker returned as unroutable, and how much is in flight.
 */
export interface Link {
  readonly small: Lane
  readonly large: Lane
  /** the broker's version, as it announced itself (e.g. "3.10.8") */
  readonly serverVersion: string | undefined
  isOpen(): boolean
  /** the broker's reason while it blocks publishers (resource alarm), else undefined */
  blockedReason(): string | undefined
  /** `f` runs on every block (with the reason) and unblock (undefined); returns a cancel */
  onBlockedChange(f: (reason: string | undefined) => void): () => void
  /** `f` runs when the broker closed one channel and the lane opened another (the link lives on) */
  onChannelReplaced(f: (reason: string) => void): () => void
  /** `f` runs once when the link dies; returns a cancel */
  onClose(f: (reason: string) => void): () => void
  /** true (once) if the broker returned this message as unroutable */
  takeReturned(messageId: string): boolean
  /** queues a publish found gone (the broker returned its message as unroutable), until declared again */
  readonly missingQueues: Set<string>
  /** declares the queues again (one that was deleted under us); rejects when the broker refuses */
  redeclare(): Promise<void>
  inFlight: number
  /** bytes handed to the channels and not yet confirmed */
  pendingBytes: number
  /** closes channel and connection; never rejects, never hangs longer than `timeoutMs` */
  dispose(timeoutMs: number): Promise<void>
}

export interface LinkOptions {
  /** one node's address */
  readonly url: string
  readonly declarations: Declarations
  readonly connectTimeoutMs: number
  /** rabbitmq-verify: for amqps://, refuse a broker whose certificate does not verify */
  readonly verify: boolean
}

export interface OpenedLink {
  readonly link: Link
  /** what the declarations found worth saying (a queue used as it is) */
  readonly notes: ReadonlyArray<string>
}

export const openLink = async (options: LinkOptions): Promise<OpenedLink> => {
  const connection = await connect(options.url, { noDelay: true, timeout: options.connectTimeoutMs, rejectUnauthorized: options.verify })
  batchFrameWrites(connection)
  // listeners before anything else can fail: an 'error' without one would throw
  let lastError: string | undefined
  connection.on("error", (error: Error) => {
    lastError = error.message
  })
  try {
    const notes = await declareQueues(connection, options.declarations)
    const small = await connection.createConfirmChannel()
    const large = await connection.createConfirmChannel()
    const redeclare = () => declareQueues(connection, options.declarations).then(() => {})
    return { link: makeLink(connection, small, () => lastError, redeclare, large), notes }
  } catch (error) {
    await disposeConnection(connection, options.connectTimeoutMs)
    throw error
  }
}

/** exported for tests, which drive it with fake emitters */
export const makeLink = (
  connection: ChannelModel,
  channel: ConfirmChannel,
  lastError: () => string | undefined,
  declare: () => Promise<void> = () => Promise.resolve(),
  largeChannel: ConfirmChannel = channel
): Link => {
  let open = true
  let blocked: string | undefined
  const closeListeners = new Set<(reason: string) => void>()
  const replacedListeners = new Set<(reason: string) => void>()
  const returned = new Set<string>()
  const blockListeners = new Set<(reason: string | undefined) => void>()

  let markClosed = () => {}
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve
  })
  const die = (reason: string) => {
    if (!open) return
    open = false
    markClosed()
    for (const lane of lanes) lane.fail(reason)
    for (const f of [...closeListeners]) f(reason)
    closeListeners.clear()
  }

  /**
   * Listens to a channel. A channel the broker closed with a reason (a message over
   * max_message_size, say) goes to `onClosed`; one that closed without (its connection went away)
   * is the end of the link.
   */
  const watch = (watched: ConfirmChannel, onClosed: (reason: string) => void) => {
    let channelError: string | undefined
    watched.on("error", (error: Error) => void (channelError = error.message)) // followed by 'close', handled below
    // prepended: amqplib's own 'close' listener fails the pending confirms, and by then the lane must read as closed
    watched.prependListener("close", () => {
      if (channelError === undefined) return die(lastError() ?? "channel closed")
      onClosed(`channel closed by the broker: ${channelError}`)
    })
    watched.on("return", (message: Message) => {
      if (typeof message.properties.messageId === "string") returned.add(message.properties.messageId)
    })
  }

  /** A channel the broker closed is replaced on the same connection; if that fails, the link is dead. */
  const reopen = (lane: OwnLane, reason: string) => {
    if (!open) return
    const create = (connection as Partial<ChannelModel>).createConfirmChannel
    if (create === undefined) return die(reason)
    create.call(connection).then(
      (fresh) => {
        if (!open) return void fresh.close().catch(() => {})
        watch(fresh, (next) => lane.closed(next))
        lane.replace(fresh)
        for (const f of [...replacedListeners]) f(reason)
      },
      () => {
        die(reason)
        // a connection that cannot open a channel is useless to us
        void disposeConnection(connection, 2000)
      }
    )
  }

  const channels = largeChannel === channel ? [channel] : [channel, largeChannel]
  const lanes = channels.map((c) => makeLane(c, (lane, reason) => reopen(lane, reason)))
  channels.forEach((c, i) => watch(c, (reason) => lanes[i]!.closed(reason)))
  const smallLane = lanes[0]!
  const largeLane = lanes[1] ?? smallLane
  connection.on("close", (error?: Error) => die(error?.message ?? lastError() ?? "connection closed"))
  connection.on("blocked", (reason: string) => {
    blocked = reason || "blocked"
    for (const f of [...blockListeners]) f(blocked)
  })
  connection.on("unblocked", () => {
    blocked = undefined
    for (const f of [...blockListeners]) f(undefined)
  })

  const properties = (connection.connection as unknown as { serverProperties?: { version?: unknown } } | undefined)?.serverProperties
  return {
    small: smallLane,
    large: largeLane,
    serverVersion: typeof properties?.version === "string" ? properties.version : undefined,
    isOpen: () => open,
    blockedReason: () => blocked,
    onBlockedChange: (f) => {
      blockListeners.add(f)
      return () => {
        blockListeners.delete(f)
      }
    },
    onChannelReplaced: (f) => {
      replacedListeners.add(f)
      return () => {
        replacedListeners.delete(f)
      }
    },
    onClose: (f) => {
      if (!open) {
        f("connection closed")
        return () => {}
      }
      closeListeners.add(f)
      return () => {
        closeListeners.delete(f)
      }
    },
    takeReturned: (messageId) => returned.delete(messageId),
    missingQueues: new Set(),
    redeclare: declare,
    inFlight: 0,
    pendingBytes: 0,
    dispose: async (timeoutMs) => {
      // channel.close() never settles if the connection dies before the broker's CloseOk
      if (open) await withTimeout(() => Promise.race([Promise.all(lanes.map((l) => l.channel.close())), closed]), timeoutMs)
      await disposeConnection(connection, timeoutMs)
    }
  }
}

/**
 * A channel's write gate: writers wait in order for its 'drain' once it said it is full, and, after
 * the broker closed it, for the channel that replaces it.
 */
interface OwnLane extends Lane {
  /** the broker closed the channel: the publishes on it fail, the writers wait for another */
  closed(reason: string): void
  replace(fresh: ConfirmChannel): void
  /** the link died: every publish on the lane fails, nobody waits any more */
  fail(reason: string): void
}

const makeLane = (
  initial: ConfirmChannel,
  reopen: (lane: OwnLane, reason: string) => void
): OwnLane => {
  let current = initial
  let writable = true
  let replacing = false
  const writeWaiters = new Set<() => void>()
  const closeListeners = new Set<(reason: string) => void>()
  const release = () => {
    for (const f of [...writeWaiters]) {
      if (!writable || replacing) break
      writeWaiters.delete(f)
      f()
    }
  }
  const onDrain = () => {
    writable = true
    release()
  }
  current.on("drain", onDrain)
  const notifyClosed = (reason: string) => {
    for (const f of [...closeListeners]) f(reason)
    closeListeners.clear()
  }
  const lane: OwnLane = {
    get channel() {
      return current
    },
    whenWritable: (f) => {
      if (writable && !replacing && writeWaiters.size === 0) {
        f()
        return () => {}
      }
      writeWaiters.add(f)
      return () => {
        writeWaiters.delete(f)
      }
    },
    markFull: () => {
      writable = false
    },
    onClose: (f) => {
      closeListeners.add(f)
      return () => {
        closeListeners.delete(f)
      }
    },
    closed: (reason) => {
      replacing = true
      notifyClosed(reason)
      reopen(lane, reason)
    },
    replace: (fresh) => {
      current = fresh
      current.on("drain", onDrain)
      writable = true
      replacing = false
      release()
    },
    fail: (reason) => {
      writeWaiters.clear()
      notifyClosed(reason)
    }
  }
  return lane
}

const disposeConnection = async (connection: ChannelModel, timeoutMs: number): Promise<void> => {
  const closed = await withTimeout(() => connection.close(), timeoutMs)
  // close() waits for the broker's CloseOk, which a dead peer never sends
  if (!closed) destroySocket(connection)
}

const destroySocket = (connection: ChannelModel): void => {
  const stream = (connection.connection as unknown as { stream?: { destroy?: () => void } }).stream
  stream?.destroy?.()
}

/** true if the operation settled (either way, even by throwing at once) in time */
const withTimeout = (operation: () => Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    Promise.resolve().then(operation).then(
      () => resolve(true),
      () => resolve(true)
    ).finally(() => clearTimeout(timer))
  })
