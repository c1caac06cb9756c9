// The playground: chat with the agent through the native API (/stream, /threads,
// /feedback); the thread list and approvals use the Agent Protocol endpoints.
"use strict";

const $ = (selector) => document.querySelector(selector);
const messages = $("#messages");
const state = { threadId: new URLSearchParams(location.search).get("thread") };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function show(node) {
  messages.append(node);
  messages.scrollTop = messages.scrollHeight;
  return node;
}

function setStatus(text) {
  $("#status").textContent = text;
}

// A message's text: a string, or the text of its content blocks (Agent Chat UI
// sends `[{"type": "text", "text": ...}]`).
function textOf(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((block) => (typeof block === "string" ? block : block.text || "")).join("");
  }
  return "";
}

// A thread's title: its first message, cut short.
function titleOf(text) {
  const line = text.trim().split("\n")[0];
  return line.length > 60 ? `${line.slice(0, 60)}…` : line || "(empty thread)";
}

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
  return data;
}

// --- Threads -------------------------------------------------------------------

function selectThread(threadId, title) {
  const changed = threadId !== state.threadId;
  state.threadId = threadId;
  const url = new URL(location.href);
  if (threadId) url.searchParams.set("thread", threadId);
  else url.searchParams.delete("thread");
  history.replaceState(null, "", url);
  for (const link of document.querySelectorAll("#threads a")) {
    link.classList.toggle("current", link.dataset.threadId === threadId);
  }
  // The header names the conversation by its first message; the id is on hover.
  const label = $("#thread-label");
  if (!threadId) label.textContent = "New conversation";
  else if (title) label.textContent = title;
  else if (changed || label.textContent === "New conversation") label.textContent = "Conversation";
  label.title = threadId || "";
}

// Picking a thread (or a new one) closes the sidebar's panel on a phone.
function closePanel() {
  document.body.classList.remove("threads-open");
}

async function loadThreads() {
  const threads = await api("/threads/search", { limit: 50 });
  // The latest conversation first.
  threads.sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
  const list = $("#threads");
  list.replaceChildren();
  for (const thread of threads) {
    const first = thread.values && thread.values.messages && thread.values.messages[0];
    const link = element("a", "", titleOf(first ? textOf(first.content) : ""));
    link.href = `?thread=${thread.thread_id}`;
    link.dataset.threadId = thread.thread_id;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      closePanel();
      openThread(thread.thread_id);
    });
    const item = element("li");
    item.append(link);
    list.append(item);
  }
  selectThread(state.threadId);
}

async function openThread(threadId) {
  selectThread(threadId);
  messages.replaceChildren();
  if (!threadId) return;
  const path = `/threads/${encodeURIComponent(threadId)}`;
  const [thread, runs] = await Promise.all([api(path), api(`${path}/runs?limit=1000`)]);
  const first = thread.messages.find((message) => message.role === "user");
  if (first) selectThread(threadId, titleOf(first.content));
  // Each run names its reply: what came with that reply comes back with it.
  const runOf = new Map(runs.filter((run) => run.reply_id).map((run) => [run.reply_id, run]));
  const calls = new Map();
  for (const message of thread.messages) {
    if (message.role === "user") show(element("div", "message user", message.content));
    if (message.role === "assistant") {
      for (const call of message.tool_calls) calls.set(call.id, showToolCall(call));
      if (message.content) {
        const bubble = show(element("div", "message assistant", message.content));
        const run = runOf.get(message.id);
        if (run) showReplyDetails(bubble, run.run_id, run.guardrail, run.citations);
      }
    }
    if (message.role === "tool") {
      const card = calls.get(message.tool_call_id);
      if (card) showToolResult(card, message.content, message.status === "error");
    }
  }
  for (const pending of Object.values(thread.interrupts || {})) showApproval(pending);
}

// --- Tool calls, approvals, feedback ---------------------------------------------

function showToolCall(call) {
  const card = show(element("div", "tool-call"));
  card.append(element("span", "label", "tool"));
  card.append(element("span", "call", `${call.name}(${JSON.stringify(call.args)})`));
  return card;
}

// Past this, a tool result shows its start; the whole text is on hover.
const RESULT_CHARS = 280;

function showToolResult(card, content, failed, passages) {
  // A search lists what it found; the passages' text is in the citations below.
  const text = passages && passages.length
    ? passages.map((p) => `[${p.key}] ${p.title || p.source}`).join(" · ")
    : content;
  const shown = text.length > RESULT_CHARS ? `${text.slice(0, RESULT_CHARS)}…` : text;
  const result = element("div", failed ? "result failed" : "result", `→ ${shown}`);
  if (shown !== text) result.title = text;
  card.classList.toggle("failed", Boolean(failed));
  card.append(result);
}

function showApproval(interrupts) {
  const box = show(element("div", "approval"));
  const requests = interrupts.flatMap((item) => (item.value && item.value.action_requests) || []);
  box.append(element("p", "", `Approve ${requests.map((r) => r.name).join(", ") || "this step"}?`));
  for (const decision of ["approve", "reject"]) {
    const button = element("button", "", decision === "approve" ? "Approve" : "Reject");
    button.type = "button";
    button.addEventListener("click", async () => {
      box.remove();
      setStatus("Resuming…");
      await api(`/threads/${state.threadId}/runs/wait`, {
        assistant_id: "agent",
        command: { resume: decision },
      });
      setStatus("");
      await openThread(state.threadId);
    });
    box.append(button);
  }
}

// What comes with a reply, live or when its thread is reloaded: the guardrail's
// finding, the feedback buttons (as given last, in this browser), the sources.
function showReplyDetails(bubble, runId, guardrail, citations) {
  if (guardrail && guardrail.reason) {
    const outcome = guardrail.blocked ? "blocked" : "flagged";
    show(element("div", "message notice", `Guardrail ${outcome}: ${guardrail.reason}`));
  }
  if (!bubble) return;
  showFeedback(bubble, runId);
  if (citations && citations.length) showCitations(bubble, citations);
}

function showCitations(bubble, citations) {
  // The passages the reply cites as [key]: where each came from, and its text on hover.
  const list = element("ol", "citations");
  for (const citation of citations) {
    const item = element("li", "", `[${citation.key}] ${citation.title || citation.source}`);
    item.title = citation.text;
    list.append(item);
  }
  bubble.after(list);
}

// Thumbs drawn as SVG: an emoji needs a font the machine may not have.
const THUMB = '<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">'
  + '<path fill="currentColor" d="M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3'
  + 'c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6C6.2 8 6 8.5 6 9v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5'
  + ' 1.8-1.2l3-7.1c.1-.2.2-.5.2-.7v-2z"/></svg>';

// The feedback given on each run, by run id: kept in the browser, so a reloaded
// thread shows it (the server's record is for the operator, not read back).
const GIVEN = "playground-feedback";

function showFeedback(bubble, runId) {
  const bar = element("div", "feedback");
  const given = JSON.parse(localStorage.getItem(GIVEN) || "{}");
  const done = (button) => {
    for (const other of bar.querySelectorAll("button")) other.disabled = true;
    button.setAttribute("aria-pressed", "true");
    bar.append(element("span", "muted thanks", "Thanks for the feedback"));
  };
  for (const score of [1, 0]) {
    const button = element("button", score ? "good" : "bad");
    button.innerHTML = THUMB;
    button.type = "button";
    button.title = score ? "Good answer" : "Bad answer";
    button.setAttribute("aria-label", score ? "Good answer" : "Bad answer");
    button.addEventListener("click", async () => {
      await api("/feedback", { run_id: runId, thread_id: state.threadId, score });
      const now = JSON.parse(localStorage.getItem(GIVEN) || "{}");
      localStorage.setItem(GIVEN, JSON.stringify({ ...now, [runId]: score }));
      done(button);
    });
    bar.append(button);
  }
  bubble.after(bar);
  if (runId in given) done(bar.querySelector(given[runId] ? ".good" : ".bad"));
}

// --- Sending a message ----------------------------------------------------------

// Server-Sent Events over fetch (EventSource cannot POST): yields {event, data}.
async function* readEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

async function send(text) {
  show(element("div", "message user", text));
  const response = await fetch("/stream", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: text, thread_id: state.threadId }),
  });
  if (!response.ok) {
    const body = await response.json();
    show(element("div", "message error", body.error ? body.error.message : response.statusText));
    return;
  }
  const cards = new Map();
  let bubble = null;
  for await (const { event, data } of readEvents(response)) {
    if (event === "metadata" && data.thread_id !== state.threadId) {
      selectThread(data.thread_id, titleOf(text));
      loadThreads();
    } else if (event === "tool_call") {
      bubble = null;
      cards.set(data.id, showToolCall(data));
    } else if (event === "tool_result") {
      const card = cards.get(data.tool_call_id);
      if (card) showToolResult(card, data.content, data.is_error, data.passages);
    } else if (event === "token") {
      if (!bubble) bubble = show(element("div", "message assistant streaming", ""));
      bubble.textContent += data.content;
      messages.scrollTop = messages.scrollHeight;
    } else if (event === "final") {
      // A reply that was not streamed (the guardrail's refusal) arrives whole.
      if (!bubble && data.reply) bubble = show(element("div", "message assistant", data.reply));
      if (bubble) bubble.classList.remove("streaming");
      showReplyDetails(bubble, data.run_id, data.guardrail, data.citations);
      if (data.interrupts.length) showApproval(data.interrupts);
    } else if (event === "error") {
      show(element("div", "message error", data.message));
    }
  }
}

$("#composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("#message").value.trim();
  if (!text) return;
  $("#message").value = "";
  $("#send").disabled = true;
  setStatus("Thinking…");
  try {
    await send(text);
    setStatus("");
  } catch (error) {
    setStatus(`Error: ${error.message}`);
  } finally {
    $("#send").disabled = false;
    $("#message").focus();
  }
});

$("#message").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("#composer").requestSubmit();
  }
});

$("#new-thread").addEventListener("click", () => {
  closePanel();
  openThread(null);
});
// On a narrow screen the sidebar is a panel this button opens and closes.
$("#toggle-threads").addEventListener("click", () => {
  document.body.classList.toggle("threads-open");
});

// The tools the agent can call; an MCP server's carry its name.
async function loadTools() {
  const list = $("#tools");
  for (const tool of await api("/tools")) {
    const item = element("li", "tool", tool.name);
    item.title = tool.description;
    if (tool.server) item.append(element("span", "muted", ` · ${tool.server}`));
    list.append(item);
  }
}

loadThreads().catch((error) => setStatus(`Could not list threads: ${error.message}`));
loadTools().catch((error) => setStatus(`Could not list tools: ${error.message}`));
openThread(state.threadId).catch((error) => setStatus(`Could not open the thread: ${error.message}`));
