/**
 * The server side of the SASL mechanisms AUTH offers (RFC 4954): PLAIN (RFC 4616) and LOGIN
 * (draft-murchison-sasl-login). Pure: a response goes in, the next step comes out. What it handles
 * are credentials, so nothing of it is ever logged or journaled.
 */
export type SaslState =
  | { readonly mechanism: "PLAIN" }
  | { readonly mechanism: "LOGIN"; readonly username: string | undefined }

export type SaslStep =
  | { readonly _tag: "Challenge"; readonly prompt: string; readonly next: SaslState }
  | { readonly _tag: "Credentials"; readonly username: string; readonly password: string }
  | { readonly _tag: "Cancelled" }
  | { readonly _tag: "Malformed" }

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const utf8 = new TextDecoder("utf-8", { fatal: true })

/** RFC 4648 base64 into UTF-8 text; undefined when it is neither. `=` alone is the empty response (RFC 4954 §4). */
const decodeBase64 = (text: string): string | undefined => {
  if (text === "=") return ""
  if (!BASE64.test(text)) return undefined
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** "Username:" and "Password:", base64, as every LOGIN client expects them. */
export const LOGIN_PASSWORD_PROMPT = "UGFzc3dvcmQ6"

export const saslStart = (mechanism: string): SaslState | undefined => {
  switch (mechanism.toUpperCase()) {
    case "PLAIN":
      return { mechanism: "PLAIN" }
    case "LOGIN":
      return { mechanism: "LOGIN", username: undefined }
  }
  return undefined
}

/** The client's response to the last challenge (or its initial response). */
export const saslRespond = (state: SaslState, response: string): SaslStep => {
  if (response === "*") return { _tag: "Cancelled" }
  const decoded = decodeBase64(response.trim())
  if (decoded === undefined) return { _tag: "Malformed" }
  if (state.mechanism === "PLAIN") {
    // authzid NUL authcid NUL passwd
    const parts = decoded.split("\u0000")
    if (parts.length !== 3) return { _tag: "Malformed" }
    const [, username = "", password = ""] = parts
    if (username === "") return { _tag: "Malformed" }
    return { _tag: "Credentials", username, password }
  }
  if (state.username === undefined) {
    if (decoded === "") return { _tag: "Malformed" }
    return { _tag: "Challenge", prompt: LOGIN_PASSWORD_PROMPT, next: { mechanism: "LOGIN", username: decoded } }
  }
  return { _tag: "Credentials", username: state.username, password: decoded }
}
