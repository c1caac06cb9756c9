// A client script as a LangGraph user writes it, unchanged for this server:
// create a thread, stream a run, wait for another, read state and history.
// Usage: node client_script.mjs <server URL> <first message> <second message>
// (the messages come from the test, so the script knows nothing of any agent).
import { Client } from "@langchain/langgraph-sdk";

const [apiUrl, firstMessage, secondMessage] = process.argv.slice(2);
const client = new Client({ apiUrl });
const thread = await client.threads.create();
const ask = (content) => ({ messages: [{ role: "user", content }] });

const events = [];
let streamed = "";
for await (const chunk of client.runs.stream(thread.thread_id, "agent", {
  input: ask(firstMessage),
  streamMode: ["values", "messages-tuple", "updates"],
})) {
  events.push(chunk.event);
  if (chunk.event === "messages" && chunk.data[0].type === "AIMessageChunk") {
    streamed += chunk.data[0].content;
  }
}
const final = await client.runs.wait(thread.thread_id, "agent", {
  input: ask(secondMessage),
});
const state = await client.threads.getState(thread.thread_id);
const history = await client.threads.getHistory(thread.thread_id);
const found = await client.threads.search({ metadata: { graph_id: "agent" } });

console.log(
  JSON.stringify({
    events: [...new Set(events)],
    streamed,
    reply: final.messages.at(-1).content,
    next: state.next,
    messages: state.values.messages.length,
    history: history.length,
    searched: found.map((t) => t.thread_id).includes(thread.thread_id),
  }),
);
