import type { Duplex } from "node:stream"
import type { SecureContext } from "node:tls"
import type { Effect } from "effect"
import { NEEDS_SERVICES } from "../../application/session/smtp-session.ts"
import type { SessionServices, SmtpSession } from "../../application/session/smtp-session.ts"
import { DataReader } from "../../domain/message/data-reader.ts"
import { Command } from "../../domain/session/commands.ts"
import type { SessionCommand } from "../../domain/session/commands.ts"
import { renderReply } from "../../domain/session/reply.ts"
import type { Reply } from "../../domain/session/reply.ts"
import { readsCommands } from "../../domain/session/state.ts"
import { CommandLines, TOO_LONG } from "./command-lines.ts"
import { tlsInfo } from "./connection-info.ts"
import type { DataMemory } from "./data-memory.ts"
import { serverHandshake } from "./tls-options.ts"

export type Run = <A, E>(effect: Effect.Effect<A, E, SessionServices>) => Promise<A>

/** What a connection takes from the listener when it starts (a reload changes them for later ones). */
export interface ConnectionOptions {
  /** smtp-timeout: the longest the client may stay silent while it owes us a command or data */
  readonly timeoutMs: number
  /** the longest a whole DATA phase may take, however steadily the client trickles */
  readonly dataDeadlineMs: number
  /** the TLS context for STARTTLS, as it stands when the client asks */
  readonly secureContext: () => SecureContext | undefined
  readonly onTlsFailed: (reason: string) => void
  readonly onDefect: (error: unknown) => void
  /** the daemon's budget for message data in flight */
  readonly memory: DataMemory
}

/** Unanswered input a client may have buffered with us before we stop reading its socket. */
const INPUT_HIGH_WATER = 256 * 1024
/**
 * Commands answered in a row before other connections get their turn: a client that pipelines
 * without end (and reads its replies) waits one turn of the event loop every few commands, so 20
 * of them cannot starve a client that sends one command at a time (docs/RELIABILITY.md).
 */
const COMMANDS_PER_TURN = 8
/** How long a connection we closed waits for the client to close its side. */
const HALF_CLOSE_MS = 5_000

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * One client connection: the wire side of a session. It cuts the client's bytes into command lines,
 * SASL responses or message data, by the session's phase, and writes back exactly the replies the
 * session's decider chose, in order, pipelined or not. It owns no protocol rule of its own: what the
 * client may do, and what it is told, is the domain's.
 */
export class SmtpConnection {
  private socket: Duplex
  private readonly session: SmtpSession
  private readonly run: Run
  private readonly options: ConnectionOptions
  private readonly input = new CommandLines()
  private data: DataReader | undefined
  /** message bytes this connection holds of the memory budget */
  private reserved = 0
  private dataDeadline: ReturnType<typeof setTimeout> | undefined
  private busy = false
  private corked = false
  private stopping = false
  private ended = false
  private readonly onData = (chunk: Buffer) => this.received(chunk)
  private readonly onTimeout = () => this.timedOut()
  /** resolves once the socket is closed and the session knows */
  readonly closed: Promise<void>
  private markClosed: () => void = () => {}

  constructor(socket: Duplex, session: SmtpSession, run: Run, options: ConnectionOptions) {
    this.socket = socket
    this.session = session
    this.run = run
    this.options = options
    this.closed = new Promise((resolve) => (this.markClosed = resolve))
  }

  /** Greets the client (or refuses it) and serves it from then on. */
  start(): void {
    this.attach(this.socket)
    this.socket.once("close", () => this.gone())
    this.busy = true
    // The socket was paused since it was accepted: what the client sent so far is read in the next
    // poll phase, one turn on. Whatever arrived by then it sent before the greeting.
    void nextTurn().then(nextTurn).then(() => this.run(this.session.connect(this.input.buffered > 0)))
      .then((reply) => {
        this.answer(reply)
        return this.afterStep()
      })
      .catch((error: unknown) => this.defect(error))
      .finally(() => this.idle())
  }

  /** The daemon is stopping: the session ends at its next command boundary (or now, if it is between commands). */
  stop(): void {
    this.stopping = true
    if (!this.busy) this.idle()
  }

  /** The grace is over: the session ends now, whatever it is doing. */
  forceStop(): void {
    if (this.ended) return
    this.answer(this.session.signalNow(Command.shuttingDown))
    this.end()
    this.socket.destroy()
  }

  private attach(socket: Duplex) {
    socket.on("data", this.onData)
    // an accepted socket starts paused (pauseOnConnect), and a 'data' listener alone does not resume it
    socket.resume()
    socket.on("error", () => {})
    this.armTimeout(socket)
  }

  /** Node runs a socket's timeout callback once: it is armed again each time it is wanted. */
  private armTimeout(socket: Duplex, ms = this.options.timeoutMs) {
    const timed = socket as Duplex & { setTimeout?: (ms: number, callback?: () => void) => void }
    socket.off("timeout", this.onTimeout)
    if (ms > 0) timed.setTimeout?.(ms, this.onTimeout)
    else timed.setTimeout?.(0)
  }

  private rearmTimeout() {
    this.armTimeout(this.socket)
  }

  private received(chunk: Buffer) {
    if (this.ended) return
    if (this.session.current().phase === "securing") return
    this.input.push(chunk)
    if (this.input.buffered > INPUT_HIGH_WATER && this.session.current().phase !== "data") this.socket.pause()
    if (!this.busy) void this.pump()
  }

  private write(text: string) {
    if (this.socket.destroyed || !this.socket.writable) return
    if (!this.corked) {
      this.socket.cork()
      this.corked = true
    }
    this.socket.write(text)
  }

  private flush() {
    if (!this.corked) return
    this.corked = false
    this.socket.uncork()
  }

  private answer(reply: Reply | undefined) {
    if (reply !== undefined) this.write(renderReply(reply))
  }

  private async signal(command: SessionCommand) {
    this.answer(this.session.signalNow(command))
    await this.afterStep()
  }

  /** What a step leaves the connection to do: close, start TLS, or read a message (a promise only when it must wait). */
  private afterStep(): Promise<void> | undefined {
    const state = this.session.current()
    switch (state.phase) {
      case "closed":
        this.end()
        return undefined
      case "securing":
        this.startTls()
        return undefined
      case "data":
        if (this.data === undefined) {
          this.data = new DataReader(this.session.policy.maxSize)
          this.dataDeadline = setTimeout(() => this.dataTooSlow(), this.options.dataDeadlineMs)
        }
        return undefined
    }
    return this.stopping && readsCommands(state) ? this.signal(Command.shuttingDown) : undefined
  }

  /** Answers what the client sent, in order, until it owes us more. */
  private async pump() {
    if (this.busy || this.ended) return
    this.busy = true
    try {
      let answered = 0
      while (!this.ended) {
        const phase = this.session.current().phase
        if (phase === "data") {
          if (!(await this.readData())) break
          continue
        }
        if (!readsCommands(this.session.current()) && phase !== "auth") break
        const line = this.input.next()
        if (line === undefined) break
        if (line === TOO_LONG) {
          this.input.clear()
          await this.signal(Command.lineTooLong)
          break
        }
        if (phase === "auth") this.flush()
        const now = this.session.lineNow(line)
        this.answer(now === NEEDS_SERVICES ? await this.run(this.session.line(line)) : now)
        const after = this.afterStep()
        if (after !== undefined) await after
        if (++answered % COMMANDS_PER_TURN === 0) {
          this.flush()
          await nextTurn()
        }
        if (this.socket.writableNeedDrain) {
          this.flush()
          await Promise.race([new Promise((resolve) => this.socket.once("drain", resolve)), this.closed])
        }
      }
    } catch (error) {
      this.defect(error)
    } finally {
      this.idle()
    }
  }

  /** Feeds the buffered bytes to the message in progress; false when it needs more. */
  private async readData(): Promise<boolean> {
    const reader = this.data
    const bytes = this.input.takeAll()
    if (reader === undefined || bytes.length === 0) return false
    const end = reader.push(bytes)
    this.account(reader)
    if (end === -1) return false
    this.input.unshift(bytes.subarray(end))
    this.data = undefined
    clearTimeout(this.dataDeadline)
    this.flush()
    try {
      this.answer(await this.run(this.session.message(reader.finish())))
    } finally {
      // the message is published (or refused): its share of the budget goes back
      this.releaseMemory()
    }
    await this.afterStep()
    return true
  }

  /** Takes what the message kept since the last chunk from the budget; if it does not fit, keeps nothing more. */
  private account(reader: DataReader) {
    const growth = reader.keptBytes - this.reserved
    if (growth <= 0) return
    if (this.options.memory.reserve(growth)) {
      this.reserved += growth
      return
    }
    reader.keepNothing()
    this.releaseMemory()
  }

  private releaseMemory() {
    this.options.memory.release(this.reserved)
    this.reserved = 0
  }

  private idle() {
    this.busy = false
    this.flush()
    if (this.ended) return
    if (this.stopping && readsCommands(this.session.current())) {
      this.busy = true
      void this.signal(Command.shuttingDown).catch((error: unknown) => this.defect(error)).finally(() => this.idle())
      return
    }
    if (this.socket.isPaused() && this.input.buffered < INPUT_HIGH_WATER) this.socket.resume()
    if (this.input.buffered > 0 && this.session.current().phase !== "securing") void this.pump()
  }

  private timedOut() {
    if (this.ended) return
    // The client waits for us (a publish, an AUTH backend): only its own silence counts.
    if (this.busy) return this.rearmTimeout()
    this.busy = true
    void this.signal(Command.timedOut("command")).catch((error: unknown) => this.defect(error)).finally(() => this.idle())
  }

  private dataTooSlow() {
    if (this.ended || this.session.current().phase !== "data") return
    this.data = undefined
    this.releaseMemory()
    this.busy = true
    void this.signal(Command.timedOut("data")).catch((error: unknown) => this.defect(error)).finally(() => this.idle())
  }

  /**
   * RFC 3207: the handshake starts right after the 220. Anything the client sent after STARTTLS
   * and before the handshake is dropped unread (CVE-2011-0411, command injection).
   */
  private startTls() {
    this.flush()
    this.input.clear()
    const plain = this.socket
    plain.off("data", this.onData)
    this.armTimeout(plain, 0)
    void serverHandshake(plain, this.options.secureContext(), this.options.timeoutMs, this.options.onTlsFailed).then((secured) => {
      if (secured === undefined) return void this.session.signalNow(Command.disconnected("tls-failed"))
      this.socket = secured
      this.attach(secured)
      this.busy = true
      void this.signal(Command.secured(tlsInfo(secured))).catch((error: unknown) => this.defect(error)).finally(() => this.idle())
    })
  }

  private end() {
    if (this.ended) return
    this.ended = true
    clearTimeout(this.dataDeadline)
    this.flush()
    this.input.clear()
    const socket = this.socket
    // Nothing more is answered; whatever still arrives is read and dropped, so the client's FIN is seen.
    socket.off("data", this.onData)
    socket.resume()
    socket.end()
    // cleared at the close: a timer left running would hold the socket and its session for seconds
    const unanswered = setTimeout(() => socket.destroy(), Math.min(HALF_CLOSE_MS, this.options.timeoutMs)).unref()
    socket.once("close", () => clearTimeout(unanswered))
  }

  private gone() {
    clearTimeout(this.dataDeadline)
    this.ended = true
    // a message cut off mid-DATA gives its share back; one being published gives it back when done
    if (this.data !== undefined) {
      this.data = undefined
      this.releaseMemory()
    }
    try {
      this.session.signalNow(Command.disconnected("disconnected"))
    } finally {
      // the session is over either way
      this.markClosed()
    }
  }

  /** A defect in our own code: logged, and the client told to retry later, never a 250. */
  private defect(error: unknown) {
    this.options.onDefect(error)
    this.write("421 4.3.0 Internal error, closing connection\r\n")
    this.end()
  }
}
