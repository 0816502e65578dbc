import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"
import { spawnService } from "./service-process.ts"
import { portOpen, serviceAvailable } from "./services.ts"
import { STARTUP_MS } from "./timing.ts"

export const SPAMD = "/usr/sbin/spamd"
/** Debian keeps the .pre files (which load the plugins, Check among them) with the site config */
const SITE_CONFIG = "/etc/spamassassin"

/** SpamAssassin's test string: any message holding it scores 1000 (GTUBE). */
export const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"

export const spamdAvailable = (): boolean =>
  serviceAvailable("spamd (SpamAssassin)", existsSync(SPAMD) && existsSync(SITE_CONFIG), "apt-get install -y spamassassin")

export interface RunningSpamd {
  readonly port: number
  output(): string
  stop(): Promise<void>
}

/**
 * A real spamd (Debian's spamassassin) on a free loopback port, in the foreground. Its site config
 * is a fresh directory holding only Debian's .pre files, so a local.cf on the machine changes
 * nothing; --local leaves out the network tests (DNS blocklists, Razor, Pyzor); -x reads no user
 * preferences. It runs as whoever runs the tests.
 */
export const startSpamd = async (): Promise<RunningSpamd> => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-spamd-"))
  const site = join(dir, "site")
  const port = await freePort()
  // as root, spamd reads its configuration as nobody: mkdtemp's 0700 would hide the .pre files
  chmodSync(dir, 0o755)
  mkdirSync(site)
  for (const file of readdirSync(SITE_CONFIG).filter((f) => f.endsWith(".pre"))) copyFileSync(join(SITE_CONFIG, file), join(site, file))
  const service = spawnService(SPAMD, [
    `--listen=127.0.0.1:${port}`, "--allowed-ips=127.0.0.1", "--local", "--nouser-config",
    "--max-children=1", `--pidfile=${join(dir, "spamd.pid")}`, `--siteconfigpath=${site}`, "--syslog=stderr",
    `--helper-home-dir=${dir}`
  ], dir)
  // loading and compiling the rules takes a few seconds
  await service.waitUntil(
    async () => service.output().includes("server started on") && (await portOpen(port)),
    `spamd did not come up on 127.0.0.1:${port}`,
    { timeoutMs: STARTUP_MS, pauseMs: 200 }
  )
  return { port, output: service.output, stop: service.stop }
}
