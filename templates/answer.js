// exgen serve: the live "read as" preview under each answer field, and saving or checking an
// answer without reloading the page. The page works without this script (a plain form).
"use strict";
(function () {
  const form = document.querySelector("form.answers");
  if (!form || !window.fetch) return;
  const base = "/s/" + form.dataset.token;
  const formToken = form.dataset.form;
  const DELAY = 250; // ms after the last key press
  const timers = new Map();
  const sequence = new Map(); // the newest request per part: older replies are dropped

  async function post(path, body, headers) {
    const response = await fetch(base + path, {
      method: "POST", credentials: "same-origin",
      headers: Object.assign({"Content-Type": "application/json"}, headers || {}),
      body: JSON.stringify(body),
    });
    return {ok: response.ok, status: response.status, data: await response.json().catch(() => null)};
  }

  async function showPreview(input) {
    const part = input.dataset.part;
    const mine = (sequence.get(part) || 0) + 1;
    sequence.set(part, mine);
    const box = document.getElementById("preview-" + part);
    let reply;
    try { reply = await post("/preview", {part: part, text: input.value}); } catch (e) { return; }
    if (sequence.get(part) !== mine || !reply.data) return;
    box.innerHTML = reply.data.html; // typeset by the server from the reading, text escaped there
    box.className = "preview preview-" + reply.data.state;
  }

  async function send(part, action) {
    const input = document.getElementById("field-" + part);
    const status = document.getElementById("status-" + part);
    const reply = await post("/answer", {part: part, text: input.value, action: action}, {"X-Exgen-Form": formToken});
    if (reply.ok && reply.data) {
      status.innerHTML = reply.data.status;
      input.dataset.saved = input.value;
    } else {
      status.textContent = (reply.data && reply.data.error) || "";
      if (!reply.data) throw new Error("HTTP " + reply.status);
    }
  }

  form.querySelectorAll("input.answer-input").forEach(function (input) {
    input.dataset.saved = input.value;
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || input.readOnly) return;
      event.preventDefault(); // Enter checks (practice) or saves this answer, not the whole form
      send(input.dataset.part, form.dataset.mode === "practice" ? "check" : "save").catch(function () { form.submit(); });
    });
    input.addEventListener("input", function () {
      clearTimeout(timers.get(input));
      timers.set(input, setTimeout(function () { showPreview(input); }, DELAY));
    });
  });

  form.addEventListener("submit", async function (event) {
    const button = event.submitter;
    const action = button ? button.value : "save";
    event.preventDefault();
    try {
      if (action.startsWith("check:")) {
        await send(action.slice(6), "check");
      } else {
        for (const input of form.querySelectorAll("input.answer-input")) {
          if (action === "check" ? input.value.trim() : input.value !== input.dataset.saved) {
            await send(input.dataset.part, action);
          }
        }
      }
    } catch (e) {
      form.submit(); // the server is the judge: fall back to the plain form
    }
  });
})();
