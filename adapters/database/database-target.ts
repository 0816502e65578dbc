/** How a database server's address appears in messages: product, host, port, database and user, never the password. */
export interface DatabaseTarget {
  readonly description: string
  /** removes the password from a message, should a driver ever echo it */
  readonly redact: (text: string) => string
}

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

export const databaseTarget = (url: string, product: string, defaultPort: string): DatabaseTarget => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { description: `${product} (unparsable address)`, redact: (text) => text }
  }
  const database = decoded(parsed.pathname.replace(/^\//, "")) || "(default database)"
  const user = parsed.username === "" ? "" : `${decoded(parsed.username)}@`
  const secrets = [...new Set([parsed.password, decoded(parsed.password)])].filter((secret) => secret !== "")
  return {
    description: `${product} ${user}${parsed.hostname}:${parsed.port || defaultPort}/${database}`,
    redact: (text) => secrets.reduce((redacted, secret) => redacted.replaceAll(secret, "****"), text)
  }
}

/** A driver's error as one line (a failed connect to several addresses is an AggregateError). */
export const reasonOf = (error: unknown): string =>
  error instanceof AggregateError && error.errors.length > 0
    ? error.errors.map(reasonOf).join("; ")
    : error instanceof Error
    ? error.message || error.name
    : String(error)
