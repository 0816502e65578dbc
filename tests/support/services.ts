import { execFileSync } from "node:child_process"
import { connect } from "node:net"

export const inCi = process.env.CI === "true"

/**
 * Outside CI a test whose real peer is missing says so loudly and is skipped;
 * under CI a missing service is a failure, never a skip.
 */
export const serviceAvailable = (name: string, available: boolean, hint: string): boolean => {
  if (available) return true
  const message = `${name} is not available (${hint})`
  if (inCi) throw new Error(`CI=true and ${message}`)
  console.warn(`\n*** SKIPPING tests that need ${message} ***\n`)
  return false
}

export const commandExists = (command: string): boolean => {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

export const portOpen = (port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host })
    const done = (open: boolean) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })

export const rabbitAvailable = async (): Promise<boolean> =>
  serviceAvailable("RabbitMQ on 127.0.0.1:5672", await portOpen(5672), "start it with `rabbitmq-server -detached`")
