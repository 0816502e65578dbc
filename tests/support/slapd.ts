import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"
import { spawnService } from "./service-process.ts"
import { commandExists, portOpen, serviceAvailable } from "./services.ts"
import { STARTUP_MS } from "./timing.ts"

const SLAPD = "/usr/sbin/slapd"
const SLAPADD = "/usr/sbin/slapadd"

export const SLAPD_SUFFIX = "dc=intake,dc=test"
export const SLAPD_PEOPLE = `ou=people,${SLAPD_SUFFIX}`
/** An OU whose name needs escaping in a DN and percent-encoding in a URL. */
export const SLAPD_AWKWARD_OU = `ou=Mail Users\\, Intake,${SLAPD_SUFFIX}`

/** uid → password of the users under SLAPD_PEOPLE */
export const SLAPD_PEOPLE_USERS: Readonly<Record<string, string>> = {
  alice: "alice-secret",
  bob: "bob-secret",
  "smith, j": "smith-secret"
}
/** uid → password of the users under SLAPD_AWKWARD_OU */
export const SLAPD_AWKWARD_USERS: Readonly<Record<string, string>> = { carol: "carol-secret" }

export interface RunningSlapd {
  readonly port: number
  /** `ldap://127.0.0.1:<port>` */
  readonly url: string
  readonly stop: () => Promise<void>
}

export const slapdAvailable = (): boolean =>
  serviceAvailable(
    "OpenLDAP slapd",
    existsSync(SLAPD) && existsSync(SLAPADD) && commandExists("slappasswd"),
    "apt-get install slapd ldap-utils"
  )

const hash = (password: string): string => execFileSync("slappasswd", ["-s", password], { encoding: "utf8" }).trim()

// uid values here hold no DN specials but ", " (escaped by hand below)
const userEntry = (uid: string, password: string, parent: string): string =>
  [
    `dn: uid=${uid.replaceAll(",", "\\,")},${parent}`,
    "objectClass: inetOrgPerson",
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    `userPassword: ${hash(password)}`,
    ""
  ].join("\n")

const ldif = (): string =>
  [
    `dn: ${SLAPD_SUFFIX}`,
    "objectClass: dcObject",
    "objectClass: organization",
    "o: intake",
    "dc: intake",
    "",
    `dn: ${SLAPD_PEOPLE}`,
    "objectClass: organizationalUnit",
    "ou: people",
    "",
    `dn: ${SLAPD_AWKWARD_OU}`,
    "objectClass: organizationalUnit",
    "ou: Mail Users, Intake",
    "",
    ...Object.entries(SLAPD_PEOPLE_USERS).map(([uid, password]) => userEntry(uid, password, SLAPD_PEOPLE)),
    ...Object.entries(SLAPD_AWKWARD_USERS).map(([uid, password]) => userEntry(uid, password, SLAPD_AWKWARD_OU))
  ].join("\n")

const config = (dir: string): string =>
  [
    "include /etc/ldap/schema/core.schema",
    "include /etc/ldap/schema/cosine.schema",
    "include /etc/ldap/schema/inetorgperson.schema",
    "modulepath /usr/lib/ldap",
    "moduleload back_mdb",
    `pidfile "${join(dir, "slapd.pid")}"`,
    `argsfile "${join(dir, "slapd.args")}"`,
    // The classic misconfiguration: a DN with an empty password binds (as anonymous).
    // The authenticator must stay safe against such a server.
    "allow bind_anon_dn",
    "database mdb",
    "maxsize 10485760",
    `suffix "${SLAPD_SUFFIX}"`,
    `rootdn "cn=admin,${SLAPD_SUFFIX}"`,
    `rootpw ${hash("root-secret")}`,
    `directory "${join(dir, "db")}"`,
    "access to attrs=userPassword by anonymous auth by self write by * none",
    "access to * by * read",
    ""
  ].join("\n")

/** A real slapd (Debian's, back_mdb) on a free loopback port, loaded with the users above. */
export const startSlapd = async (): Promise<RunningSlapd> => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-slapd-"))
  mkdirSync(join(dir, "db"))
  const conf = join(dir, "slapd.conf")
  const data = join(dir, "data.ldif")
  writeFileSync(conf, config(dir))
  writeFileSync(data, ldif())
  execFileSync(SLAPADD, ["-q", "-f", conf, "-l", data], { stdio: ["ignore", "ignore", "pipe"] })

  const port = await freePort()
  const url = `ldap://127.0.0.1:${port}`
  // -d keeps slapd in the foreground, so the child is slapd itself and dies with a kill
  const service = spawnService(SLAPD, ["-h", `${url}/`, "-f", conf, "-d", "0"], dir)
  await service.waitUntil(() => portOpen(port, "127.0.0.1", 200), `slapd did not start on ${url}`, { timeoutMs: STARTUP_MS, pauseMs: 50 })
  return { port, url, stop: service.stop }
}
