import { createPrivateKey, X509Certificate } from "node:crypto"
import { readFile } from "node:fs/promises"
import { createSecureContext } from "node:tls"
import { Effect, Schema } from "effect"
import { MIN_TLS_VERSION } from "../../adapters/smtp/tls-options.ts"
import type { TlsMaterial } from "../../adapters/smtp/tls-options.ts"
import type { Settings } from "../../domain/config/settings.ts"

export interface TlsFiles {
  readonly certificate: string
  readonly key: string
  readonly ciphers: string | undefined
}

/** smtp-certificate, smtp-key and smtp-ciphers, when TLS is configured. */
export const tlsFilesOf = (settings: Settings): TlsFiles | undefined =>
  settings.smtpCertificate === undefined || settings.smtpKey === undefined
    ? undefined
    : { certificate: settings.smtpCertificate, key: settings.smtpKey, ciphers: settings.smtpCiphers }

export class TlsUnavailable extends Schema.TaggedError<TlsUnavailable>()("TlsUnavailable", {
  message: Schema.String
}) {}

const reason = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause)).replace(/, \w+ '.*'$/s, "")

const read = (what: string, file: string) =>
  Effect.tryPromise({
    try: () => readFile(file),
    catch: (cause) => new TlsUnavailable({ message: `${what} ${file}: cannot read: ${reason(cause)}` })
  })

const check = (ok: () => boolean, message: string) =>
  Effect.try({ try: ok, catch: (cause) => new TlsUnavailable({ message: `${message}: ${reason(cause)}` }) }).pipe(
    Effect.flatMap((passed) => (passed ? Effect.void : Effect.fail(new TlsUnavailable({ message }))))
  )

/**
 * Reads smtp-certificate and smtp-key and proves they can serve TLS: each parses, the key is the
 * certificate's, and the cipher list selects something. Every failure names the file or the key.
 */
export const loadTlsMaterial = (files: TlsFiles): Effect.Effect<TlsMaterial, TlsUnavailable> =>
  Effect.gen(function*() {
    const cert = yield* read("smtp-certificate", files.certificate)
    const key = yield* read("smtp-key", files.key)
    let certificate: X509Certificate | undefined
    yield* check(() => {
      certificate = new X509Certificate(cert)
      return true
    }, `smtp-certificate ${files.certificate} is not a PEM certificate`)
    const privateKey = yield* Effect.try({
      try: () => createPrivateKey(key),
      catch: (cause) => new TlsUnavailable({ message: `smtp-key ${files.key} is not a PEM private key: ${reason(cause)}` })
    })
    yield* check(
      () => certificate?.checkPrivateKey(privateKey) === true,
      `smtp-key ${files.key} does not match the certificate in smtp-certificate ${files.certificate}`
    )
    yield* check(() => {
      createSecureContext({ cert, key, minVersion: MIN_TLS_VERSION, ...(files.ciphers === undefined ? {} : { ciphers: files.ciphers }) })
      return true
    }, `smtp-ciphers "${files.ciphers ?? ""}" cannot be used with smtp-certificate ${files.certificate}`)
    return { cert, key, ciphers: files.ciphers }
  })
