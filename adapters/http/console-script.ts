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

  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    $("token").value = "";
    $("token-state").textContent = token === "" ? "no token set" : "token set";
    for (const list of lists) void load(list);
  });
  $("token-state").textContent = token === "" ? "no token set" : "token set";

  for (const list of lists) void load(list);
})();
`
