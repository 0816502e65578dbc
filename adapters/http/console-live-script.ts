/**
 * The console's live sections (Now, Refusals by reason, Config in force), inlined into the page
 * after CONSOLE_SCRIPT, whose `api` and session search it uses. Polls memory-only endpoints: the
 * traffic once a second (only the points it has not seen), the refusals every ten seconds, the
 * config every thirty; nothing while the page is hidden. Everything is written with textContent.
 */
export const CONSOLE_LIVE_SCRIPT = `"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const { api, findSessions } = window.smtpIntakeConsole;
  const HISTORY = 900;
  const points = [];
  let lastAt = 0;

  const number = (value, digits) => value === undefined || value === null ? "\\u2013" :
    value.toLocaleString("en-US", { maximumFractionDigits: digits === undefined ? 1 : digits });
  const bytes = (perSecond) => {
    const units = ["B/s", "kB/s", "MB/s", "GB/s"];
    let value = perSecond, unit = 0;
    while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++; }
    return number(value, 1) + " " + units[unit];
  };
  const set = (id, text) => { $(id).textContent = text; };

  const publisherText = (condition) => {
    if (condition === undefined || condition === null) return "no answer";
    if (condition.kind === "rabbitmq") {
      if (!condition.connected) return "broker not connected" + (condition.notConnected ? ": " + condition.notConnected : "");
      if (condition.blocked !== undefined) return "broker blocking publishers: " + condition.blocked;
      if (condition.missingQueues.length > 0) return "queue missing: " + condition.missingQueues.join(", ");
      return "broker connected";
    }
    if (condition.kind === "spool") return condition.writable ? "spool writable" : "spool not writable";
    return condition.ready ? "ready" : "not ready";
  };

  const SVG = "http://www.w3.org/2000/svg";
  const SERIES = [["accepted", "chart-accepted"], ["deferred", "chart-deferred"], ["refused", "chart-refused"]];
  const lines = SERIES.map(([key, cls]) => {
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("class", cls);
    $("now-chart").append(line);
    return [key, line];
  });
  /** one attribute per line and redraw: nothing is rebuilt */
  const drawChart = () => {
    const width = 900, height = 160;
    const newest = points.length === 0 ? 0 : points[points.length - 1].at;
    let top = 1;
    for (const p of points) top = Math.max(top, p.accepted, p.deferred, p.refused);
    for (const [key, line] of lines) {
      line.setAttribute("points", points.map((p) => {
        const x = width - (newest - p.at) / 1000;
        return x.toFixed(1) + "," + (height - (p[key] / top) * (height - 4)).toFixed(1);
      }).join(" "));
    }
    set("chart-top", number(top) + " /s");
  };

  const showNow = (latest) => {
    set("now-accepted", number(latest.accepted));
    set("now-deferred", number(latest.deferred));
    set("now-refused", number(latest.refused));
    set("now-bytes", bytes(latest.bytes));
    set("now-latency", number(latest.p50) + " / " + number(latest.p99) + " ms");
    set("now-open", number(latest.open, 0));
    set("now-budget", latest.inUse === undefined ? "no budget" : number(latest.inUse, 0) + " in use, " + number(latest.waiting, 0) + " waiting");
  };

  const showPublisher = (publisher) => {
    const text = publisherText(publisher);
    set("now-publisher", text);
    $("now-publisher").className = /^(broker connected|spool writable|ready)$/.test(text) ? "good" : "bad";
  };

  /** one section's poll: its endpoint read, shown, and its error line set or cleared */
  const poller = (path, errorId, show) => async () => {
    try {
      show(await api("GET", path()));
      set(errorId, "");
    } catch (error) {
      set(errorId, error.message);
    }
  };

  const pollTraffic = poller(() => "/api/console/traffic?since=" + lastAt, "now-error", (data) => {
    for (const point of data.points) points.push(point);
    if (points.length > HISTORY) points.splice(0, points.length - HISTORY);
    if (data.points.length > 0) {
      lastAt = points[points.length - 1].at;
      showNow(points[points.length - 1]);
      drawChart();
    }
    showPublisher(data.publisher);
  });

  const showSessionsOf = (filters) => (event) => {
    event.preventDefault();
    findSessions(filters);
    $("sessions-title").scrollIntoView();
  };

  const link = (text, label, filters) => {
    const a = document.createElement("a");
    a.href = "#sessions-title";
    a.textContent = text;
    a.setAttribute("aria-label", label);
    a.addEventListener("click", showSessionsOf(filters));
    return a;
  };

  const row = (cells) => {
    const tr = document.createElement("tr");
    for (const content of cells) {
      const td = document.createElement("td");
      if (typeof content === "string") td.textContent = content; else td.append(content);
      tr.append(td);
    }
    return tr;
  };

  const emptyRow = (columns) => {
    const tr = row(["none"]);
    tr.firstChild.colSpan = columns;
    tr.firstChild.className = "empty";
    return tr;
  };

  const pollRefusals = poller(() => "/api/console/refusals", "refusals-error", (data) => {
    const reasons = $("refusal-rows");
    reasons.replaceChildren();
    for (const [reason, count] of Object.entries(data.byReason)) {
      if (count === 0) continue;
      reasons.append(row([reason, link(String(count), "Sessions refused for " + reason, { refusal: reason })]));
    }
    if (reasons.children.length === 0) reasons.append(emptyRow(2));
    const clients = $("refused-client-rows");
    clients.replaceChildren();
    for (const client of data.topClients) {
      clients.append(row([link(client.client, "Sessions of " + client.client, { client: client.client }), String(client.count), client.reason]));
    }
    if (data.topClients.length === 0) clients.append(emptyRow(3));
  });

  const duration = (seconds) => {
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60;
    return (d > 0 ? d + "d " : "") + (d > 0 || h > 0 ? h + "h " : "") + m + "m " + (seconds % 60) + "s";
  };

  const reloadText = (reload) => {
    if (reload === undefined) return "no SIGHUP since start";
    const when = new Date(reload.at).toISOString().replace("T", " ").slice(0, 19) + " UTC";
    if (reload.outcome === "refused") return "SIGHUP at " + when + " refused: " + reload.error;
    const applied = reload.applied.length === 0 ? "nothing to apply" : "applied " + reload.applied.join(", ");
    const restart = reload.restartNeeded.length === 0 ? "" : "; needs a restart: " + reload.restartNeeded.join(", ");
    return "SIGHUP at " + when + ": " + applied + restart;
  };

  const processView = (process, title) => {
    const box = document.createElement("details");
    box.className = "process";
    const summary = document.createElement("summary");
    summary.textContent = title + " \\u2014 version " + process.version + ", up " + duration(process.uptimeSeconds);
    const reload = document.createElement("p");
    reload.textContent = "Last reload: " + reloadText(process.lastReload);
    const table = document.createElement("table");
    table.setAttribute("aria-label", "Settings of " + title);
    const body = document.createElement("tbody");
    for (const setting of process.settings) {
      const value = setting.value === undefined ? "(not set)" + (setting.whenUnset === undefined ? "" : " \\u2013 " + setting.whenUnset) : setting.value;
      const tr = row([setting.key, value]);
      if (setting.value === undefined) tr.className = "unset";
      body.append(tr);
    }
    table.append(body);
    box.append(summary, reload, table);
    return box;
  };

  /** smtp-threads > 1: the whole daemon in one line, and the keys whose values differ between workers (a reload one missed) */
  const daemonSummary = (processes) => {
    const versions = [...new Set(processes.map((p) => p.version))].join(", ");
    const differing = processes[0].settings.filter((setting, i) =>
      processes.some((p) => p.settings[i] === undefined || p.settings[i].value !== setting.value)).map((s) => s.key);
    const line = document.createElement("p");
    line.id = "config-daemon";
    line.textContent = "Whole daemon: " + processes.length + " workers, version " + versions + ", up " +
      duration(Math.max(...processes.map((p) => p.uptimeSeconds))) + "; settings " +
      (differing.length === 0 ? "the same in every worker" : "differ between workers in: " + differing.join(", "));
    return line;
  };

  const pollConfig = poller(() => "/api/console/config", "config-error", (data) => {
    const list = $("config-processes");
    // a refresh keeps open what the operator opened
    const opened = new Set([...list.querySelectorAll("details[open]")].map((view) => view.dataset.pid));
    list.replaceChildren();
    const many = data.processes.length > 1;
    if (many) list.append(daemonSummary(data.processes));
    for (const process of data.processes) {
      const view = processView(process, many ? "Worker " + process.worker + " (pid " + process.pid + ")" : "Daemon (pid " + process.pid + ")");
      view.dataset.pid = String(process.pid);
      view.open = opened.has(view.dataset.pid);
      list.append(view);
    }
  });

  const every = (ms, poll) => {
    void poll();
    setInterval(() => { if (!document.hidden) void poll(); }, ms);
  };
  every(1000, pollTraffic);
  every(10000, pollRefusals);
  every(30000, pollConfig);
  $("now-refused-link").addEventListener("click", showSessionsOf({ refusal: "any" }));
  window.addEventListener("smtp-intake-token", () => { void pollTraffic(); void pollRefusals(); void pollConfig(); });
})();
`
