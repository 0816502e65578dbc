import type { Duplex } from "node:stream"
import { createSecureContext, TLSSocket } from "node:tls"
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

/**
 * The server side of a TLS handshake over `socket` (an implicit-TLS port, or after STARTTLS):
 * the secured socket, or undefined once it failed or took longer than `timeoutMs`, both sockets
 * then destroyed and `onFailed` told why.
 */
export const serverHandshake = (
  socket: Duplex,
  context: SecureContext | undefined,
  timeoutMs: number,
  onFailed: (reason: string) => void
): Promise<TLSSocket | undefined> =>
  new Promise((resolve) => {
    const secured = new TLSSocket(socket as never, { isServer: true, ...(context === undefined ? {} : { secureContext: context }) })
    const timer = setTimeout(() => {
      secured.destroy()
      socket.destroy()
      resolve(undefined)
    }, timeoutMs)
    secured.once("secure", () => {
      clearTimeout(timer)
      resolve(secured)
    })
    secured.once("error", (error: Error) => {
      clearTimeout(timer)
      onFailed(error.message)
      secured.destroy()
      socket.destroy()
      resolve(undefined)
    })
  })
