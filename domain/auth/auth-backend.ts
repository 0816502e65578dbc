/** SPEC §4: the backends an smtp-auth URL can name, with what each needs. */
export type AuthBackend =
  | { readonly kind: "hardcoded"; readonly users: ReadonlyArray<HardcodedUser> }
  | { readonly kind: "ldap"; readonly url: string; readonly baseDn: string }
  | {
    readonly kind: "radius"
    readonly identifier: string
    readonly secret: string
    readonly host: string
    readonly port: number
  }
  | { readonly kind: "users"; readonly names: ReadonlyArray<string> }
  | { readonly kind: "http"; readonly url: string }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "exec"; readonly path: string }

export interface HardcodedUser {
  readonly user: string
  readonly password: string
}

/** `user:pass,user2:pass2`, `user,pass,user2,pass2`, or a mix (MailerQ's own example mixes both). */
export const parseHardcodedUsers = (list: string): ReadonlyArray<HardcodedUser> | undefined => {
  const items = list.split(",")
  const users: Array<HardcodedUser> = []
  while (items.length > 0) {
    const item = items.shift() ?? ""
    const colon = item.indexOf(":")
    const user = colon === -1 ? item : item.slice(0, colon)
    const password = colon === -1 ? items.shift() : item.slice(colon + 1)
    if (user === "" || password === undefined || password === "") return undefined
    users.push({ user, password })
  }
  return users
}

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

const RADIUS_PORT = 1812
const LDAP_PORTS: Readonly<Record<string, number>> = { ldap: 389, ldaps: 636 }

/** Reads an smtp-auth URL; undefined when it names no backend or lacks what the backend needs. */
export const parseAuthBackend = (text: string): AuthBackend | undefined => {
  const value = text.trim()
  const match = /^([a-z]+):\/\/(.*)$/is.exec(value)
  if (match === null || /[\x00-\x1f\x7f]/.test(value)) return undefined
  const scheme = (match[1] ?? "").toLowerCase()
  const rest = match[2] ?? ""
  switch (scheme) {
    case "hardcoded": {
      const users = parseHardcodedUsers(rest)
      return users === undefined ? undefined : { kind: "hardcoded", users }
    }
    case "users": {
      const names = rest.split(",")
      return names.every((name) => /^[A-Za-z0-9._*?$-]+$/.test(name)) ? { kind: "users", names } : undefined
    }
    case "file":
    case "exec":
      return rest.startsWith("/") && rest.length > 1 ? { kind: scheme, path: rest } : undefined
  }
  const url = parseUrl(value)
  if (url === undefined || url.hostname === "") return undefined
  switch (scheme) {
    case "ldap":
    case "ldaps": {
      const baseDn = decodeURIComponent(url.pathname.slice(1))
      if (baseDn === "") return undefined
      return { kind: "ldap", url: `${scheme}://${url.host}${url.port === "" ? `:${LDAP_PORTS[scheme]}` : ""}`, baseDn }
    }
    case "radius":
      if (url.username === "" || url.password === "") return undefined
      return {
        kind: "radius",
        identifier: decodeURIComponent(url.username),
        secret: decodeURIComponent(url.password),
        host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port === "" ? RADIUS_PORT : Number(url.port)
      }
    case "http":
    case "https":
      return { kind: "http", url: value }
  }
  return undefined
}
