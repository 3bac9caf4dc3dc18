// capture.mjs records the OpenTelemetry spans (and GenAI log records) that real npm LLM
// instrumentations emit for an OpenAI chat completion, against a fake OpenAI-compatible
// server started in-process on 127.0.0.1. Nothing leaves the machine. Scenarios: "chat" (one
// answer), "tool_call" (the model calls a tool) and "stream" (the chat conversation streamed:
// stream: true with stream_options.include_usage, or the AI SDK's streamText, read to the end;
// the server answers with OpenAI's SSE chat.completion.chunk stream and data: [DONE]).
//
//   node capture.mjs <outdir>            run every dialect, each in its own process
//   node capture.mjs <outdir> <dialect>  run one dialect (what the parent spawns)
//
// Each dialect writes <outdir>/<dialect>.json:
//
//   {"dialect": "...", "instrumentation": {"name": "...", "version": "..."},
//    "packages": {"openai": "6.30.1", ...},
//    "scenarios": [{"name": "chat", "spans": [...], "logs": [...]}, ...]}
//
// A span is {traceId, spanId, parentSpanId, name, kind, startTimeUnixNano, endTimeUnixNano,
// status: {code, message}, attributes, events: [{name, timeUnixNano, attributes}], resource}
// with kind and status code as OpenTelemetry JS numbers them (kind INTERNAL 0, SERVER 1,
// CLIENT 2, PRODUCER 3, CONSUMER 4; status UNSET 0, OK 1, ERROR 2) and attribute values as
// JavaScript gives them. A log is {traceId, spanId, eventName, timeUnixNano, attributes, body}.
// Regenerate with scripts/capture-npm.sh; do not edit the output by hand.

import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// The fake provider's fixed answers.
export const MODEL_REQUEST = 'gpt-4o-mini';
export const MODEL_RESPONSE = 'gpt-4o-mini-2024-07-18';
export const SYSTEM_TEXT = 'You are a helpful support agent for an online shoe store.';
export const USER_TEXT = 'What is your return policy?';
export const ANSWER_TEXT = 'You can return unworn shoes within 30 days.';
export const TOOL_USER_TEXT = 'Where is my order 1234?';
export const TOOL_NAME = 'get_order_status';
export const TOOL_ARGS = '{"order_id":"1234"}';
// The "stream" scenario's content deltas: together they spell ANSWER_TEXT.
export const ANSWER_DELTAS = ['You', ' can', ' return', ' unworn', ' shoes', ' within', ' 30', ' days', '.'];
if (ANSWER_DELTAS.join('') !== ANSWER_TEXT) throw new Error('ANSWER_DELTAS do not spell ANSWER_TEXT');

const DIALECTS = {
  openllmetry: {
    pkg: '@traceloop/instrumentation-openai',
    env: { TRACELOOP_TRACE_CONTENT: 'true' },
    make: () => {
      const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
      return new OpenAIInstrumentation({ traceContent: true });
    },
  },
  openinference: {
    pkg: '@arizeai/openinference-instrumentation-openai',
    env: {},
    make: () => {
      const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai');
      return new OpenAIInstrumentation();
    },
  },
  genai: {
    pkg: '@opentelemetry/instrumentation-openai',
    env: { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' },
    make: () => {
      const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');
      return new OpenAIInstrumentation({ captureMessageContent: true });
    },
  },
  vercel: {
    pkg: 'ai',
    env: {},
    make: null, // the AI SDK traces itself with experimental_telemetry
  },
};

function pkgVersion(name) {
  return JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
}

// ---- fake OpenAI-compatible server ----

function completion(body) {
  const base = {
    id: 'chatcmpl-fake0001',
    object: 'chat.completion',
    created: 1764000000,
    model: MODEL_RESPONSE,
    system_fingerprint: 'fp_fake',
  };
  const wantsTool = Array.isArray(body.tools) && body.tools.length > 0 &&
    !body.messages.some((m) => m.role === 'tool');
  if (wantsTool) {
    return {
      ...base,
      id: 'chatcmpl-fake0002',
      choices: [{
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_fake0001', type: 'function', function: { name: TOOL_NAME, arguments: TOOL_ARGS } }],
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'tool_calls',
      }],
      usage: { prompt_tokens: 57, completion_tokens: 17, total_tokens: 74 },
    };
  }
  return {
    ...base,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: ANSWER_TEXT, refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    }],
    usage: { prompt_tokens: 42, completion_tokens: 11, total_tokens: 53 },
  };
}

// streamChunks is the "stream" scenario's answer as OpenAI streams it: chat.completion.chunk
// objects, the first carrying the role, then one content delta each, then an empty delta
// with finish_reason "stop", then (with stream_options.include_usage) a chunk with no
// choices and the usage; before it every chunk has "usage": null, as OpenAI sends them.
function streamChunks(body) {
  const withUsage = !!(body.stream_options && body.stream_options.include_usage);
  const base = {
    id: 'chatcmpl-fake0003',
    object: 'chat.completion.chunk',
    created: 1764000000,
    model: MODEL_RESPONSE,
    system_fingerprint: 'fp_fake',
    service_tier: 'default',
  };
  const chunk = (delta, finish) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(withUsage ? { usage: null } : {}),
  });
  const chunks = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const d of ANSWER_DELTAS) chunks.push(chunk({ content: d }, null));
  chunks.push(chunk({}, 'stop'));
  if (withUsage) {
    chunks.push({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: 42,
        completion_tokens: 11,
        total_tokens: 53,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      },
    });
  }
  return chunks;
}

async function writeStream(res, body) {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-request-id': 'req_fake',
  });
  for (const c of streamChunks(body)) {
    res.write(`data: ${JSON.stringify(c)}\n\n`);
    await new Promise((r) => setTimeout(r, 2)); // separate network reads, as a real stream
  }
  res.end('data: [DONE]\n\n');
}

function startServer() {
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake server: no route ${req.method} ${req.url}` } }));
        return;
      }
      const body = JSON.parse(data || '{}');
      if (body.stream) {
        if (Array.isArray(body.tools) && body.tools.length > 0) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'fake server: streamed tool calls not supported' } }));
          return;
        }
        writeStream(res, body).catch((err) => res.destroy(err));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
      res.end(JSON.stringify(completion(body)));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- conversion of ended spans and log records ----

function nanos(hr) {
  return (BigInt(hr[0]) * 1000000000n + BigInt(hr[1])).toString();
}

function plainAttrs(a) {
  const out = {};
  for (const [k, v] of Object.entries(a || {})) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function spanJSON(s) {
  const sc = s.spanContext();
  const parent = s.parentSpanContext ? s.parentSpanContext.spanId : (s.parentSpanId || '');
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    parentSpanId: parent || '',
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nanos(s.startTime),
    endTimeUnixNano: nanos(s.endTime),
    status: { code: s.status.code, message: s.status.message || '' },
    attributes: plainAttrs(s.attributes),
    events: (s.events || []).map((e) => ({
      name: e.name,
      timeUnixNano: nanos(e.time),
      attributes: plainAttrs(e.attributes),
    })),
    resource: plainAttrs(s.resource && s.resource.attributes),
    instrumentationScope: s.instrumentationScope
      ? { name: s.instrumentationScope.name, version: s.instrumentationScope.version || '' }
      : undefined,
  };
}

function logJSON(l) {
  return {
    traceId: l.spanContext ? l.spanContext.traceId : '',
    spanId: l.spanContext ? l.spanContext.spanId : '',
    eventName: l.eventName || '',
    timeUnixNano: nanos(l.hrTime),
    attributes: plainAttrs(l.attributes),
    body: l.body === undefined ? null : l.body,
  };
}

// ---- one dialect, in this process ----

async function runDialect(outdir, name) {
  const d = DIALECTS[name];
  const api = require('@opentelemetry/api');
  const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = require('@opentelemetry/sdk-trace-base');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const { LoggerProvider, SimpleLogRecordProcessor, InMemoryLogRecordExporter } = require('@opentelemetry/sdk-logs');
  const apiLogs = require('@opentelemetry/api-logs');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation');

  const resource = resourceFromAttributes({ 'service.name': 'npmcapture' });
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(spans)] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(provider);
  const logs = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
  apiLogs.logs.setGlobalLoggerProvider(loggerProvider);

  if (d.make) {
    registerInstrumentations({ instrumentations: [d.make()], tracerProvider: provider, loggerProvider });
  }

  const server = await startServer();
  const baseURL = `http://127.0.0.1:${server.address().port}/v1`;
  const tracer = api.trace.getTracer('npmcapture-app');

  const tools = [{
    type: 'function',
    function: {
      name: TOOL_NAME,
      description: 'Look up the status of an order.',
      parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
    },
  }];

  let call;
  if (name === 'vercel') {
    const { generateText, streamText, tool, jsonSchema } = require('ai');
    const { createOpenAI } = require('@ai-sdk/openai');
    const openai = createOpenAI({ baseURL, apiKey: 'sk-fake' });
    call = async (scenario) => {
      if (scenario === 'stream') {
        // the SDK's chat model asks with stream_options.include_usage itself
        const result = streamText({
          model: openai.chat(MODEL_REQUEST),
          system: SYSTEM_TEXT,
          prompt: USER_TEXT,
          temperature: 0.2,
          experimental_telemetry: { isEnabled: true, functionId: 'support-chat' },
          onError: ({ error }) => { streamErr = error; },
        });
        let streamErr;
        let text = '';
        for await (const part of result.textStream) text += part; // consumed to the end
        if (streamErr) throw streamErr;
        if (text !== ANSWER_TEXT) throw new Error(`streamText gave ${JSON.stringify(text)}`);
      } else if (scenario === 'chat') {
        await generateText({
          model: openai.chat(MODEL_REQUEST),
          system: SYSTEM_TEXT,
          prompt: USER_TEXT,
          temperature: 0.2,
          experimental_telemetry: { isEnabled: true, functionId: 'support-chat' },
        });
      } else {
        await generateText({
          model: openai.chat(MODEL_REQUEST),
          system: SYSTEM_TEXT,
          prompt: TOOL_USER_TEXT,
          tools: {
            [TOOL_NAME]: tool({
              description: 'Look up the status of an order.',
              inputSchema: jsonSchema(tools[0].function.parameters),
            }),
          },
          experimental_telemetry: { isEnabled: true, functionId: 'support-chat' },
        });
      }
    };
  } else {
    const OpenAI = require('openai').default || require('openai');
    const client = new OpenAI({ baseURL, apiKey: 'sk-fake' });
    call = async (scenario) => {
      const req = {
        model: MODEL_REQUEST,
        messages: [
          { role: 'system', content: SYSTEM_TEXT },
          { role: 'user', content: scenario === 'tool_call' ? TOOL_USER_TEXT : USER_TEXT },
        ],
        temperature: 0.2,
      };
      if (scenario === 'tool_call') req.tools = tools;
      if (scenario !== 'stream') {
        await client.chat.completions.create(req);
        return;
      }
      req.stream = true;
      req.stream_options = { include_usage: true };
      const stream = await client.chat.completions.create(req);
      let text = '';
      for await (const chunk of stream) {
        text += (chunk.choices[0] && chunk.choices[0].delta && chunk.choices[0].delta.content) || '';
      }
      if (text !== ANSWER_TEXT) throw new Error(`stream gave ${JSON.stringify(text)}`);
    };
  }

  const scenarios = [];
  for (const scenario of ['chat', 'tool_call', 'stream']) {
    spans.reset();
    logs.reset();
    await tracer.startActiveSpan('POST /chat', { kind: api.SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/chat' } }, async (root) => {
      try {
        await call(scenario);
      } catch (err) {
        root.recordException(err);
        root.setStatus({ code: api.SpanStatusCode.ERROR, message: String(err && err.message) });
        console.error(`${name}/${scenario}: ${err && err.stack}`);
        process.exitCode = 1;
      } finally {
        root.end();
      }
    });
    // Let spans that end after the caller's last read end before collecting: OpenInference
    // ends its stream span from a tee'd copy of the stream, after the app's root span.
    await new Promise((r) => setTimeout(r, 50));
    await provider.forceFlush();
    await loggerProvider.forceFlush();
    scenarios.push({
      name: scenario,
      spans: spans.getFinishedSpans().map(spanJSON),
      logs: logs.getFinishedLogRecords().map(logJSON),
    });
  }
  server.close();

  const packages = {};
  for (const p of ['openai', '@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-logs',
    '@opentelemetry/instrumentation', d.pkg, ...(name === 'vercel' ? ['@ai-sdk/openai'] : [])]) {
    packages[p] = pkgVersion(p);
  }
  const out = {
    dialect: name,
    instrumentation: { name: d.pkg, version: pkgVersion(d.pkg) },
    packages,
    node: process.version,
    scenarios,
  };
  mkdirSync(outdir, { recursive: true });
  const file = join(outdir, `${name}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  const counts = scenarios.map((s) => `${s.name}: ${s.spans.length} spans, ${s.logs.length} logs`).join('; ');
  console.log(`wrote ${file} (${d.pkg}@${pkgVersion(d.pkg)}; ${counts})`);
}

// ---- entry ----

const [outdir, only] = process.argv.slice(2);
if (!outdir) {
  console.error('usage: node capture.mjs <outdir> [dialect]');
  process.exit(2);
}
if (only) {
  if (!DIALECTS[only]) {
    console.error(`unknown dialect ${only}; have ${Object.keys(DIALECTS).join(', ')}`);
    process.exit(2);
  }
  await runDialect(outdir, only);
} else {
  let failed = 0;
  for (const name of Object.keys(DIALECTS)) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), outdir, name], {
      stdio: 'inherit',
      env: { ...process.env, ...DIALECTS[name].env },
    });
    if (r.status !== 0) {
      console.error(`dialect ${name} failed (exit ${r.status})`);
      failed++;
    }
  }
  process.exit(failed ? 1 : 0);
}
