import {test} from "node:test";
import assert from "node:assert/strict";
import {contentText} from "./chatContent.js";
import {extractChat} from "./chatMessages.js";

/** [role, content, toolCallId, "name(id)" of each tool call] per message, for compact comparisons. */
function compact(value: unknown, side: "input" | "output" = "input") {
  const messages = extractChat(value, side);
  return (
    messages?.map((m) => [m.role, m.content, m.toolCallId, m.toolCalls.map((c) => `${c.name}(${c.id})`).join(",")]) ??
    null
  );
}

test("chat extraction joins text parts, leaves other parts out of the text, and stores untyped data as JSON", () => {
  assert.equal(contentText([{type: "text", text: "a"}, {type: "input_text", text: "b"}, "c"]), "abc");
  assert.equal(contentText([{type: "text", content: "GenAI part"}]), "GenAI part");
  assert.equal(
    contentText([
      {type: "reasoning", content: "hmm"},
      {type: "text", content: "answer"}
    ]),
    "answer"
  );
  const image = [
    {type: "text", text: "What is this?"},
    {type: "image_url", image_url: {url: "https://x/y.png"}}
  ];
  assert.equal(contentText(image), "What is this?");
  assert.equal(contentText([{type: "refusal", refusal: "I can't help with that."}]), "I can't help with that.");
  // A tool's result rows are data, not parts: kept whole.
  const rows = [{url: "https://example.com", title: "Example"}];
  assert.equal(contentText(rows), JSON.stringify(rows));
  assert.equal(contentText({a: 1}), '{"a":1}');
  assert.equal(contentText(""), "");
  assert.equal(contentText(null), null);
});

test("chat extraction reads Anthropic blocks: tool_use as calls, tool_result as tool messages, thinking left out", () => {
  const request = {
    model: "claude-sonnet-4",
    system: "Be brief.",
    tools: [{name: "weather", input_schema: {type: "object"}}],
    messages: [
      {role: "user", content: "Weather in Oslo?"},
      {
        role: "assistant",
        content: [
          {type: "thinking", thinking: "The user wants weather."},
          {type: "text", text: "Let me check."},
          {type: "text", text: "One moment."},
          {type: "tool_use", id: "toolu_1", name: "weather", input: {city: "Oslo"}}
        ]
      },
      {role: "user", content: [{type: "tool_result", tool_use_id: "toolu_1", content: [{type: "text", text: "Sunny"}]}]}
    ]
  };
  assert.deepEqual(compact(request), [
    ["user", "Weather in Oslo?", null, ""],
    ["assistant", "Let me check.\nOne moment.", null, "weather(toolu_1)"],
    ["tool", "Sunny", "toolu_1", ""]
  ]);
});

test("chat extraction reads Gemini requests and responses, keeping the model role and function responses as text", () => {
  const request = {
    model: "gemini-2.0-flash",
    config: {system_instruction: "Greet."},
    contents: [
      {role: "user", parts: [{text: "hi"}]},
      {role: "model", parts: [{functionCall: {name: "say_hello", args: {}}}]},
      {role: "user", parts: [{function_response: {name: "say_hello", response: {greeting: "Hello"}}}]}
    ]
  };
  assert.deepEqual(compact(request), [
    ["system", "Greet.", null, ""],
    ["user", "hi", null, ""],
    ["model", null, null, "say_hello(null)"],
    ["user", '{"greeting":"Hello"}', null, ""]
  ]);
  assert.deepEqual(
    compact(
      {candidates: [{content: {role: "model", parts: [{text: "Hel"}, {text: "lo"}, {text: "plan", thought: true}]}}]},
      "output"
    ),
    [["model", "Hello", null, ""]]
  );
  assert.deepEqual(compact({model: "gemini", contents: "What is Langfuse?"}), [
    ["user", "What is Langfuse?", null, ""]
  ]);
});

test("chat extraction reads OpenAI Responses items and completion choices", () => {
  assert.deepEqual(
    compact([
      {role: "user", content: "Weather?"},
      {type: "reasoning", summary: []},
      {type: "function_call", call_id: "c1", name: "weather", arguments: "{}"},
      {type: "function_call_output", call_id: "c1", output: "Sunny"}
    ]),
    [
      ["user", "Weather?", null, ""],
      ["assistant", null, null, "weather(c1)"],
      ["tool", "Sunny", "c1", ""]
    ]
  );
  assert.deepEqual(
    compact(
      {
        object: "response",
        output: [{type: "message", role: "assistant", content: [{type: "output_text", text: "Sunny."}]}]
      },
      "output"
    ),
    [["assistant", "Sunny.", null, ""]]
  );
  assert.deepEqual(
    compact(
      {
        choices: [
          {message: {content: null, tool_calls: [{id: "c2", type: "function", function: {name: "f", arguments: "{}"}}]}}
        ]
      },
      "output"
    ),
    [["assistant", null, null, "f(c2)"]]
  );
});

test("chat extraction reads LangChain messages in their plain, data-wrapped and constructor forms", () => {
  assert.deepEqual(
    compact({
      messages: [
        {type: "human", content: "hi", name: null},
        {type: "ai", data: {content: "", tool_calls: [{name: "search", args: {q: "x"}, id: "t1"}]}},
        {
          lc: 1,
          type: "constructor",
          id: ["langchain_core", "messages", "ToolMessage"],
          kwargs: {content: "found", tool_call_id: "t1"}
        },
        {
          type: "ai",
          content: "",
          additional_kwargs: {tool_calls: [{id: "t2", type: "function", function: {name: "more", arguments: "{}"}}]}
        }
      ]
    }),
    [
      ["user", "hi", null, ""],
      ["assistant", "", null, "search(t1)"],
      ["tool", "found", "t1", ""],
      ["assistant", "", null, "more(t2)"]
    ]
  );
});

test("chat extraction reads a Vercel AI SDK tool-call list and tool-result parts", () => {
  assert.deepEqual(compact([{toolCallId: "v1", toolName: "getWeather", input: '{"city":"SF"}'}], "output"), [
    ["assistant", null, null, "getWeather(v1)"]
  ]);
  assert.deepEqual(
    compact([
      {
        role: "tool",
        content: [
          {type: "tool-result", toolCallId: "v1", toolName: "getWeather", output: {type: "json", value: {t: 64}}}
        ]
      }
    ]),
    [["tool", '{"t":64}', "v1", ""]]
  );
});

test("chat extraction unwraps GenAI choice events that report a message", () => {
  assert.deepEqual(
    compact([
      {role: "user", content: "hi", "event.name": "gen_ai.user.message"},
      {index: 0, message: {role: "assistant", content: "hello"}, finish_reason: "stop", "event.name": "gen_ai.choice"}
    ]),
    [
      ["user", "hi", null, ""],
      ["assistant", "hello", null, ""]
    ]
  );
});

test("chat extraction skips LangGraph tool definitions and list entries that are not objects", () => {
  assert.deepEqual(
    compact([
      {role: "user", content: "hi"},
      {role: "tool", content: {type: "function", function: {name: "search", parameters: {}}}},
      "role='system' content='a Python repr'"
    ]),
    [["user", "hi", null, ""]]
  );
});

test("chat extraction keeps an output object that is not a message as one message holding its JSON", () => {
  assert.deepEqual(compact({location: "SF", temperature: 64}, "output"), [
    [null, '{"location":"SF","temperature":64}', null, ""]
  ]);
  assert.deepEqual(compact({}, "output"), []);
});

test("chat extraction finds no messages in text, tool arguments, or objects whose message fields have the wrong types", () => {
  assert.equal(compact("Hello World!", "output"), null);
  assert.equal(compact({city: "Tokyo"}, "input"), null);
  assert.equal(compact({description: "task", name: null}, "output"), null);
  assert.equal(compact({content: "x", tools: [{tool_name: "search"}]}, "output"), null);
  assert.equal(compact({messages: [{role: "user", content: "x"}], tools: [{tool_call_id: "c1"}]}, "output"), null);
  assert.equal(compact({prompt: "Write a haiku"}, "input"), null);
});

test("chat extraction keeps the text of a message with reasoning or unknown parts and lists their types, never their payload", () => {
  const secret = "gAAAAABo-ENCRYPTED-REASONING";
  const messages = extractChat(
    [
      {
        role: "user",
        content: [
          {type: "text", text: "Plan the trip."},
          {type: "image_url", image_url: {url: "data:image/png;base64,AAAA"}}
        ]
      },
      {
        role: "assistant",
        content: [
          {type: "reasoning", encrypted_content: secret, summary: []},
          {type: "redacted_thinking", data: secret},
          {type: "text", text: "Here is the plan."},
          {type: "vendor_annotation", payload: secret}
        ]
      },
      {role: "assistant", content: [{type: "redacted_thinking", data: secret}]}
    ],
    "input"
  )!;
  assert.deepEqual(
    messages.map((m) => [m.role, m.content, m.omitted ?? []]),
    [
      ["user", "Plan the trip.", ["image_url"]],
      ["assistant", "Here is the plan.", ["reasoning", "redacted_thinking", "vendor_annotation"]],
      // A message of nothing but left-out parts is still a message, with no text.
      ["assistant", null, ["redacted_thinking"]]
    ]
  );
  assert.ok(!JSON.stringify(messages.map((m) => m.content)).includes(secret));
});
