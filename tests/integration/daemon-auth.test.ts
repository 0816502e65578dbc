import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import { startDaemon } from "../support/daemon.ts"
import { RADIUS_USERS, startFreeradius } from "../support/freeradius.ts"
import type { RunningFreeradius } from "../support/freeradius.ts"
import { SLAPD_PEOPLE, SLAPD_PEOPLE_USERS, slapdAvailable, startSlapd } from "../support/slapd.ts"
import type { RunningSlapd } from "../support/slapd.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { python, queuedIds, rawSession, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) &&
  serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks") &&
  serviceAvailable("openssl", commandExists("openssl"), "apt-get install -y openssl")

describe.runIf(ready)("SMTP AUTH through the daemon (hardcoded backend)", () => {
  const inbox = uniqueQueue("auth")
  const certificates = certificateFactory()
  let daemon: RunningDaemon

  beforeAll(async () => {
    const cert = certificates.selfSigned("mx.auth.test")
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "smtp-auth": "hardcoded://alice:wonder land,bob,builder",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
  })
  afterAll(async () => {
    await daemon?.stop()
    certificates.cleanup()
    await deleteQueues(inbox)
  })

  const send = (args: ReadonlyArray<string>) =>
    swaks(daemon.port, ["--from", "a@example.org", "--to", "far@example.net", "--tls", ...args])

  it("offers AUTH PLAIN LOGIN only after STARTTLS", async () => {
    const client = rawSession(daemon.port)
    await client.reply()
    const plain = await client.command("EHLO probe.example")
    expect(plain).toContain("STARTTLS")
    expect(plain).not.toContain("AUTH")
    expect(await client.command("AUTH PLAIN AGFsaWNlAHdvbmRlciBsYW5k")).toMatch(/^5\d\d /)
    client.close()
    const tls = await swaks(daemon.port, ["--tls", "--quit-after", "EHLO"])
    expect(tls.output).toMatch(/250[ -]AUTH PLAIN LOGIN/)
  })

  it("accepts PLAIN and LOGIN, and the JSON names the user", async () => {
    for (const [method, user, password] of [["PLAIN", "alice", "wonder land"], ["LOGIN", "bob", "builder"]] as const) {
      const sent = await send(["--auth", method, "--auth-user", user, "--auth-password", password])
      expect(sent.output).toMatch(/235 2\.7\.0/)
      expect(queuedIds(sent.output).size, sent.output).toBe(1)
      const [message] = await takeMessages(inbox, 1)
      expect(message?.json.connection).toMatchObject({ secure: true, user })
      expect(message?.json.mime as string).toContain("with ESMTPSA id")
    }
  })

  it("refuses a wrong password with 535 5.7.8", async () => {
    const sent = await send(["--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "guess"])
    expect(sent.output).toMatch(/535 5\.7\.8 /)
    expect(queuedIds(sent.output).size).toBe(0)
  })

  it("refuses a non-local recipient of an unauthenticated client with 530 5.7.0", async () => {
    const sent = await send([])
    expect(sent.output).toMatch(/530 5\.7\.0 Authentication required/)
    expect(queuedIds(sent.output).size).toBe(0)
  })

  it("lets Python's smtplib log in after starttls()", async () => {
    const sent = await python(`
import smtplib, ssl, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.login("alice", "wonder land")
s.sendmail("py@example.org", ["far@example.net"], b"Subject: auth\\r\\n\\r\\nx\\r\\n")
s.quit()
`, daemon.port)
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.connection).toMatchObject({ user: "alice" })
  })

  it("never writes a password to the log", async () => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const logs = daemon.logs().join("\n")
    expect(logs).toContain("authentication failed")
    expect(logs).not.toContain("wonder land")
    expect(logs).not.toContain("builder")
    expect(logs).not.toContain("guess")
  })
})

const networkReady = ready && slapdAvailable() &&
  serviceAvailable("freeradius", commandExists("freeradius"), "apt-get install -y freeradius")

describe.runIf(networkReady)("SMTP AUTH through the daemon against a real slapd and freeradius", () => {
  const inbox = uniqueQueue("authnet")
  const certificates = certificateFactory()
  let slapd: RunningSlapd
  let radius: RunningFreeradius
  let viaLdap: RunningDaemon
  let viaRadius: RunningDaemon

  beforeAll(async () => {
    const cert = certificates.selfSigned("mx.authnet.test")
    slapd = await startSlapd()
    radius = await startFreeradius()
    const common = {
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    }
    viaLdap = await startDaemon({ ...common, "smtp-auth": `ldap://127.0.0.1:${slapd.port}/${SLAPD_PEOPLE}` })
    viaRadius = await startDaemon({
      ...common,
      "smtp-auth": `radius://intake-test:${radius.secret}@127.0.0.1:${radius.port}`
    })
  })
  afterAll(async () => {
    await viaLdap?.stop()
    await viaRadius?.stop()
    await slapd?.stop()
    await radius?.stop()
    certificates.cleanup()
    await deleteQueues(inbox)
  })

  for (const backend of ["ldap", "radius"] as const) {
    it(`logs alice in over ${backend} and refuses a wrong password`, async () => {
      const daemon = backend === "ldap" ? viaLdap : viaRadius
      const password = backend === "ldap" ? SLAPD_PEOPLE_USERS["alice"]! : RADIUS_USERS.alice
      const login = (pass: string) =>
        swaks(daemon.port, ["--from", "a@example.org", "--to", `${backend}@example.net`, "--tls",
          "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", pass])
      const good = await login(password)
      expect(queuedIds(good.output).size, good.output).toBe(1)
      const [message] = await takeMessages(inbox, 1)
      expect(message?.json.connection).toMatchObject({ user: "alice", secure: true })
      expect((await login("not-the-password")).output).toMatch(/535 5\.7\.8 /)
    })
  }

  it("answers 454 4.7.0 while the LDAP server is down", async () => {
    await slapd.stop()
    const sent = await swaks(viaLdap.port, ["--from", "a@example.org", "--to", "x@example.net", "--tls",
      "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", SLAPD_PEOPLE_USERS["alice"]!])
    expect(sent.output).toMatch(/454 4\.7\.0 /)
  })
})
