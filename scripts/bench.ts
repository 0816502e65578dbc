/**
 * `npm run bench`: smtp-intake at the machine's limit (issues 9 and 19).
 *
 * Postfix's smtp-source (no Postfix daemon) sends 10 KB messages over 20 parallel sessions to the
 * real daemon, which publishes them to RabbitMQ with confirms (a durable queue of the bench's own,
 * deleted afterwards). In the same turns, so that drifting load hits all alike:
 * - RabbitMQ's own ceiling: amqplib publishing messages of that size with as many confirms
 *   outstanding as there are sessions (scripts/bench/broker-ceiling.ts), no SMTP at all;
 * - Postfix's smtp-sink, which answers 250 at once and throws the mail away;
 * - bare smtp-server + amqplib (scripts/bench/bare-stack.ts), the least a program on these
 *   libraries does per message;
 * - the Node.js floor (scripts/bench/node-floor.ts): net + amqplib, a reply per line and the
 *   message published as it came, no work at all: what any Node.js server could reach here;
 * - the daemon again with `smtp-threads` workers (--threads, default 2; 1 leaves it out).
 * Three runs each, medians, for (a) many messages per connection and (b) one message per
 * connection; the CPU time per message (from /proc, which moves far less than msgs/s on a shared
 * machine); the daemon's DATA-to-250 times and the broker's share of each (the `ms` and `brokerMs`
 * of its "message queued" lines), so what the daemon adds over the broker's confirm; its RSS under
 * that load (the highest of samples every 100 ms), at rest, and holding 10,000 idle connections.
 * Targets (issue 19) are reported, never asserted: (a) >= 0.75 x the broker's ceiling, (b) >= 0.4 x
 * smtp-sink, added latency < 1 ms at p50, RSS <= 200 MB under load and <= 120 MB at rest,
 * smtp-threads 2 no slower than one process.
 *
 *   npm run bench -- --startup [--runs 3] [--startup-cli FILE]   (start-up times and RSS at rest only: scripts/bench/startup.ts)
 *   npm run bench -- [--runs 3] [--messages 10000] [--single-messages 5000] [--idle 10000]
 *                    [--sessions 20] [--size 10240] [--queue-type classic|quorum] [--threads 2] [--pin]
 *
 * --pin: the contenders on every CPU but the last, RabbitMQ and smtp-source on the last
 * (scripts/bench/cpu-pinning.ts), so that no contender takes CPU from the broker.
 */
import { cpus, loadavg, totalmem } from "node:os"
import { parseArgs } from "node:util"
import { freePort } from "../tests/support/free-port.ts"
import { buildCommand, startBenchDaemon } from "./bench/bench-daemon.ts"
import type { BenchDaemon, QueuedTiming } from "./bench/bench-daemon.ts"
import { measureBrokerCeiling } from "./bench/broker-ceiling.ts"
import { benchQueue, BROKER_URL, brokerReachable } from "./bench/bench-queue.ts"
import type { BenchQueue } from "./bench/bench-queue.ts"
import { openIdleConnections } from "./bench/idle-connections.ts"
import { postfixToolsMissing, runSmtpSource, startSmtpSink } from "./bench/postfix-tools.ts"
import type { SourceLoad } from "./bench/postfix-tools.ts"
import { median, percentile } from "./bench/stats.ts"
import { startYardstick } from "./bench/yardstick-process.ts"
import type { Yardstick } from "./bench/yardstick-process.ts"
import { cpuMs } from "./bench/cpu-time.ts"
import { runStartupBench } from "./bench/startup.ts"
import { pinCpus } from "./bench/cpu-pinning.ts"
import type { Pinning } from "./bench/cpu-pinning.ts"

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    messages: { type: "string", default: "10000" },
    "single-messages": { type: "string", default: "5000" },
    idle: { type: "string", default: "10000" },
    sessions: { type: "string", default: "20" },
    size: { type: "string", default: "10240" },
    "queue-type": { type: "string", default: "classic" },
    threads: { type: "string", default: "2" },
    startup: { type: "boolean", default: false },
    pin: { type: "boolean", default: false },
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
const REQUESTED_THREADS = Number(flags.threads)
/** set by main under --pin */
let pinning: Pinning | undefined
/** workers sharing fewer CPUs than there are of them say nothing of how threads scale: left out */
let THREADS = REQUESTED_THREADS
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

/** One contender's figures over the runs of one mode. */
interface Series {
  readonly perSecond: Array<number>
  /** CPU time per message, ms (processes only) */
  readonly cpuMs: Array<number>
}

const series = (): Series => ({ perSecond: [], cpuMs: [] })

interface ModeResult {
  readonly intake: Series
  readonly threaded: Series
  readonly sink: Series
  readonly bare: Series
  readonly floor: Series
  readonly ceiling: Series
  readonly queued: Array<QueuedTiming>
  readonly confirmMs: Array<number>
  /** the single daemon's highest RSS sampled during its runs, bytes */
  peakRss: number
}

interface Contenders {
  readonly daemon: BenchDaemon
  readonly threaded: BenchDaemon | undefined
  readonly sinkPort: number
  readonly bare: Yardstick
  readonly floor: Yardstick
}

interface Queues {
  readonly daemon: BenchQueue
  readonly threaded: BenchQueue
  readonly bare: BenchQueue
  readonly floor: BenchQueue
  readonly ceiling: BenchQueue
}

const expectDepth = async (queue: BenchQueue, messages: number) => {
  const depth = await queue.depth()
  if (depth !== messages) say(`  warning: ${queue.name} holds ${depth} messages after a run of ${messages}`)
  await queue.purge()
}

/** smtp-source against one process, with its CPU time per message and the highest RSS seen meanwhile. */
const runAgainst = async (load: SourceLoad, pid: number, into: Series, rss?: () => number) => {
  const cpu = cpuMs(pid)
  let peak = rss?.() ?? 0
  const sampler = rss === undefined ? undefined : setInterval(() => (peak = Math.max(peak, rss())), 100)
  try {
    const run = await runSmtpSource(load, pinning?.loadPrefix)
    into.perSecond.push(run.perSecond)
    into.cpuMs.push((cpuMs(pid) - cpu) / load.messages)
    return { run, peak }
  } finally {
    clearInterval(sampler)
  }
}

/** One mode (a or b), `RUNS` times against every contender in turn. */
const measure = async (label: string, contenders: Contenders, queues: Queues, load: Omit<SourceLoad, "port">): Promise<ModeResult> => {
  const result: ModeResult = {
    intake: series(), threaded: series(), sink: series(), bare: series(), floor: series(), ceiling: series(),
    queued: [], confirmMs: [], peakRss: 0
  }
  const { daemon, threaded, bare, floor } = contenders
  for (let run = 1; run <= RUNS; run++) {
    const ceiling = await measureBrokerCeiling(BROKER_URL, queues.ceiling.name, { messages: load.messages, outstanding: load.sessions, size: load.size })
    result.ceiling.perSecond.push(ceiling.perSecond)
    result.confirmMs.push(...ceiling.confirmMs)
    daemon.takeQueued()
    const intake = await runAgainst({ ...load, port: daemon.port }, daemon.pid, result.intake, daemon.rssBytes)
    result.peakRss = Math.max(result.peakRss, intake.peak)
    result.queued.push(...daemon.takeQueued())
    await expectDepth(queues.daemon, load.messages)
    if (threaded !== undefined) {
      await runAgainst({ ...load, port: threaded.port }, threaded.pid, result.threaded)
      await expectDepth(queues.threaded, load.messages)
    }
    result.sink.perSecond.push((await runSmtpSource({ ...load, port: contenders.sinkPort }, pinning?.loadPrefix)).perSecond)
    await runAgainst({ ...load, port: bare.port }, bare.pid, result.bare)
    await expectDepth(queues.bare, load.messages)
    await runAgainst({ ...load, port: floor.port }, floor.pid, result.floor)
    await expectDepth(queues.floor, load.messages)
    const threadedText = threaded === undefined
      ? ""
      : `, ${THREADS} threads ${rate(result.threaded.perSecond.at(-1)!)} (${result.threaded.cpuMs.at(-1)!.toFixed(2)} ms CPU/msg)`
    say(`  ${label} run ${run}: smtp-intake ${rate(intake.run.perSecond)} (${intake.run.seconds.toFixed(2)} s, ` +
      `${result.intake.cpuMs.at(-1)!.toFixed(2)} ms CPU/msg, RSS up to ${Math.round(intake.peak / MB)} MB)${threadedText}, ` +
      `broker alone ${rate(ceiling.perSecond)}, smtp-sink ${rate(result.sink.perSecond.at(-1)!)}, ` +
      `bare smtp-server + amqplib ${rate(result.bare.perSecond.at(-1)!)} (${result.bare.cpuMs.at(-1)!.toFixed(2)} ms CPU/msg), ` +
      `Node.js floor ${rate(result.floor.perSecond.at(-1)!)} (${result.floor.cpuMs.at(-1)!.toFixed(2)} ms CPU/msg)`)
  }
  return result
}

const throughput = async (queues: Queues) => {
  const daemon = await startBenchDaemon(daemonConfig(await freePort(), queues.daemon.name))
  const threaded = THREADS > 1
    ? await startBenchDaemon(daemonConfig(await freePort(), queues.threaded.name, THREADS), THREADS)
    : undefined
  const sink = await startSmtpSink(await freePort())
  const bare = await startYardstick("bare", await freePort(), queues.bare.name, BROKER_URL)
  const floor = await startYardstick("floor", await freePort(), queues.floor.name, BROKER_URL)
  try {
    const base = { sessions: SESSIONS, size: SIZE }
    for (const port of [daemon.port, ...(threaded === undefined ? [] : [threaded.port]), bare.port, floor.port]) {
      await runSmtpSource({ ...base, port, messages: WARM_UP_MESSAGES, reuseConnections: true }, pinning?.loadPrefix)
    }
    await Promise.all([queues.daemon.purge(), queues.threaded.purge().catch(() => {}), queues.bare.purge(), queues.floor.purge()])
    const contenders = { daemon, threaded, sinkPort: sink.port, bare, floor }
    say(`(a) ${MESSAGES} messages over ${SESSIONS} sessions, many per connection (smtp-source -d)`)
    const many = await measure("(a)", contenders, queues, { ...base, messages: MESSAGES, reuseConnections: true })
    say(`(b) ${SINGLE_MESSAGES} messages over ${SESSIONS} sessions, one per connection`)
    const single = await measure("(b)", contenders, queues, { ...base, messages: SINGLE_MESSAGES, reuseConnections: false })
    return { many, single }
  } finally {
    await floor.stop()
    await bare.stop()
    await sink.stop()
    await threaded?.stop()
    await daemon.stop()
  }
}

const idleMemory = async (queue: BenchQueue) => {
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

const fixed = (n: number, digits = 1) => n.toFixed(digits)

/** What the daemon adds to each message over the broker's confirm: its DATA-to-250 less the confirm wait. */
const latencyLine = (mode: string, result: ModeResult) => {
  const ms = result.queued.map((q) => q.ms)
  const broker = result.queued.map((q) => q.brokerMs)
  const added = result.queued.map((q) => q.ms - q.brokerMs)
  const addedP50 = percentile(added, 50)
  return `${mode} DATA-to-250 p50 ${fixed(percentile(ms, 50))} ms, p99 ${fixed(percentile(ms, 99))} ms; ` +
    `the broker's confirm within it p50 ${fixed(percentile(broker, 50))} ms, p99 ${fixed(percentile(broker, 99))} ms ` +
    `(broker alone at ${SESSIONS} outstanding: p50 ${fixed(percentile(result.confirmMs, 50))} ms, p99 ${fixed(percentile(result.confirmMs, 99))} ms); ` +
    `added by smtp-intake p50 ${fixed(addedP50, 2)} ms, p99 ${fixed(percentile(added, 99), 2)} ms (target < 1 ms at p50: ${verdict(addedP50 < 1)})`
}

const summary = (result: ModeResult) => ({
  intake: result.intake,
  threaded: result.threaded,
  brokerAlone: result.ceiling.perSecond,
  sink: result.sink.perSecond,
  bare: result.bare,
  floor: result.floor,
  latencyMs: {
    p50: percentile(result.queued.map((q) => q.ms), 50),
    p99: percentile(result.queued.map((q) => q.ms), 99),
    addedP50: percentile(result.queued.map((q) => q.ms - q.brokerMs), 50),
    brokerAloneP50: percentile(result.confirmMs, 50)
  },
  peakRssMb: Math.round(result.peakRss / MB)
})

const main = async () => {
  const problem = await preflight()
  if (problem !== undefined) {
    process.stderr.write(`bench: ${problem}\n`)
    process.exitCode = 1
    return
  }
  buildCommand()
  if (flags.pin) {
    const pinned = pinCpus(BROKER_URL)
    if (typeof pinned === "string") {
      process.stderr.write(`bench: ${pinned}\n`)
      process.exitCode = 1
      return
    }
    pinning = pinned
    if (REQUESTED_THREADS > pinned.serverCpus) THREADS = 1
  }
  say(`machine: ${machine()}; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  if (pinning !== undefined) {
    say(`pinned: ${pinning.describe}` +
      (THREADS < REQUESTED_THREADS ? `; smtp-threads ${REQUESTED_THREADS} left out (${pinning.serverCpus} CPU for the contenders)` : ""))
  }
  const queues: Queues = { daemon: benchQueue(), threaded: benchQueue(), bare: benchQueue(), floor: benchQueue(), ceiling: benchQueue() }
  try {
    const { many, single } = await throughput(queues)
    say(`idle connections: opening ${IDLE}`)
    const memory = await idleMemory(queues.daemon)

    const m = (s: Series) => median(s.perSecond)
    const c = (s: Series) => median(s.cpuMs).toFixed(2)
    const ratioA = m(many.intake) / m(many.ceiling)
    const ratioB = m(single.intake) / m(single.sink)
    say("")
    say(`median of ${RUNS} runs, ${SIZE}-byte messages, ${SESSIONS} sessions, RabbitMQ ${QUEUE_TYPE} queue with confirms:`)
    say(`(a) many per connection: smtp-intake ${rate(m(many.intake))}, the broker alone ${rate(m(many.ceiling))}: ` +
      `${fixed(ratioA, 2)} x its ceiling (target >= 0.75: ${verdict(ratioA >= 0.75)}); smtp-sink ${rate(m(many.sink))}`)
    say(`(b) one per connection:  smtp-intake ${rate(m(single.intake))}, smtp-sink ${rate(m(single.sink))}: ` +
      `${fixed(ratioB, 2)} x (target >= 0.4: ${verdict(ratioB >= 0.4)})`)
    const floorA = m(many.floor) / m(many.ceiling)
    const floorB = m(single.floor) / m(single.sink)
    say(`    the Node.js floor (no work at all): (a) ${rate(m(many.floor))}, ${fixed(floorA, 2)} x the broker's ceiling, smtp-intake at ` +
      `${percent(m(many.intake) / m(many.floor))} of it; (b) ${rate(m(single.floor))}, ${fixed(floorB, 2)} x smtp-sink, smtp-intake at ` +
      `${percent(m(single.intake) / m(single.floor))} of it` +
      (floorA < 0.75 || floorB < 0.4 ? " (a target above the floor is out of reach for any Node.js server on this machine)" : ""))
    say(`    bare smtp-server + amqplib: (a) ${rate(m(many.bare))}, smtp-intake at ${percent(m(many.intake) / m(many.bare))}; ` +
      `(b) ${rate(m(single.bare))}, smtp-intake at ${percent(m(single.intake) / m(single.bare))}`)
    if (THREADS > 1) {
      const a = m(many.threaded) / m(many.intake)
      const b = m(single.threaded) / m(single.intake)
      say(`    smtp-threads ${THREADS}: (a) ${rate(m(many.threaded))}, ${fixed(a, 2)} x one process; (b) ${rate(m(single.threaded))}, ` +
        `${fixed(b, 2)} x (target: no slower, >= 0.95 allowing for noise: ${verdict(a >= 0.95 && b >= 0.95)})`)
    }
    say(`    CPU per message: smtp-intake (a) ${c(many.intake)} ms, (b) ${c(single.intake)} ms; ` +
      `bare (a) ${c(many.bare)} ms, (b) ${c(single.bare)} ms; floor (a) ${c(many.floor)} ms, (b) ${c(single.floor)} ms` +
      (THREADS > 1 ? `; ${THREADS} threads (a) ${c(many.threaded)} ms, (b) ${c(single.threaded)} ms` : ""))
    say(latencyLine("(a)", many))
    say(latencyLine("(b)", single))
    const peakMb = Math.max(many.peakRss, single.peakRss) / MB
    const restMb = memory.baseline / MB
    const heldMb = memory.held / MB
    say(`RSS: under the bench load up to ${Math.round(peakMb)} MB (target <= 200 MB: ${verdict(peakMb <= 200)}); ` +
      `${Math.round(restMb)} MB at rest (target <= 120 MB: ${verdict(restMb <= 120)}); ` +
      `${Math.round(heldMb)} MB with ${memory.greeted} idle connections ` +
      `(asked for ${IDLE}; open-files limit ${memory.fileLimit}) (target < 500 MB: ${verdict(heldMb < 500)})`)
    if (memory.greeted < IDLE) {
      say(`  ${IDLE} idle connections were not possible here: ${memory.firstFailure ?? `the open-files limit is ${memory.fileLimit}`}`)
    }
    say(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
    say(JSON.stringify({
      runs: RUNS,
      ...(pinning === undefined ? {} : { pinned: pinning.describe }),
      manyPerConnection: { ...summary(many), ratioToBroker: ratioA, floorToBroker: floorA },
      onePerConnection: { ...summary(single), ratioToSink: ratioB, floorToSink: floorB },
      rssMb: { rest: Math.round(restMb), idle: Math.round(heldMb), connections: memory.greeted }
    }))
  } finally {
    for (const queue of Object.values(queues)) await queue.remove().catch(() => {})
  }
}

await (flags.startup ? runStartupBench(RUNS, flags["startup-cli"]) : main())
