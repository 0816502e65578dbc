import type { SessionCommand } from "../../../domain/session/commands.ts"
import type { ConnectionInfo } from "../../../domain/session/connection.ts"
import { decide } from "../../../domain/session/decide.ts"
import { replyOf } from "../../../domain/session/events.ts"
import type { SessionEvent } from "../../../domain/session/events.ts"
import { evolveAll } from "../../../domain/session/evolve.ts"
import { parseIpRange } from "../../../domain/ip/ip-range.ts"
import type { IpRange } from "../../../domain/ip/ip-range.ts"
import type { SessionPolicy } from "../../../domain/session/policy.ts"
import type { Reply } from "../../../domain/session/reply.ts"
import { initialState } from "../../../domain/session/state.ts"
import type { SessionState } from "../../../domain/session/state.ts"

export const range = (text: string): IpRange => {
  const parsed = parseIpRange(text)
  if (parsed === undefined) throw new Error(`bad range ${text}`)
  return parsed
}

export const policy: SessionPolicy = {
  hostname: "mx.example.test",
  allowedRanges: [range("192.0.2.0/24"), range("2001:db8::/32")],
  maxSize: 1000,
  maxRecipients: 3,
  addressValidation: "strict",
  authRequired: false,
  keepRefused: false,
  protection: false,
  tlsOffered: false,
  maxErrors: 20,
  maxJunk: 100
}

export const client = (remoteIp = "192.0.2.7"): ConnectionInfo => ({
  localIp: "198.51.100.1",
  localPort: 25,
  remoteIp,
  remotePort: 40000,
  tls: undefined,
  user: undefined
})

/** Runs commands through decide/evolve, recording each command's events and reply. */
export const play = (commands: ReadonlyArray<SessionCommand>, p: SessionPolicy = policy) => {
  const step = decide(p)
  let state: SessionState = initialState
  const replies: Array<Reply | undefined> = []
  const events: Array<ReadonlyArray<SessionEvent>> = []
  for (const command of commands) {
    const produced = step(state, command)
    events.push(produced)
    replies.push(replyOf(produced))
    state = evolveAll(state, produced)
  }
  return { state, replies, events, last: replies[replies.length - 1] }
}
