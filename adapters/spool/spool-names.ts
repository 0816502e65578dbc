/**
 * Why `name` cannot be a path component of the spool, or undefined if it can.
 * Queue names may not start with "." either: ".tmp" is the spool's own.
 */
export const unsafeNameReason = (name: string, kind: "queue" | "message id"): string | undefined => {
  if (name.length === 0) return `empty ${kind}`
  if (name.includes("/") || name.includes("\0") || name.includes("..")) {
    return `${kind} ${JSON.stringify(name)} contains "/", NUL or ".."`
  }
  if (kind === "queue" && name.startsWith(".")) return `queue ${JSON.stringify(name)} starts with "."`
  return undefined
}
