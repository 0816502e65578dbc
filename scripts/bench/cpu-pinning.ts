/**
 * `npm run bench -- --pin`: the SMTP servers under test on CPUs of their own, RabbitMQ and the load
 * generator on the last CPU. On a machine where everything shares every CPU, a faster server also
 * takes CPU from the broker that confirms its messages; pinned, each contender gets the same CPUs
 * and the broker never competes with it. This is the nearest this machine comes to "the broker on
 * its own CPUs" (issue 19). The broker is pinned only when it runs here (a local beam.smp), and its
 * affinity is put back when the bench ends.
 */
import { execFileSync } from "node:child_process"
import { availableParallelism } from "node:os"
import { atExit } from "./on-exit.ts"

export interface Pinning {
  /** which CPUs went to whom, for the report */
  readonly describe: string
  /** how many CPUs the contenders have */
  readonly serverCpus: number
  /** put before a load generator's command so that it runs on the broker's CPU */
  readonly loadPrefix: ReadonlyArray<string>
}

const taskset = (args: ReadonlyArray<string>): string => execFileSync("taskset", args, { encoding: "utf8" })

const affinityOf = (pid: number): string => taskset(["-cp", String(pid)]).split(":").at(-1)?.trim() ?? ""

const localBroker = (): number | undefined => {
  try {
    const pids = execFileSync("pgrep", ["-x", "beam.smp"], { encoding: "utf8" }).trim().split("\n").map(Number)
    return pids.length === 1 && pids[0]! > 0 ? pids[0] : undefined
  } catch {
    return undefined
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"])

/**
 * Pins this process (and so every contender it starts) and the local broker, whose CPUs are given
 * back when the bench exits; a reason when it cannot.
 */
export const pinCpus = (brokerUrl: string): Pinning | string => {
  const cpus = availableParallelism()
  if (cpus < 2) return `--pin needs at least 2 CPUs, this machine has ${cpus}`
  if (!LOOPBACK.has(new URL(brokerUrl).hostname)) return "--pin needs the bench's RabbitMQ on this machine (a loopback address)"
  const broker = localBroker()
  if (broker === undefined) return "--pin needs RabbitMQ on this machine (one beam.smp process)"
  const last = String(cpus - 1)
  const servers = cpus === 2 ? "0" : `0-${cpus - 2}`
  try {
    const brokerHad = affinityOf(broker)
    taskset(["-a", "-cp", last, String(broker)])
    taskset(["-a", "-cp", servers, String(process.pid)])
    // at exit, however the bench ends: a crash or ^C must not leave the broker on one CPU
    atExit(() => taskset(["-a", "-cp", brokerHad, String(broker)]))
    return {
      describe: `contenders on CPU ${servers}, RabbitMQ (pid ${broker}) and smtp-source on CPU ${last}`,
      serverCpus: cpus - 1,
      loadPrefix: ["taskset", "-c", last]
    }
  } catch (error) {
    return `--pin could not set CPU affinity: ${(error as Error).message.split("\n")[0]}`
  }
}
