import type { SMTPServerOptions } from "smtp-server"

/** PEM certificate chain and key, and the OpenSSL cipher list (smtp-ciphers). */
export interface TlsMaterial {
  readonly cert: Buffer
  readonly key: Buffer
  readonly ciphers: string | undefined
}

/** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const MIN_TLS_VERSION = "TLSv1.2"

/** smtp-server's TLS options for the material; without material neither STARTTLS nor AUTH is offered. */
export const tlsServerOptions = (tls: TlsMaterial | undefined): SMTPServerOptions =>
  tls === undefined
    ? { disabledCommands: ["STARTTLS", "AUTH"], hideSTARTTLS: true }
    : {
      key: tls.key,
      cert: tls.cert,
      minVersion: MIN_TLS_VERSION,
      ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
      disabledCommands: ["AUTH"],
      hideSTARTTLS: false
    }
