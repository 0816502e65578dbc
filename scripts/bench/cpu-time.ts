import { readdirSync, readFileSync } from "node:fs"

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
const statFields = (pid: number): ReadonlyArray<string> => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
}

/** USER_HZ is 100 on Linux: a tick is 10 ms. */
const ownCpuMs = (pid: number): number => {
  const fields = statFields(pid)
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** the processes whose parent is `pid` */
export const childrenOf = (pid: number): ReadonlyArray<number> =>
  readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number).filter((child) => {
    try {
      return Number(statFields(child)[1]) === pid
    } catch {
      return false // gone meanwhile
    }
  })

/**
 * CPU time (user + system, ms) a process and its children have used so far: with smtp-threads
 * the primary does little and its cluster workers do the work.
 */
export const cpuMs = (pid: number): number =>
  childrenOf(pid).reduce((total, child) => total + ownCpuMs(child), ownCpuMs(pid))
