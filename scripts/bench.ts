/**
 * `npm run bench`: smtp-intake at the machine's limit (issue 9).
 *
 * Postfix's smtp-source (no Postfix daemon) sends 10 KB messages over 20 parallel sessions to the
 * real daemon, which publishes them to RabbitMQ with confirms (a durable queue of the bench's own,
 * deleted afterwards), and, for the ceiling, to Postfix's smtp-sink, which throws them away.
 * Three runs each, median msgs/s, for (a) many messages per connection and (b) one message per
 * connection; the p99 of the daemon's DATA-to-250 time (the `ms` of its "message queued" lines)
 * under that load; and the daemon's RSS holding 10,000 idle connections. Targets are reported,
 * never asserted: (a) >= 60 % of smtp-sink, (b) >= 50 %, RSS < 500 MB.
 *
 * A third contender runs in the same turns: bare smtp-server + amqplib (scripts/bench/bare-stack.ts),
 * the least a program on these libraries does per message, with the CPU time per message of it and
 * of the daemon (from /proc), which moves far less than msgs/s on a shared machine.
 *
 *   npm run bench -- --startup [--runs 3] [--startup-cli FILE]   (start-up times and RSS at rest only: scripts/bench/startup.ts)
 *   npm run bench -- [--runs 3] [--messages 10000] [--single-messages 5000] [--idle 10000]
 *                    [--sessions 20] [--size 10240] [--queue-type classic|quorum] [--threads 1]
 *
 * --queue-type and --threads (smtp-threads) apply to the throughput runs; RSS is always measured
 * on a single process.
 */
import { cpus, loadavg, totalmem } from "node:os"
import { parseArgs } from "node:util"
import { freePort } from "../tests/support/free-port.ts"
import { startBenchDaemon } from "./bench/bench-daemon.ts"
import type { BenchDaemon } from "./bench/bench-daemon.ts"
import { benchQueue, BROKER_URL, brokerReachable } from "./bench/bench-queue.ts"
import { openIdleConnections } from "./bench/idle-connections.ts"
import { postfixToolsMissing, runSmtpSource, startSmtpSink } from "./bench/postfix-tools.ts"
import type { SourceLoad } from "./bench/postfix-tools.ts"
import { median, percentile } from "./bench/stats.ts"
import { startBareStack } from "./bench/bare-stack-process.ts"
import type { BareStack } from "./bench/bare-stack-process.ts"
import { cpuMs } from "./bench/cpu-time.ts"
import { runStartupBench } from "./bench/startup.ts"

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    messages: { type: "string", default: "10000" },
    "single-messages": { type: "string", default: "5000" },
    idle: { type: "string", default: "10000" },
    sessions: { type: "string", default: "20" },
    size: { type: "string", default: "10240" },
    "queue-type": { type: "string", default: "classic" },
    threads: { type: "string", default: "1" },
    startup: { type: "boolean", default: false },
    "startup-cli": { type: "string" }
  }
})
const RUNS = Number(flags.runs)
const MESSAGES = Number(flags.messages)
const SINGLE_MESSAGES = Number(flags["single-messages"])
const IDLE = Number(flags.idle)
const SESSIONS = Number(flags.sessions)
const SIZE = Number(flags.size)
const QUEUE_TYPE = flags["queue-type"]
const THREADS = Number(flags.threads)
const WARM_UP_MESSAGES = 1000

const MB = 1024 * 1024
const say = (line: string) => process.stdout.write(`${line}\n`)
const rate = (n: number) => `${Math.round(n)} msgs/s`
const percent = (n: number) => `${Math.round(n * 100)} %`
const verdict = (met: boolean) => (met ? "met" : "NOT met")

const daemonConfig = (port: number, queue: string, threads = 1) => ({
  "smtp-ip": "127.0.0.1",
  "smtp-port": port,
  "smtp-range": "127.0.0.0/8",
  "smtp-hostname": "bench.localhost",
  "smtp-threads": threads,
  "rabbitmq-address": BROKER_URL,
  "rabbitmq-inbox": queue,
  "rabbitmq-queue-type": QUEUE_TYPE
})

const preflight = async (): Promise<string | undefined> => {
  const missing = postfixToolsMissing()
  if (missing !== undefined) return `${missing} is missing: apt-get install postfix (the daemon need not run)`
  if (!(await brokerReachable())) return `RabbitMQ is not reachable at ${BROKER_URL}`
  return undefined
}

const machine = () => {
  const model = cpus()[0]?.model ?? "unknown CPU"
  return `${cpus().length} CPUs (${model}), ${Math.round(totalmem() / MB / 1024)} GB RAM, Node ${process.version}`
}

interface Series {
  readonly daemon: Array<number>
  readonly sink: Array<number>
  /** smtp-server + amqplib with nothing else (scripts/bench/bare-stack.ts) */
  readonly bare: Array<number>
  /** the daemon's CPU time per message, ms */
  readonly daemonCpuMs: Array<number>
  readonly bareCpuMs: Array<number>
  readonly latencyMs: Array<number>
}

/** One mode (a or b), `RUNS` times against the daemon and smtp-sink in turn, so that drifting load hits both alike. */
const measure = async (
  label: string,
  daemon: BenchDaemon,
  sinkPort: number,
  bare: BareStack,
  queues: Queues,
  load: Omit<SourceLoad, "port">
): Promise<Series> => {
  const series: Series = { daemon: [], sink: [], bare: [], daemonCpuMs: [], bareCpuMs: [], latencyMs: [] }
  for (let run = 1; run <= RUNS; run++) {
    daemon.takeQueuedMs()
    const daemonCpu = cpuMs(daemon.pid)
    const intake = await runSmtpSource({ ...load, port: daemon.port })
    series.daemonCpuMs.push((cpuMs(daemon.pid) - daemonCpu) / load.messages)
    series.latencyMs.push(...daemon.takeQueuedMs())
    await expectDepth(queues.daemon, load.messages)
    const sink = await runSmtpSource({ ...load, port: sinkPort })
    const bareCpu = cpuMs(bare.pid)
    const floor = await runSmtpSource({ ...load, port: bare.port })
    series.bareCpuMs.push((cpuMs(bare.pid) - bareCpu) / load.messages)
    await expectDepth(queues.bare, load.messages)
    series.daemon.push(intake.perSecond)
    series.sink.push(sink.perSecond)
    series.bare.push(floor.perSecond)
    say(`  ${label} run ${run}: smtp-intake ${rate(intake.perSecond)} (${intake.seconds.toFixed(2)} s, ` +
      `${series.daemonCpuMs.at(-1)!.toFixed(2)} ms CPU/msg), smtp-sink ${rate(sink.perSecond)}, ` +
      `bare smtp-server + amqplib ${rate(floor.perSecond)} (${series.bareCpuMs.at(-1)!.toFixed(2)} ms CPU/msg)`)
  }
  return series
}

interface Queues {
  readonly daemon: ReturnType<typeof benchQueue>
  readonly bare: ReturnType<typeof benchQueue>
}

const expectDepth = async (queue: ReturnType<typeof benchQueue>, messages: number) => {
  const depth = await queue.depth()
  if (depth !== messages) say(`  warning: ${queue.name} holds ${depth} messages after a run of ${messages}`)
  await queue.purge()
}

const throughput = async (queues: Queues) => {
  const daemon = await startBenchDaemon(daemonConfig(await freePort(), queues.daemon.name, THREADS), THREADS)
  const sink = await startSmtpSink(await freePort())
  const bare = await startBareStack(await freePort(), queues.bare.name, BROKER_URL)
  try {
    const base = { sessions: SESSIONS, size: SIZE }
    for (const port of [daemon.port, bare.port]) {
      await runSmtpSource({ ...base, port, messages: WARM_UP_MESSAGES, reuseConnections: true })
    }
    await Promise.all([queues.daemon.purge(), queues.bare.purge()])
    say(`(a) ${MESSAGES} messages over ${SESSIONS} sessions, many per connection (smtp-source -d)`)
    const many = await measure("(a)", daemon, sink.port, bare, queues, { ...base, messages: MESSAGES, reuseConnections: true })
    say(`(b) ${SINGLE_MESSAGES} messages over ${SESSIONS} sessions, one per connection`)
    const single = await measure("(b)", daemon, sink.port, bare, queues, { ...base, messages: SINGLE_MESSAGES, reuseConnections: false })
    return { many, single }
  } finally {
    await bare.stop()
    await sink.stop()
    await daemon.stop()
  }
}

const idleMemory = async (queue: ReturnType<typeof benchQueue>) => {
  const daemon = await startBenchDaemon(daemonConfig(await freePort(), queue.name))
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const baseline = daemon.rssBytes()
    const fileLimit = daemon.fileLimit()
    // the daemon needs a descriptor per client plus its own (listeners, broker, database, stdio)
    const target = Math.min(IDLE, fileLimit - 100)
    const idle = await openIdleConnections(daemon.port, target)
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const held = daemon.rssBytes()
    await idle.close()
    return { baseline, held, greeted: idle.greeted, target, fileLimit, firstFailure: idle.firstFailure }
  } finally {
    await daemon.stop()
  }
}

const main = async () => {
  const problem = await preflight()
  if (problem !== undefined) {
    process.stderr.write(`bench: ${problem}\n`)
    process.exitCode = 1
    return
  }
  say(`machine: ${machine()}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  const queue = benchQueue()
  const bareQueue = benchQueue()
  try {
    const { many, single } = await throughput({ daemon: queue, bare: bareQueue })
    say(`idle connections: opening ${IDLE}`)
    const memory = await idleMemory(queue)

    const ratioA = median(many.daemon) / median(many.sink)
    const ratioB = median(single.daemon) / median(single.sink)
    say("")
    say(`median of ${RUNS} runs, ${SIZE}-byte messages, ${SESSIONS} sessions, smtp-threads ${THREADS}, ` +
      `RabbitMQ ${QUEUE_TYPE} queue with confirms:`)
    say(`(a) many per connection: smtp-intake ${rate(median(many.daemon))}, smtp-sink ${rate(median(many.sink))}, ` +
      `ratio ${percent(ratioA)} (target >= 60 %: ${verdict(ratioA >= 0.6)})`)
    say(`(b) one per connection:  smtp-intake ${rate(median(single.daemon))}, smtp-sink ${rate(median(single.sink))}, ` +
      `ratio ${percent(ratioB)} (target >= 50 %: ${verdict(ratioB >= 0.5)})`)
    say(`    against bare smtp-server + amqplib: (a) ${rate(median(many.bare))}, smtp-intake at ` +
      `${percent(median(many.daemon) / median(many.bare))}; (b) ${rate(median(single.bare))}, smtp-intake at ` +
      `${percent(median(single.daemon) / median(single.bare))}`)
    say(`    CPU per message: smtp-intake (a) ${median(many.daemonCpuMs).toFixed(2)} ms, (b) ${median(single.daemonCpuMs).toFixed(2)} ms; ` +
      `bare (a) ${median(many.bareCpuMs).toFixed(2)} ms, (b) ${median(single.bareCpuMs).toFixed(2)} ms`)
    say(`DATA-to-250 under load: (a) p50 ${percentile(many.latencyMs, 50)} ms, p99 ${percentile(many.latencyMs, 99)} ms; ` +
      `(b) p50 ${percentile(single.latencyMs, 50)} ms, p99 ${percentile(single.latencyMs, 99)} ms`)
    const heldMb = memory.held / MB
    say(`RSS: ${Math.round(memory.baseline / MB)} MB at rest, ${Math.round(heldMb)} MB with ${memory.greeted} idle connections ` +
      `(asked for ${IDLE}; open-files limit ${memory.fileLimit}) (target < 500 MB: ${verdict(heldMb < 500)})`)
    if (memory.greeted < IDLE) {
      say(`  ${IDLE} idle connections were not possible here: ${memory.firstFailure ?? `the open-files limit is ${memory.fileLimit}`}`)
    }
    say(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
    say(JSON.stringify({
      runs: RUNS,
      manyPerConnection: { intake: many.daemon, sink: many.sink, bare: many.bare, ratio: ratioA, cpuMs: { intake: many.daemonCpuMs, bare: many.bareCpuMs } },
      onePerConnection: { intake: single.daemon, sink: single.sink, bare: single.bare, ratio: ratioB, cpuMs: { intake: single.daemonCpuMs, bare: single.bareCpuMs } },
      latencyMs: {
        many: { p50: percentile(many.latencyMs, 50), p99: percentile(many.latencyMs, 99) },
        single: { p50: percentile(single.latencyMs, 50), p99: percentile(single.latencyMs, 99) }
      },
      rssMb: { rest: Math.round(memory.baseline / MB), idle: Math.round(heldMb), connections: memory.greeted }
    }))
  } finally {
    await queue.remove().catch(() => {})
    await bareQueue.remove().catch(() => {})
  }
}

await (flags.startup ? runStartupBench(RUNS, flags["startup-cli"]) : main())
