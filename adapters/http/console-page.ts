import { createHash } from "node:crypto"
import { LOCAL_ADDRESS_TYPES } from "../../domain/lists/local-address-rule.ts"
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
`

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
<main>
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
<section aria-labelledby="sessions-title">
  <h2 id="sessions-title">Recent sessions</h2>
  <form id="sessions-form">
    <label>Client IP <input id="sessions-client" placeholder="192.0.2.7" autocomplete="off"></label>
    <label>Message id <input id="sessions-message-id" autocomplete="off"></label>
    <label>Sender or recipient <input id="sessions-address" placeholder="user@example.com" autocomplete="off"></label>
    <button type="submit">Find sessions</button>
  </form>
  <p class="note">Each session opens as a transcript: what the client sent, what it was told, and the decision behind it. No message content, no credentials.</p>
  <div id="sessions-list" role="list" aria-label="Sessions"></div>
  <p id="sessions-error" class="error" role="alert"></p>
</section>
</main>
<script>${CONSOLE_SCRIPT}</script>
</body>
</html>
`

/** Only this page's own inline style and script may run, and it may talk to this server only. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": [
    "default-src 'none'",
    `script-src ${sha256(CONSOLE_SCRIPT)}`,
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
