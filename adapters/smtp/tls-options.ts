import type { SMTPServerOptions } from "smtp-server"

/** PEM certificate chain and key, and the OpenSSL cipher list (smtp-ciphers). */
export interface TlsMaterial {
  readonly cert: Buffer
  readonly key: Buffer
  readonly ciphers: string | undefined
}

/** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const MIN_TLS_VERSION = "TLSv1.2"

/** smtp-server's TLS options for the material (key, certificate, ciphers, TLS 1.2 at least). */
export const tlsServerOptions = (tls: TlsMaterial): SMTPServerOptions => ({
  key: tls.key,
  cert: tls.cert,
  minVersion: MIN_TLS_VERSION,
  ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers })
})

/**
 * STARTTLS is offered when there is TLS material; AUTH (PLAIN and LOGIN) when smtp-auth is set,
 * and smtp-server shows and accepts it only once the connection is encrypted.
 */
export const securityOptions = (tls: TlsMaterial | undefined, auth: boolean): SMTPServerOptions => {
  if (tls === undefined) return { disabledCommands: ["STARTTLS", "AUTH"], hideSTARTTLS: true }
  return {
    ...tlsServerOptions(tls),
    hideSTARTTLS: false,
    disabledCommands: auth ? [] : ["AUTH"],
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: false
  }
}
