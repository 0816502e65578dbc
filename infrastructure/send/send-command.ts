import { hostname as machineHostname } from "node:os"
import { Effect, Layer, Logger, References, Schema } from "effect"
import { RandomMessageIds } from "../../adapters/ids/random-message-ids.ts"
import { NodeDns } from "../../adapters/dns/node-dns.ts"
import { MailauthSenderAuthentication } from "../../adapters/mailauth/mailauth-authentication.ts"
import { SpamdScanner } from "../../adapters/spamd/spamd-client.ts"
import { acceptMessage } from "../../application/accept-message.ts"
import { validateMailbox } from "../../domain/address/validate-address.ts"
import { envelopeFromHeaders, extractRecipients, readCommandLineMessage } from "../../domain/message/command-line-message.ts"
import { loadConfigSources } from "../config/load-config.ts"
import type { ConfigSources } from "../config/load-config.ts"
import { publisherLayer } from "../daemon.ts"
import { intakeSnapshot, spamdOptions } from "../settings-views.ts"

/** `smtp-intake send` as MailerQ's command-line utility (`command-line-utility.md`): a sendmail replacement for scripts on this host. */
export interface SendOptions {
  readonly recipients: ReadonlyArray<string>
  /** the recipients are also read from To, Cc and Bcc (Bcc is then removed) */
  readonly extractRecipients: boolean
  /** the message ends at the end of input only; dots mean nothing */
  readonly ignoreDot: boolean
  /** the envelope address, over any the message gives */
  readonly envelope: string | undefined
}

/** A send that did not queue the message: why, for the one line on stderr, and the exit code. */
export class SendFailed extends Schema.TaggedError<SendFailed>()("SendFailed", {
  message: Schema.String,
  /** 2: a usage error; 1: a bad message or config; 75 (EX_TEMPFAIL): the broker did not confirm, try again */
  code: Schema.Number
}) {}

const LOOPBACK = { localIp: "127.0.0.1", localPort: 0, remoteIp: "127.0.0.1", remotePort: 0, tls: undefined, user: undefined }

const invalid = (message: string) => new SendFailed({ message, code: 1 })

/**
 * Reads the message, works out its envelope, and publishes one JSON per recipient to
 * rabbitmq-inbox through the same use case as SMTP (`acceptMessage`): it succeeds only once the
 * broker confirmed every document. Every recipient counts as non-local.
 */
export const sendMessage = (options: SendOptions, sources: ConfigSources, input: Uint8Array) =>
  Effect.gen(function*() {
    const { settings } = yield* loadConfigSources(sources).pipe(Effect.mapError((error) => invalid(error.message)))
    if (settings.rabbitmqInbox === undefined) return yield* invalid("rabbitmq-inbox is empty: a message sent here would be discarded")
    const read = readCommandLineMessage(input, options.ignoreDot)
    if (read.length > settings.smtpMaxsize) return yield* invalid(`the message is ${read.length} bytes; smtp-maxsize is ${settings.smtpMaxsize}`)
    const { recipients: found, mime } = options.extractRecipients ? extractRecipients(read) : { recipients: [], mime: read }
    const recipients = [...new Set([...options.recipients, ...found])]
    if (recipients.length === 0) return yield* new SendFailed({ message: "no recipients: name them, or give --extract-recipients", code: 2 })
    const validation = { mode: settings.smtpValidateAddress, utf8: true }
    for (const address of recipients) {
      const verdict = validateMailbox(address, validation)
      if (!verdict.valid) return yield* invalid(`recipient ${address}: ${verdict.reason}`)
    }
    const sender = options.envelope ?? envelopeFromHeaders(mime) ?? ""
    const senderVerdict = sender === "" ? undefined : validateMailbox(sender, validation)
    if (senderVerdict?.valid === false) return yield* invalid(`envelope ${sender}: ${senderVerdict.reason}`)
    const accepted = yield* acceptMessage({
      hostname: settings.smtpHostname ?? machineHostname(),
      connection: LOOPBACK,
      helo: "localhost",
      envelope: { sender, recipients: recipients.map((address) => ({ address, local: false, provisional: false })), utf8: true },
      mime,
      origin: { _tag: "command-line", explicitSender: options.envelope !== undefined }
    }, { ...intakeSnapshot(settings), checks: [], authResults: [] }).pipe(
      Effect.mapError((error) =>
        new SendFailed({ message: `the broker did not confirm the message (${error.message}); it may not be queued, send it again`, code: 75 })
      ),
      Effect.provide(Layer.mergeAll(
        publisherLayer(settings),
        RandomMessageIds,
        NodeDns(),
        MailauthSenderAuthentication,
        SpamdScanner(Effect.succeed(spamdOptions(settings)))
      ))
    )
    return recipients.map((recipient, i) => `${accepted.messageIds[i]} for ${recipient}`)
  })

/** Only errors are logged, to stderr: a sendmail replacement is quiet when it works, but for the ids on stdout. */
const QuietLogs = Layer.merge(
  Logger.layer([Logger.map(Logger.formatJson, (line) => void process.stderr.write(`${line}\n`))]),
  Layer.succeed(References.MinimumLogLevel, "Error")
)

const readStandardInput = async (): Promise<Uint8Array> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Runs `send` to its exit code; the message is read from standard input. */
export const runSend = async (
  options: SendOptions,
  sources: ConfigSources,
  readInput: () => Promise<Uint8Array> = readStandardInput
): Promise<number> => {
  const input = await readInput()
  const outcome = await Effect.runPromise(
    sendMessage(options, sources, input).pipe(
      Effect.map((lines) => ({ code: 0, out: lines.join("\n") })),
      Effect.catch((error) =>
        Effect.succeed({ code: error._tag === "SendFailed" ? error.code : 1, out: "", err: `smtp-intake send: ${error.message}` })
      ),
      Effect.provide(QuietLogs)
    )
  )
  if (outcome.out !== "") process.stdout.write(`${outcome.out}\n`)
  if ("err" in outcome) process.stderr.write(`${outcome.err}\n`)
  return outcome.code
}
