/**
 * The console's browser code, inlined into the page (no external resources). Entries are written with
 * textContent only: a stored pattern is data, never markup. The token lives in a variable: it is taken
 * out of the address bar at once and never stored.
 */
export const CONSOLE_SCRIPT = `"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  let token = new URLSearchParams(location.search).get("token") || "";
  if (location.search !== "") history.replaceState(null, "", location.pathname);

  const lists = [
    {
      key: "local", path: "/api/local-addresses", columns: ["pattern", "type"], method: "POST",
      name: (item) => item.pattern, query: (item) => "pattern=" + encodeURIComponent(item.pattern),
      body: () => ({ pattern: $("local-pattern").value, type: $("local-type").value }), clear: ["local-pattern"]
    },
    {
      key: "mta", path: "/api/mta-hostnames", columns: ["ip", "hostname"], method: "PUT",
      name: (item) => item.ip, query: (item) => "ip=" + encodeURIComponent(item.ip),
      body: () => ({ ip: $("mta-ip").value, hostname: $("mta-hostname").value }), clear: ["mta-ip", "mta-hostname"]
    },
    {
      key: "blocked", path: "/api/blocked", columns: ["range"], method: "POST",
      name: (item) => item.range, query: (item) => "range=" + encodeURIComponent(item.range),
      body: () => ({ range: $("blocked-range").value }), clear: ["blocked-range"]
    }
  ];

  const api = async (method, path, body) => {
    const headers = { accept: "application/json" };
    if (token !== "") headers.authorization = "Bearer " + token;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method, headers, cache: "no-store", credentials: "omit",
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (error) {
      throw new Error("cannot reach the server: " + error.message);
    }
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    if (!response.ok) {
      if (response.status === 401) $("token").focus();
      throw new Error(data !== null && typeof data.error === "string" ? data.error : "HTTP " + response.status);
    }
    return data;
  };

  const showError = (list, message) => { $(list.key + "-error").textContent = message; };

  const cell = (text) => {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  };

  const render = (list, items) => {
    const rows = $(list.key + "-rows");
    rows.replaceChildren();
    if (items.length === 0) {
      const td = cell("none");
      td.colSpan = list.columns.length + 1;
      td.className = "empty";
      const tr = document.createElement("tr");
      tr.append(td);
      rows.append(tr);
      return;
    }
    for (const item of items) {
      const tr = document.createElement("tr");
      for (const column of list.columns) tr.append(cell(String(item[column])));
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Remove";
      button.setAttribute("aria-label", "Remove " + list.name(item));
      button.addEventListener("click", () => remove(list, item, button));
      const actions = document.createElement("td");
      actions.append(button);
      tr.append(actions);
      rows.append(tr);
    }
  };

  const load = async (list) => {
    try {
      const data = await api("GET", list.path);
      render(list, data.items);
      showError(list, "");
    } catch (error) {
      showError(list, error.message);
    }
  };

  const remove = async (list, item, button) => {
    button.disabled = true;
    try {
      await api("DELETE", list.path + "?" + list.query(item));
      showError(list, "");
    } catch (error) {
      showError(list, error.message);
    }
    await load(list);
  };

  for (const list of lists) {
    $(list.key + "-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const submit = event.submitter;
      if (submit) submit.disabled = true;
      try {
        await api(list.method, list.path, list.body());
        for (const id of list.clear) $(id).value = "";
        showError(list, "");
        await load(list);
      } catch (error) {
        showError(list, error.message);
      } finally {
        if (submit) submit.disabled = false;
      }
    });
  }

  const SESSION_FILTERS = [
    ["sessions-client", "client"], ["sessions-message-id", "message-id"], ["sessions-address", "address"], ["sessions-refusal", "refusal"]
  ];

  const sessionsQuery = () => {
    const query = new URLSearchParams({ limit: "50" });
    for (const [field, name] of SESSION_FILTERS) {
      const value = $(field).value.trim();
      if (value !== "") query.set(name, value);
    }
    return query.toString();
  };

  const transcript = (session) => {
    const table = document.createElement("table");
    table.className = "transcript";
    table.setAttribute("aria-label", "Transcript of " + session.client);
    const head = document.createElement("tr");
    for (const title of ["Time", "Client", "Reply", "Decision"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = title;
      head.append(th);
    }
    table.append(head);
    for (const line of session.transcript) {
      const tr = document.createElement("tr");
      tr.append(cell(new Date(line.at).toISOString().slice(11, 23)), cell(line.input));
      const reply = document.createElement("td");
      const pre = document.createElement("pre");
      pre.textContent = line.reply.join("\\n");
      reply.append(pre);
      tr.append(reply, cell(line.decisions.join(", ")));
      table.append(tr);
    }
    return table;
  };

  /** what the session's summary names: its last refusal, if it had one (the reason is in the transcript) */
  const refusalIn = (session) => {
    for (let i = session.transcript.length - 1; i >= 0; i--) {
      const refusal = session.transcript[i].decisions.find((d) => /^(ConnectionRefused|CommandRefused|MessageRefused|MessageDeferred|AuthFailed)/.test(d));
      if (refusal !== undefined) return refusal;
    }
    return undefined;
  };

  const loadSessions = async () => {
    const list = $("sessions-list");
    try {
      const data = await api("GET", "/api/sessions?" + sessionsQuery());
      list.replaceChildren();
      if (data.sessions.length === 0) {
        const none = document.createElement("p");
        none.className = "note";
        none.textContent = "no session found";
        list.append(none);
      }
      for (const session of data.sessions) {
        const details = document.createElement("details");
        details.setAttribute("role", "listitem");
        const summary = document.createElement("summary");
        const last = session.transcript[session.transcript.length - 1];
        const sender = session.transcript.find((line) => line.input.startsWith("MAIL FROM:"));
        const recipients = session.transcript.filter((line) => line.input.startsWith("RCPT TO:")).length;
        summary.textContent = session.opened + "  " + session.client + " \u2192 " + session.local +
          (sender === undefined ? "" : "  " + sender.input.slice(10).split(" ")[0] + " \u2192 " + recipients + " RCPT") +
          "  (" + (refusalIn(session) || (last === undefined ? "open" : last.decisions.join(", "))) + ")";
        details.append(summary, transcript(session));
        if (session.omitted > 0) {
          const note = document.createElement("p");
          note.className = "note";
          note.textContent = session.omitted + " steps in the middle not kept";
          details.append(note);
        }
        list.append(details);
      }
      $("sessions-error").textContent = "";
    } catch (error) {
      $("sessions-error").textContent = error.message;
    }
  };

  /** the live sections' links: the sessions behind a count, or of a client */
  const findSessions = (filters) => {
    for (const [field, name] of SESSION_FILTERS) $(field).value = filters[name] || "";
    void loadSessions();
  };
  window.smtpIntakeConsole = { api, findSessions };

  $("sessions-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void loadSessions();
  });

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    $("token").value = "";
    $("token-state").textContent = token === "" ? "no token set" : "token set";
    for (const list of lists) void load(list);
    void loadSessions();
    window.dispatchEvent(new Event("smtp-intake-token"));
  });
  $("token-state").textContent = token === "" ? "no token set" : "token set";

  for (const list of lists) void load(list);
  void loadSessions();
})();
`
