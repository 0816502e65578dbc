import { readFileSync } from "node:fs"

/** CPU time a process has used so far (user + system), in milliseconds, from /proc/<pid>/stat. */
export const cpuMs = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // the command name in parentheses may hold spaces: count the fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = Number(fields[11]) + Number(fields[12])
  return ticks * 10 // USER_HZ is 100 on Linux
}
