import amqp from "amqplib"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { is250, is4xx, unanswered } from "./smtp-load.ts"
import type { Outcome } from "./smtp-load.ts"

/** The two fields of a queued JSON document that the tally needs. */
export interface QueuedDocument {
  readonly id: string
  readonly recipient: string
}

const toDocument = (text: string): QueuedDocument => {
  const json = JSON.parse(text) as Record<string, unknown>
  return { id: String(json["message-id"]), recipient: String(json["recipient"]) }
}

/** Takes every message off `queue` (no-ack), until it is empty and nothing came for a moment. */
export const drainQueue = async (url: string, queue: string): Promise<Array<QueuedDocument>> => {
  const connection = await amqp.connect(url)
  try {
    const channel = await connection.createChannel()
    const documents: Array<QueuedDocument> = []
    let lastAt = Date.now()
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message === null) return
      documents.push(toDocument(message.content.toString("utf8")))
      lastAt = Date.now()
    }, { noAck: true })
    const deadline = Date.now() + 30_000
    while (Date.now() - lastAt < 300 || (await channel.checkQueue(queue)).messageCount > 0) {
      if (Date.now() > deadline) throw new Error(`${queue} is not empty after 30 s (${documents.length} taken)`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await channel.cancel(consumerTag)
    return documents
  } finally {
    await connection.close()
  }
}

/** Every `<spool-directory>/<queue>/<id>.json` file (what is in `.tmp` was never answered 250). */
export const readSpool = (directory: string, queue: string): Array<QueuedDocument> => {
  const dir = join(directory, queue)
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .map((file) => {
      const document = toDocument(readFileSync(join(dir, file), "utf8"))
      if (`${document.id}.json` !== file) throw new Error(`${file} holds message ${document.id}`)
      return document
    })
}

export interface Tally {
  readonly sent: number
  readonly answered250: number
  readonly answered4xx: number
  readonly unanswered: number
  /** queue ids in 250 replies (one per recipient) */
  readonly ids250: number
  /** documents found in the queue / spool */
  readonly found: number
  /** ids of 250 replies that are not in the queue: must be empty */
  readonly missing: ReadonlyArray<string>
  /** documents of 250'd messages under an id the reply did not give, or found twice: must be empty */
  readonly wrong: ReadonlyArray<string>
  /** documents of messages answered 4xx or not at all: the broker had them, the confirm was lost */
  readonly duplicates: number
  /** 4xx replies other than 451 4.3.0: must be empty */
  readonly other4xx: ReadonlyArray<string>
}

/** Checks the documents found against the replies the clients got. */
export const tally = (outcomes: ReadonlyArray<Outcome>, documents: ReadonlyArray<QueuedDocument>): Tally => {
  const byRecipient = new Map(outcomes.flatMap((o) => o.recipients.map((r) => [r, o] as const)))
  const expected = new Map(outcomes.filter(is250).flatMap((o) => [...o.ids].map(([rcpt, id]) => [id, rcpt] as const)))
  const seen = new Set<string>()
  const wrong: Array<string> = []
  let duplicates = 0
  for (const document of documents) {
    const outcome = byRecipient.get(document.recipient)
    if (outcome === undefined) wrong.push(`${document.id}: unknown recipient ${document.recipient}`)
    else if (!is250(outcome)) duplicates++
    else if (expected.get(document.id) !== document.recipient || seen.has(document.id)) {
      wrong.push(`${document.id} for ${document.recipient} (reply: ${outcome.reply.trim()})`)
    }
    seen.add(document.id)
  }
  return {
    sent: outcomes.length,
    answered250: outcomes.filter(is250).length,
    answered4xx: outcomes.filter(is4xx).length,
    unanswered: outcomes.filter(unanswered).length,
    ids250: expected.size,
    found: documents.length,
    missing: [...expected.keys()].filter((id) => !seen.has(id)),
    wrong,
    duplicates,
    other4xx: outcomes.filter(is4xx).map((o) => o.reply.trim()).filter((r) => !r.startsWith("451 4.3.0 "))
  }
}

/** One line of figures for the docs. */
export const report = (what: string, t: Tally): string =>
  `${what}: ${t.sent} messages sent (2 recipients each), ${t.answered250} answered 250 (${t.ids250} ids), ` +
  `${t.answered4xx} answered 451 4.3.0, ${t.unanswered} unanswered; ${t.found} documents found, ` +
  `${t.missing.length} of the 250'd missing, ${t.duplicates} duplicates (confirm lost)`
