import { createHash } from "node:crypto"
import { LOCAL_ADDRESS_TYPES } from "../../domain/lists/local-address-rule.ts"
import { REFUSAL_REASONS } from "../../domain/console/refusal-reason.ts"
import { CONSOLE_LIVE_SCRIPT } from "./console-live-script.ts"
import { CONSOLE_SCRIPT } from "./console-script.ts"

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 60rem; padding: 1rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1rem; justify-content: space-between; }
section { margin-block: 1.5rem; padding: 1rem; border: 1px solid #8886; border-radius: 0.5rem; }
h1, h2 { margin-block: 0 0.5rem; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; }
table { border-collapse: collapse; width: 100%; margin-block-end: 0.75rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #8884; overflow-wrap: anywhere; }
td.empty { color: #888; font-style: italic; }
form { display: flex; flex-wrap: wrap; align-items: end; gap: 0.5rem; }
label { display: flex; flex-direction: column; font-size: 0.85rem; gap: 0.2rem; }
input, select, button { font: inherit; padding: 0.25rem 0.5rem; }
.error { color: #c62828; min-height: 1.2em; margin: 0.5rem 0 0; }
.note { color: #888; font-size: 0.85rem; }
details { border-bottom: 1px solid #8884; padding-block: 0.3rem; }
summary { cursor: pointer; overflow-wrap: anywhere; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85rem; }
nav { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.9rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: 0.5rem; margin: 0; }
.tiles div { border: 1px solid #8884; border-radius: 0.4rem; padding: 0.4rem 0.6rem; }
.tiles dt { font-size: 0.8rem; color: #888; }
.tiles dd { margin: 0; font-size: 1.2rem; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.good { color: #2e7d32; }
.bad { color: #c62828; }
figure { margin: 0.75rem 0 0; }
svg { width: 100%; height: 10rem; display: block; border-bottom: 1px solid #8886; }
polyline { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; }
.chart-accepted { stroke: #2e7d32; }
.chart-deferred { stroke: #ef6c00; }
.chart-refused { stroke: #c62828; }
figcaption { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; font-size: 0.8rem; color: #888; }
.key-accepted { color: #2e7d32; }
.key-deferred { color: #ef6c00; }
.key-refused { color: #c62828; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
tr.unset td { color: #888; }
/* a setting's key or a column's heading wraps after a hyphen, never mid-word: on a narrow screen the values give way */
th, .process td:first-child { overflow-wrap: break-word; }
.process p { font-size: 0.9rem; }
/* on a phone a transcript stacks: time and command on one line, the reply and the decision under them */
@media (max-width: 32rem) {
  table.transcript tr:first-child { display: none; }
  table.transcript tr { display: grid; grid-template-columns: max-content 1fr; column-gap: 0.5rem; border-bottom: 1px solid #8884; padding-block: 0.3rem; }
  table.transcript td { border: 0; padding: 0.1rem 0; }
  table.transcript td:nth-child(n+3) { grid-column: 1 / -1; }
  table.transcript td:nth-child(4):not(:empty)::before { content: "decision: "; color: #888; }
}
`

const refusalOptions = ["any", ...REFUSAL_REASONS].map((reason) => `<option value="${reason}">${reason}</option>`).join("")

const tile = (id: string, label: string, content = `<dd id="${id}">\u2013</dd>`) => `<div><dt>${label}</dt>${content}</div>`

const NOW_SECTION = `<section id="now" aria-labelledby="now-title">
  <h2 id="now-title">Now</h2>
  <dl class="tiles" aria-label="Now">
    ${tile("now-accepted", "Accepted /s")}
    ${tile("now-deferred", "Deferred /s")}
    ${tile("now-refused", "Refused /s", `<dd><a id="now-refused-link" href="#sessions-title" aria-label="Refused sessions"><span id="now-refused">\u2013</span></a></dd>`)}
    ${tile("now-bytes", "Received")}
    ${tile("now-latency", "DATA-to-250 p50 / p99")}
    ${tile("now-open", "Open connections")}
    ${tile("now-budget", "Budget slots")}
    ${tile("now-publisher", "Publisher")}
  </dl>
  <figure>
    <svg id="now-chart" role="img" aria-label="Messages per second, last 15 minutes" viewBox="0 0 900 160" preserveAspectRatio="none"></svg>
    <figcaption>
      <span>last 15 minutes, per second (top: <span id="chart-top">1 /s</span>)</span>
      <span class="key-accepted">\u25a0 accepted</span><span class="key-deferred">\u25a0 deferred</span><span class="key-refused">\u25a0 refused</span>
    </figcaption>
  </figure>
  <p id="now-error" class="error" role="alert"></p>
</section>
<section id="refusals" aria-labelledby="refusals-title">
  <h2 id="refusals-title">Refusals in the last hour</h2>
  <div class="columns">
    <table aria-label="Refusals by reason">
      <thead><tr><th scope="col">Reason</th><th scope="col">Refusals</th></tr></thead>
      <tbody id="refusal-rows"></tbody>
    </table>
    <table aria-label="Clients refused most">
      <thead><tr><th scope="col">Client</th><th scope="col">Refusals</th><th scope="col">Last reason</th></tr></thead>
      <tbody id="refused-client-rows"></tbody>
    </table>
  </div>
  <p class="note">Budget and PROXY refusals happen before a session starts: they count for the address that connected, with no session to open.</p>
  <p id="refusals-error" class="error" role="alert"></p>
</section>`

const CONFIG_SECTION = `<section id="config" aria-labelledby="config-title">
  <h2 id="config-title">Config in force</h2>
  <p class="note">The resolved settings of each process, secrets masked, and what the last SIGHUP did.</p>
  <div id="config-processes"></div>
  <p id="config-error" class="error" role="alert"></p>
</section>`

const typeOptions = LOCAL_ADDRESS_TYPES.map((type) => `<option value="${type}">${type}</option>`).join("")

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smtp-intake management console</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>smtp-intake management console</h1>
  <form id="token-form">
    <label>Management token <input id="token" type="password" autocomplete="off" spellcheck="false"></label>
    <button type="submit">Use token</button>
    <span id="token-state" class="note" role="status"></span>
  </form>
</header>
<nav aria-label="Sections"><a href="#now">Now</a><a href="#refusals">Refusals</a><a href="#sessions">Sessions</a><a href="#config">Config</a><a href="#lists">Managed lists</a></nav>
<main>
${NOW_SECTION}
<section id="sessions" aria-labelledby="sessions-title">
  <h2 id="sessions-title">Recent sessions</h2>
  <form id="sessions-form">
    <label>Client IP <input id="sessions-client" placeholder="192.0.2.7" autocomplete="off"></label>
    <label>Message id <input id="sessions-message-id" autocomplete="off"></label>
    <label>Sender or recipient <input id="sessions-address" placeholder="user@example.com" autocomplete="off"></label>
    <label>Refused for <select id="sessions-refusal"><option value="">(any session)</option>${refusalOptions}</select></label>
    <button type="submit">Find sessions</button>
  </form>
  <p class="note">Each session opens as a transcript: what the client sent, what it was told, and the decision behind it. No message content, no credentials.</p>
  <div id="sessions-list" role="list" aria-label="Sessions"></div>
  <p id="sessions-error" class="error" role="alert"></p>
</section>
${CONFIG_SECTION}
<h2 id="lists">Managed lists</h2>
<section aria-labelledby="local-title">
  <h2 id="local-title">Local addresses</h2>
  <table aria-labelledby="local-title">
    <thead><tr><th scope="col">Pattern</th><th scope="col">Type</th><th scope="col">Actions</th></tr></thead>
    <tbody id="local-rows"></tbody>
  </table>
  <form id="local-form">
    <label>Local address pattern <input id="local-pattern" required placeholder="@example.com" autocomplete="off"></label>
    <label>Local address type <select id="local-type">${typeOptions}</select></label>
    <button type="submit">Add local address</button>
  </form>
  <p id="local-error" class="error" role="alert"></p>
</section>
<section aria-labelledby="mta-title">
  <h2 id="mta-title">MTA hostnames</h2>
  <table aria-labelledby="mta-title">
    <thead><tr><th scope="col">Local IP</th><th scope="col">Hostname</th><th scope="col">Actions</th></tr></thead>
    <tbody id="mta-rows"></tbody>
  </table>
  <form id="mta-form">
    <label>Local IP <input id="mta-ip" required placeholder="192.0.2.10" autocomplete="off"></label>
    <label>MTA hostname <input id="mta-hostname" required placeholder="mx1.example.com" autocomplete="off"></label>
    <button type="submit">Set MTA hostname</button>
  </form>
  <p id="mta-error" class="error" role="alert"></p>
</section>
<section aria-labelledby="blocked-title">
  <h2 id="blocked-title">Blocked addresses</h2>
  <table aria-labelledby="blocked-title">
    <thead><tr><th scope="col">IP or range</th><th scope="col">Actions</th></tr></thead>
    <tbody id="blocked-rows"></tbody>
  </table>
  <form id="blocked-form">
    <label>IP address or range <input id="blocked-range" required placeholder="192.0.2.0/24" autocomplete="off"></label>
    <button type="submit">Block address</button>
  </form>
  <p id="blocked-error" class="error" role="alert"></p>
</section>
</main>
<script>${CONSOLE_SCRIPT}</script>
<script>${CONSOLE_LIVE_SCRIPT}</script>
</body>
</html>
`

/** Only this page's own inline style and script may run, and it may talk to this server only. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'none'",
    `script-src ${sha256(CONSOLE_SCRIPT)} ${sha256(CONSOLE_LIVE_SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'"
  ].join("; "),
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY"
}
