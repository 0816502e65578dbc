import { Effect, Layer } from "effect"
import { SmtpListeners } from "../adapters/smtp/smtp-listener.ts"
import { onSighup } from "./sighup.ts"
import { loadTlsMaterial } from "./tls/tls-material.ts"
import type { TlsFiles } from "./tls/tls-material.ts"

/**
 * SIGHUP re-reads smtp-certificate and smtp-key (a renewed certificate) and gives them to new
 * TLS handshakes; live sessions keep theirs. A bad pair is logged and the old one kept.
 */
export const TlsReloadOnSighup = (files: TlsFiles) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const listeners = yield* SmtpListeners
    const reload = loadTlsMaterial(files).pipe(
      Effect.flatMap(listeners.reloadTls),
      Effect.andThen(Effect.logInfo("TLS certificate and key reloaded").pipe(
        Effect.annotateLogs({ certificate: files.certificate })
      )),
      Effect.catch((error) => Effect.logError(`TLS reload refused, keeping the previous certificate: ${error.message}`))
    )
    const context = yield* Effect.context<never>()
    yield* onSighup(() => void Effect.runForkWith(context)(reload))
  }))
