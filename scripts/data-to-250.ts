/**
 * `node scripts/data-to-250.ts`: how long the client waits for 250 after its end of data when
 * the checks' DNS is slow (issue 17). Numbers are reported, never asserted.
 *
 * A DNS server on loopback (tests/support/loopback-dns.ts) holds every answer back `--delay` ms;
 * the real daemon asks it (dns-servers) and publishes to RabbitMQ. Each message comes from a
 * domain of its own, so that no answer is in the daemon's cache: its SPF record includes a second
 * one (two lookups in a row), its From domain has a DMARC record, and it is DKIM-signed by that
 * domain. A client sends one message per connection, each command awaited; `--pace` ms before each
 * command after the greeting stand for a remote client's round trip. Reported: the median and
 * the largest DATA-to-250 time (from the end-of-data line sent to the 250 read) per smtp-check and pace.
 *
 *   node scripts/data-to-250.ts [--messages 15] [--delay 200] [--pace 0,100] [--checks spf;spf,dkim,dmarc]
 */
import { generateKeyPairSync } from "node:crypto"
import { parseArgs } from "node:util"
import { dkimSign } from "mailauth"
import type { DKIMSignOptions } from "mailauth"
import { freePort } from "../tests/support/free-port.ts"
import { startLoopbackDns } from "../tests/support/loopback-dns.ts"
import type { Zone } from "../tests/support/memory-dns.ts"
import { rawSession } from "../tests/support/smtp-clients.ts"
import { startBenchDaemon } from "./bench/bench-daemon.ts"
import { benchQueue, BROKER_URL, brokerReachable } from "./bench/bench-queue.ts"
import { median } from "./bench/stats.ts"

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "15" },
    delay: { type: "string", default: "200" },
    pace: { type: "string", default: "0,100" },
    checks: { type: "string", default: "spf;spf,dkim,dmarc" }
  }
})
const MESSAGES = Number(values.messages)
const DELAY_MS = Number(values.delay)
const PACES = values.pace.split(",").map(Number)
const CHECKS = values.checks.split(";")

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const PRIVATE_KEY = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
const KEY_RECORD = ["v=DKIM1; k=rsa; ", `p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`]

const domainCount = MESSAGES * PACES.length * CHECKS.length
const domains = Array.from({ length: domainCount }, (_, i) => `d${i}.bench.example`)
const zone: Zone = Object.fromEntries(domains.flatMap((domain) => [
  [domain, { TXT: [[`v=spf1 include:_spf.${domain} -all`]] }],
  [`_spf.${domain}`, { TXT: [["v=spf1 ip4:127.0.0.0/8 -all"]] }],
  [`_dmarc.${domain}`, { TXT: [["v=DMARC1; p=reject"]] }],
  [`s1._domainkey.${domain}`, { TXT: [KEY_RECORD] }]
]))

const signedMessage = async (domain: string): Promise<string> => {
  const raw = [
    `From: Alice <alice@${domain}>`,
    "To: Bob <bob@example.com>",
    "Subject: figures",
    `Message-ID: <${domain}@bench.example>`,
    "",
    "Hello Bob, the figures are attached.",
    ""
  ].join("\r\n")
  const signed = await dkimSign(raw, { signatureData: [{ signingDomain: domain, selector: "s1", privateKey: PRIVATE_KEY }] } as unknown as DKIMSignOptions)
  return signed.signatures + raw
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One message on a connection of its own; the ms from its end-of-data line to the reply. */
const sendOne = async (port: number, domain: string, paceMs: number): Promise<number> => {
  const data = await signedMessage(domain)
  const client = rawSession(port)
  try {
    await client.reply(20_000)
    await client.command("EHLO client.bench.example")
    for (const line of [`MAIL FROM:<bounce@${domain}>`, "RCPT TO:<bob@example.com>", "DATA"]) {
      await sleep(paceMs)
      const reply = await client.command(line)
      if (!/^[23]/.test(reply)) throw new Error(`${line}: ${reply}`)
    }
    await sleep(paceMs)
    client.send(data)
    const started = performance.now()
    client.send(".\r\n")
    const reply = await client.reply(30_000)
    if (!reply.startsWith("250")) throw new Error(`end of data: ${reply}`)
    return performance.now() - started
  } finally {
    client.close()
  }
}

if (!(await brokerReachable())) throw new Error(`RabbitMQ is not reachable at ${BROKER_URL}`)
const dns = await startLoopbackDns(zone)
dns.delayMs = DELAY_MS
let next = 0
console.log(`DATA-to-250 with every DNS answer ${DELAY_MS} ms late, ${MESSAGES} messages each (ms)`)
console.log("smtp-check        pace  median   max")
try {
  for (const checks of CHECKS) {
    for (const pace of PACES) {
      const queue = benchQueue()
      const daemon = await startBenchDaemon({
        "smtp-port": await freePort(),
        "smtp-ip": "127.0.0.1",
        "smtp-range": "127.0.0.0/8",
        "smtp-hostname": "mx.bench.example",
        "smtp-check": checks,
        "dns-servers": dns.address,
        "rabbitmq-address": BROKER_URL,
        "rabbitmq-inbox": queue.name
      })
      try {
        const times: Array<number> = []
        for (let i = 0; i < MESSAGES; i++) times.push(await sendOne(daemon.port, domains[next++] ?? "", pace))
        console.log(`${checks.padEnd(16)} ${String(pace).padStart(5)} ${median(times).toFixed(0).padStart(7)} ${Math.max(...times).toFixed(0).padStart(5)}`)
      } finally {
        await daemon.stop()
        await queue.remove()
      }
    }
  }
} finally {
  await dns.stop()
}
