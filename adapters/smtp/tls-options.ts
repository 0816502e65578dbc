import { createSecureContext } from "node:tls"
import type { SecureContext } from "node:tls"

/** PEM certificate chain and key, and the OpenSSL cipher list (smtp-ciphers). */
export interface TlsMaterial {
  readonly cert: Buffer
  readonly key: Buffer
  readonly ciphers: string | undefined
}

/** TLS 1.0 and 1.1 are deprecated (RFC 8996). */
export const MIN_TLS_VERSION = "TLSv1.2"

/** The context new handshakes use: the key, the certificate, the ciphers, TLS 1.2 at least. */
export const secureContextOf = (tls: TlsMaterial): SecureContext =>
  createSecureContext({
    key: tls.key,
    cert: tls.cert,
    minVersion: MIN_TLS_VERSION,
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers })
  })
