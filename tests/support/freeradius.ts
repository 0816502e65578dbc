import { execFileSync } from "node:child_process"
import { createSocket } from "node:dgram"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import radius from "radius"
import { spawnService } from "./service-process.ts"
import { STARTUP_MS } from "./timing.ts"

export const FREERADIUS = "/usr/sbin/freeradius"

/** the users the fixture's server knows, with their passwords */
export const RADIUS_USERS = { alice: "alice-secret", bob: "bob-secret" } as const

export interface RunningFreeradius {
  readonly port: number
  /** the shared secret of the 127.0.0.1 client */
  readonly secret: string
  /** what the server logged so far (one line per Access-Request with `auth = yes`) */
  output(): string
  stop(): Promise<void>
}

/** A UDP port that was free on loopback a moment ago. */
export const freeUdpPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const socket = createSocket("udp4")
    socket.once("error", reject)
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })

/**
 * A configuration from scratch rather than a copy of /etc/freeradius/3.0: only the files
 * and pap modules load (no eap certificates, no inner-tunnel listener on a fixed port), so
 * the server starts in milliseconds and never clashes with another one. It runs as the
 * current user and logs to stdout; reject_delay is 0 so rejections come at once.
 */
const radiusdConf = (dir: string, port: number, secret: string) => `
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
libdir = /usr/lib/freeradius
raddbdir = ${dir}
confdir = ${dir}
modconfdir = ${dir}
logdir = ${dir}
run_dir = ${dir}
db_dir = ${dir}
pidfile = ${dir}/radiusd.pid
name = freeradius
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
proxy_requests = no
log {
  destination = stdout
  auth = yes
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = yes
}
client loopback {
  ipaddr = 127.0.0.1
  secret = "${secret}"
  # drops requests that lack a valid Message-Authenticator (the BlastRADIUS fix)
  require_message_authenticator = yes
}
thread pool {
  start_servers = 4
  max_servers = 8
  min_spare_servers = 1
  max_spare_servers = 8
}
modules {
  pap {
  }
  files {
    filename = ${dir}/users
  }
}
server default {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
    files
    pap
  }
  authenticate {
    pap
  }
}
`

const usersFile = (): string =>
  Object.entries(RADIUS_USERS).map(([user, password]) => `${user} Cleartext-Password := "${password}"\n`).join("")

/** One Status-Server; true when the server answered it (signed or not). */
const answersStatusServer = (port: number, secret: string, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createSocket("udp4")
    const done = (answered: boolean) => {
      clearTimeout(timer)
      socket.close()
      resolve(answered)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.once("error", () => done(false))
    socket.once("message", () => done(true))
    socket.send(radius.encode({ code: "Status-Server", secret, attributes: [] }), port, "127.0.0.1")
  })

/** A real FreeRADIUS (Debian package) on a free loopback UDP port, with alice and bob. */
export const startFreeradius = async (secret = "fixture-shared-secret"): Promise<RunningFreeradius> => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-freeradius-"))
  const port = await freeUdpPort()
  writeFileSync(join(dir, "radiusd.conf"), radiusdConf(dir, port, secret))
  writeFileSync(join(dir, "users"), usersFile())
  try {
    execFileSync(FREERADIUS, ["-C", "-d", dir], { stdio: "pipe" })
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer }
    throw new Error(`freeradius rejects the fixture config:\n${stdout?.toString() ?? ""}${stderr?.toString() ?? ""}`)
  }
  const service = spawnService(FREERADIUS, ["-f", "-d", dir, "-l", "stdout"], dir)
  await service.waitUntil(
    () => answersStatusServer(port, secret, 100),
    `freeradius did not come up on 127.0.0.1:${port}`,
    { timeoutMs: STARTUP_MS, pauseMs: 0 }
  )
  return { port, secret, output: service.output, stop: service.stop }
}
