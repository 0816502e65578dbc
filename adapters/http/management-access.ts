import { createHash, timingSafeEqual } from "node:crypto"
import { normalizeIp, parseIpRange, rangeContains } from "../../domain/ip/ip-range.ts"

/** What asks for access: the JSON API (data), or the console page (an empty shell that calls the API). */
export type Resource = "api" | "console"

export interface AccessRequest {
  readonly resource: Resource
  /** the configured management-token, if any */
  readonly token: string | undefined
  /** the TCP peer; never a forwarded-for header */
  readonly remoteAddress: string | undefined
  readonly authorization: string | undefined
  readonly host: string | undefined
}

export type AccessVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly status: 401 | 403; readonly error: string }

const LOOPBACK = [parseIpRange("127.0.0.0/8"), parseIpRange("::1/128")].filter((range) => range !== undefined)

/** 127.0.0.0/8, ::1, and IPv4-mapped ::ffff:127.x (a client on a dual-stack socket). */
export const isLoopbackClient = (address: string | undefined): boolean => {
  if (address === undefined) return false
  const ip = normalizeIp(address)
  return ip !== undefined && LOOPBACK.some((range) => rangeContains(range, ip))
}

/**
 * Without a token, a web page on some other site could make the operator's browser talk to the loopback
 * port through a DNS name it rebinds to 127.0.0.1; such requests carry that name as Host.
 * An IP literal or `localhost` cannot be rebound.
 */
export const isLocalHostHeader = (host: string | undefined): boolean => {
  if (host === undefined) return false
  let name: string
  try {
    name = new URL(`http://${host.trim()}/`).hostname
  } catch {
    return false
  }
  return name === "localhost" || name.endsWith(".localhost") || normalizeIp(name) !== undefined
}

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest()

/** Compares digests of equal length, so neither the token's content nor its length leaks through timing. */
export const bearerMatches = (authorization: string | undefined, token: string): boolean => {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "")
  const given = match?.[1] ?? ""
  return timingSafeEqual(digest(given), digest(token)) && given !== ""
}

export const accessVerdict = (request: AccessRequest): AccessVerdict => {
  if (request.token !== undefined) {
    // The console page holds no data: with a token, anyone may load it and then needs the token for the API.
    if (request.resource === "console" || bearerMatches(request.authorization, request.token)) return { allowed: true }
    return { allowed: false, status: 401, error: "a valid management token is required (Authorization: Bearer <token>)" }
  }
  if (!isLoopbackClient(request.remoteAddress)) {
    return { allowed: false, status: 403, error: "without a management-token only loopback clients may use the management API" }
  }
  if (!isLocalHostHeader(request.host)) {
    return { allowed: false, status: 403, error: "without a management-token the Host must be localhost or an IP address" }
  }
  return { allowed: true }
}
