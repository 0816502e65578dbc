/**
 * `smtp-intake/domain`: the rules of smtp-intake as a library. Pure functions and data: no I/O,
 * no clock, no randomness (a simulation takes its seed). What is exported here is the public API;
 * anything else under `domain/` may change without notice.
 */

// Addresses: the MAIL FROM / RCPT TO path and address validation, strict (RFC 5321, RFC 6531) or loose
export { parsePathCommand } from "./address/smtp-path.ts"
export type { PathCommand } from "./address/smtp-path.ts"
export { validateMailbox } from "./address/validate-address.ts"
export type { AddressValidationMode, AddressValidationOptions, AddressVerdict } from "./address/validate-address.ts"

// IP addresses and ranges; the IPs a message goes out from (SPEC §3)
export { isIp, normalizeIp, parseIpRange, rangeContains, rangesContain } from "./ip/ip-range.ts"
export type { IpRange } from "./ip/ip-range.ts"
export { isMappable, outgoingIps } from "./ip/outgoing-ips.ts"
export type { OutgoingIpRules } from "./ip/outgoing-ips.ts"

// The SMTP session as a decider: decide(policy)(state, command) → events; evolve; replay
export { parseCommandLine } from "./session/command-line.ts"
export type { ParsedLine } from "./session/command-line.ts"
export { Command } from "./session/commands.ts"
export type { AuthRefusal, CommandTag, Departure, SessionCommand } from "./session/commands.ts"
export { authRefusalReply, decide, QUEUED_HEADLINE } from "./session/decide.ts"
export { replyOf } from "./session/events.ts"
export type { Closing, ConnectionRefusal, EventTag, MessageRefusal, SessionEvent } from "./session/events.ts"
export { EventOutOfPlace, evolve, evolveAll, replay } from "./session/evolve.ts"
export { AUTH_MECHANISMS, DEFAULT_MAX_ERRORS, DEFAULT_MAX_JUNK, DEFAULT_MAX_RECIPIENTS } from "./session/policy.ts"
export type { SessionPolicy } from "./session/policy.ts"
export { isPositive, isTemporaryFailure, renderReply, reply, replyLines } from "./session/reply.ts"
export type { Reply } from "./session/reply.ts"
export { initialState, readsCommands } from "./session/state.ts"
export type { Envelope, Phase, Recipient, SessionState } from "./session/state.ts"
export type { ConnectionInfo, TlsInfo } from "./session/connection.ts"
export { describeCommand, transcriptLine } from "./session/transcript.ts"
export type { TranscriptLine } from "./session/transcript.ts"

// The connection budget (SPEC §5) and its simulation
export {
  acquireOutgoing,
  changeLimits,
  emptyBudget,
  incomingFits,
  outgoingFits,
  releaseIncoming,
  releaseOutgoing,
  requestIncoming,
  withdrawWaiting
} from "./connections/connection-budget.ts"
export type { BudgetLimits, BudgetState, BudgetStep, IncomingVerdict } from "./connections/connection-budget.ts"
export { admissionWaitMs, budgetLimits } from "./connections/budget-settings.ts"
export { DOMAIN_RULES, runPlan, shrinkPlan, simulateConnections } from "./connections/simulation/simulate-connections.ts"
export type {
  BudgetRules,
  SecondOfRun,
  SimulationLimits,
  SimulationResult,
  SimulationRun,
  SimulationSummary,
  Violation
} from "./connections/simulation/simulate-connections.ts"
export { DEFAULT_SCENARIO, parseScenario, planScenario } from "./connections/simulation/scenario.ts"
export type { ArrivalWave, Burst, OutgoingWave, Plan, PlannedClient, PlannedOutgoing, Scenario, Span } from "./connections/simulation/scenario.ts"
export { describeSimulation } from "./connections/simulation/describe-simulation.ts"

// Messages: the DATA stream, x-mq-* extraction, the MailerQ JSON document, the Received header
export { DataReader } from "./message/data-reader.ts"
export type { ReceivedData } from "./message/data-reader.ts"
export { extractMqHeaders } from "./message/x-mq-headers.ts"
export type { JsonValue, MqExtraction, MqProperties } from "./message/x-mq-headers.ts"
export { buildMessageDocuments } from "./message/message-document.ts"
export type { AcceptedMessage, MessageDocument } from "./message/message-document.ts"
export { receivedHeader } from "./message/received-header.ts"
export type { ReceivedTrace } from "./message/received-header.ts"

// The PROXY protocol, v1 and v2
export { parseProxyHeader } from "./proxy/proxy-header.ts"
export type { Endpoint, ProxyHeader, ProxyParse } from "./proxy/proxy-header.ts"

// Reports: is a message a DSN (RFC 3464) or a DMARC aggregate report (RFC 7489)
export { detectReport } from "./reports/detect-report.ts"
export type { DmarcPolicy, DmarcReport, DsnRecipient, DsnReport, Report } from "./reports/detect-report.ts"

// The config file: MailerQ's keys, environment overrides, the resolved settings
export { ENV_PREFIXES, envVariableName, formatConfigError, parseConfig } from "./config/parse-config.ts"
export type { ConfigError, ConfigInput, ConfigResult, ConfigSource } from "./config/parse-config.ts"
export type { AddressValidation, CheckName, QueueType, Settings } from "./config/settings.ts"
export { describeSettings } from "./config/describe-settings.ts"

// Managed lists: local-address rules
export { compileLocalAddresses, LOCAL_ADDRESS_TYPES, ruleProblem } from "./lists/local-address-rule.ts"
export type { LocalAddressMatcher, LocalAddressRule, LocalAddressType } from "./lists/local-address-rule.ts"
