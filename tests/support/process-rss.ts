import { readFileSync } from "node:fs"

/** Resident memory of a running process in MB, from /proc/<pid>/status (VmRSS); undefined once it is gone. */
export const rssMb = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m === null ? undefined : Math.round(Number(m[1]) / 1024)
  } catch {
    return undefined
  }
}

/** The soft limit on open files of a process, from /proc/<pid>/limits. */
export const openFilesLimit = (pid: number | "self" = "self"): number => {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, "utf8"))
  return m === null || m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1])
}
