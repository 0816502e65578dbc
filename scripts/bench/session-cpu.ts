/**
 * `npm run bench:session`: the daemon's own CPU time per message, steady enough to compare two
 * versions of the code. The whole daemon (the real config, listener, session, acceptMessage, log
 * formatting, metrics, journals, and amqplib publishing to the machine's RabbitMQ with confirms)
 * runs in this process; its SMTP clients are in-memory sockets handed to the listening server, so
 * neither the kernel's loopback nor a load generator shares the measurement. Each client talks
 * as smtp-source does: EHLO, MAIL, RCPT, DATA and 10 KB, waiting for every reply, and either many
 * messages per connection (a) or one (b).
 *
 *   npm run bench:session -- [--messages 20000] [--sessions 20] [--size 10240] [--mode a|b] [--runs 3]
 *
 * CPU time of the process per message (process.cpuUsage), which includes amqplib's socket writes
 * to the broker but not the broker itself; also the messages per second of wall time, which the
 * broker's confirms bound. Run it with `--cpu-prof` (NODE_OPTIONS) for a profile of only the daemon.
 */
import { createRequire, syncBuiltinESMExports } from "node:module"
import type { Server } from "node:net"
import { Duplex } from "node:stream"
import { parseArgs } from "node:util"

const { values: flags } = parseArgs({
  options: {
    messages: { type: "string", default: "20000" },
    sessions: { type: "string", default: "20" },
    size: { type: "string", default: "10240" },
    mode: { type: "string", default: "a" },
    runs: { type: "string", default: "3" }
  }
})
const MESSAGES = Number(flags.messages)
const SESSIONS = Number(flags.sessions)
const SIZE = Number(flags.size)
const ONE_PER_CONNECTION = flags.mode === "b"

// The listening servers the daemon creates, to hand them in-memory connections (set before the daemon's modules load).
const servers: Array<Server> = []
const net = createRequire(import.meta.url)("node:net") as typeof import("node:net")
const createServer = net.createServer
net.createServer = ((...args: Parameters<typeof createServer>) => {
  const server = createServer(...args)
  servers.push(server)
  return server
}) as typeof createServer
syncBuiltinESMExports()

const { Effect, Fiber, Layer, Logger } = await import("effect")
const { parseConfig } = await import("../../domain/config/parse-config.ts")
const { daemonLayer, localSharedState } = await import("../../infrastructure/daemon.ts")
const { jsonLinesTo } = await import("../../adapters/logging/stdout-lines.ts")
const { benchQueue, BROKER_URL, brokerReachable } = await import("./bench-queue.ts")
const { freePort } = await import("../../tests/support/free-port.ts")
const { ConfigFile } = await import("../../infrastructure/config/config-file.ts")

/** What smtp-source sends as a message body: headers and lines of text, dot-terminated. */
const messageBody = (size: number): Buffer => {
  let text = "From: <bench@example.org>\r\nTo: <sink@example.com>\r\nSubject: bench\r\nMessage-Id: <bench@example.org>\r\n\r\n"
  while (text.length < size) text += "La de da de da 1.\r\nLa de da de da 2.\r\nLa de da de da 3.\r\nLa de da de da 4.\r\n"
  return Buffer.from(`${text}.\r\n`)
}

/**
 * An in-memory socket as the listener sees a TCP connection: what the daemon writes comes to
 * `onReply`, what the client says is pushed in as data.
 */
class MemorySocket extends Duplex {
  readonly remoteAddress = "127.0.0.1"
  readonly remotePort: number
  readonly localAddress = "127.0.0.1"
  readonly localPort = 25
  readonly remoteFamily = "IPv4"
  private readonly onReply: (text: string) => void

  constructor(port: number, onReply: (text: string) => void) {
    super({ allowHalfOpen: true })
    this.remotePort = port
    this.onReply = onReply
  }

  override _read() {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    this.onReply(chunk.toString("latin1"))
    callback()
  }

  /** The daemon closes its side: the client, which has said QUIT, closes too, as a TCP peer would. */
  override end(...args: Array<never>) {
    super.end(...args)
    setImmediate(() => this.destroy())
    return this
  }

  setNoDelay() {
    return this
  }

  setTimeout() {
    return this
  }
}

/** One client: sends its messages as smtp-source does, one command at a time. */
const client = (server: Server, port: number, messages: () => boolean, body: Buffer, done: () => void) => {
  let step = 0
  const socket = new MemorySocket(port, (text) => {
    if (!/^\d{3} /m.test(text)) return
    const code = text.slice(0, 3)
    const say = (line: string) => void socket.push(line)
    switch (step) {
      case 0:
        if (code !== "220") throw new Error(`greeting: ${text}`)
        step = 1
        return say("EHLO bench.example.org\r\n")
      case 1:
      case 5:
        if (code !== "250") throw new Error(`expected 250: ${text}`)
        if (step === 5 && (ONE_PER_CONNECTION || !messages())) {
          step = 6
          return say("QUIT\r\n")
        }
        step = 2
        return say("MAIL FROM:<bench@example.org>\r\n")
      case 2:
        step = 3
        return say("RCPT TO:<sink@example.com>\r\n")
      case 3:
        step = 4
        return say("DATA\r\n")
      case 4:
        if (code !== "354") throw new Error(`DATA: ${text}`)
        step = 5
        return void socket.push(body)
      case 6:
        socket.push(null)
        return done()
    }
  })
  socket.on("error", () => {})
  server.emit("connection", socket)
}

/** Every allocation sampled, also of objects the GC has collected since (BENCH_ALLOC=file.heapprofile). */
const startAllocationSampling = async () => {
  const { Session } = await import("node:inspector/promises")
  const { writeFileSync } = await import("node:fs")
  const session = new Session()
  session.connect()
  await session.post("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true
  })
  return {
    stop: async (file: string) => {
      const { profile } = await session.post("HeapProfiler.stopSampling")
      writeFileSync(file, JSON.stringify(profile))
      session.disconnect()
    }
  }
}

const main = async () => {
  if (!(await brokerReachable())) throw new Error(`RabbitMQ is not reachable at ${BROKER_URL}`)
  const queue = benchQueue()
  const parsed = parseConfig({
    file: "bench.conf",
    text: [
      "smtp-ip: 127.0.0.1",
      `smtp-port: ${await freePort()}`,
      "smtp-range: 127.0.0.0/8",
      "smtp-hostname: bench.localhost",
      `rabbitmq-address: ${BROKER_URL}`,
      `rabbitmq-inbox: ${queue.name}`
    ].join("\n"),
    env: {}
  })
  if (parsed._tag !== "Valid") throw new Error(JSON.stringify(parsed.errors))
  let logLines = 0
  const logs = Logger.layer([jsonLinesTo(() => void logLines++)])
  const runtime = Layer.launch(daemonLayer(parsed.settings, localSharedState(parsed.settings))).pipe(
    Effect.annotateLogs({ service: "smtp-intake" }),
    Effect.provideService(ConfigFile, ConfigFile.of({ path: "bench.conf", load: Effect.succeed(parsed.settings) })),
    Effect.provide(logs)
  )
  const fiber = Effect.runFork(runtime)
  let server: Server | undefined
  while ((server = servers.find((s) => s.listening)) === undefined) await new Promise((resolve) => setTimeout(resolve, 20))
  const body = messageBody(SIZE)
  try {
    /** `messages` in all over SESSIONS clients at a time; resolves once the last client has gone. */
    const run = (messages: number) =>
      new Promise<void>((resolve) => {
        let left = messages
        let open = 0
        let port = 0
        const take = () => left-- > 0
        // a client takes its first message as it starts, and (a) its next ones itself
        const start = (): void => {
          if (!take()) {
            if (open === 0) resolve()
            return
          }
          open++
          client(server, 1024 + (port++ % 60_000), take, body, () => {
            open--
            start()
          })
        }
        for (let i = 0; i < SESSIONS; i++) start()
      })
    await run(Math.min(2000, MESSAGES))
    await queue.purge()
    const allocations = process.env["BENCH_ALLOC"] === undefined ? undefined : await startAllocationSampling()
    for (let r = 1; r <= Number(flags.runs); r++) {
      const cpu = process.cpuUsage()
      const started = process.hrtime.bigint()
      await run(MESSAGES)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const used = process.cpuUsage(cpu)
      const depth = await queue.depth()
      await queue.purge()
      if (process.env["BENCH_SNAPSHOT"]) (await import("node:v8")).writeHeapSnapshot(process.env["BENCH_SNAPSHOT"])
      process.stdout.write(
        `(${ONE_PER_CONNECTION ? "b" : "a"}) run ${r}: ${MESSAGES} messages, ${((used.user + used.system) / 1000 / MESSAGES).toFixed(3)} ms CPU per message ` +
          `(user ${(used.user / 1000 / MESSAGES).toFixed(3)}, system ${(used.system / 1000 / MESSAGES).toFixed(3)}), ` +
          `${Math.round(MESSAGES / seconds)} msgs/s, ${depth} queued, ${logLines} log lines\n`
      )
    }
    if (allocations !== undefined) await allocations.stop(process.env["BENCH_ALLOC"]!)
  } finally {
    await Effect.runPromise(Fiber.interrupt(fiber))
    await queue.remove().catch(() => {})
  }
}

await main()
process.exit(0)
