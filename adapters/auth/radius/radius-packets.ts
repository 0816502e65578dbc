import radius from "radius"
import type { AuthVerdict, Credentials } from "../../../application/ports/authenticator.ts"

const HEADER_LENGTH = 20
const ACCESS_ACCEPT = 2
const ACCESS_REJECT = 3
const ACCESS_CHALLENGE = 11

/** RFC 2865: an attribute holds at most 253 octets, User-Password at most 128. */
export const fitsAccessRequest = ({ username, password }: Credentials): boolean => {
  const user = Buffer.byteLength(username, "utf8")
  const pass = Buffer.byteLength(password, "utf8")
  return user >= 1 && user <= 253 && pass >= 1 && pass <= 128
}

/**
 * An Access-Request with a fresh random authenticator; the package hides User-Password
 * with the secret. Message-Authenticator signs the whole request (BlastRADIUS: hardened
 * servers drop requests without it). Throws when an attribute does not fit.
 */
export const encodeAccessRequest = (
  credentials: Credentials,
  nasIdentifier: string,
  secret: string,
  identifier: number
): Buffer =>
  radius.encode({
    code: "Access-Request",
    secret,
    identifier,
    attributes: [
      ["User-Name", credentials.username],
      ["User-Password", credentials.password],
      ["NAS-Identifier", nasIdentifier]
    ],
    add_message_authenticator: true
  })

const MESSAGE_AUTHENTICATOR = 80

const hasMessageAuthenticator = (packet: Buffer): boolean => {
  for (let at = HEADER_LENGTH; at + 2 <= packet.length;) {
    const type = packet[at] ?? 0
    const length = packet[at + 1] ?? 0
    if (type === MESSAGE_AUTHENTICATOR) return true
    if (length < 2) return false
    at += length
  }
  return false
}

const requestHeader = (request: Buffer): Buffer => {
  const header = Buffer.from(request.subarray(0, HEADER_LENGTH))
  header.writeUInt16BE(HEADER_LENGTH, 2)
  return header
}

/**
 * radius.verify_response insists on a Message-Authenticator in the reply whenever the
 * request had one, but servers before BlastRADIUS (FreeRADIUS < 3.2.5) never send one.
 * A reply without it is checked against the request header alone: the response
 * authenticator still covers the whole reply, the request authenticator and the secret.
 */
const signedBySecret = (request: Buffer, reply: Buffer, secret: string): boolean => {
  const against = hasMessageAuthenticator(reply) ? request : requestHeader(request)
  try {
    return radius.verify_response({ request: against, response: reply, secret })
  } catch {
    return false
  }
}

/**
 * The verdict a datagram carries for `request`, or undefined when it is no valid answer
 * to it (other identifier, not signed with the secret, truncated, not an access reply).
 */
export const verdictOf = (request: Buffer, datagram: Buffer, secret: string): AuthVerdict | undefined => {
  if (datagram.length < HEADER_LENGTH || datagram[1] !== request[1]) return undefined
  const length = datagram.readUInt16BE(2)
  // octets past Length are padding (RFC 2865 §3) and are not signed
  if (length < HEADER_LENGTH || length > datagram.length) return undefined
  const reply = Buffer.from(datagram.subarray(0, length))
  const code = reply[0]
  if (code !== ACCESS_ACCEPT && code !== ACCESS_REJECT && code !== ACCESS_CHALLENGE) return undefined
  if (!signedBySecret(request, reply, secret)) return undefined
  // SMTP AUTH cannot answer a challenge (one-time codes and the like): the password alone is not enough
  return code === ACCESS_ACCEPT ? "accepted" : "rejected"
}
