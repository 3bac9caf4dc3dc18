// Package traceapi is a local implementation of the NeuralTrust v1 trace API, and of the other
// destinations' contracts (see below), for development and tests. It checks every byte a client sends against the API's contract, as the vendor's
// Python SDK (up to 1.4.x) uses it, and keeps the records exactly as received, so that a test
// can post through a real HTTP round trip and then read back what arrived.
//
// # Endpoints
//
//	POST   /v1/trace     one record per request → 200 {"status":200,"trace_id":"..."}
//	GET    /v1/records   stored records, as received, in arrival order (JSON array)
//	DELETE /v1/records   clears the store and the counters → 200 {"status":200}
//	GET    /v1/stats     {"received":N,"stored":N,"replaced":N,"rejected":N,"duplicates":N}
//	GET    /healthz      200 "ok"
//	GET    /             the web viewer (see below)
//
// Any other path is a 404.
//
// GET /v1/records takes the optional query parameters conversation_id, interaction_id, task,
// trace_id, session_id, user (the user id, else email, else phone) and since and until (the
// record's start, else its arrival; RFC 3339 or epoch milliseconds; since inclusive, until
// exclusive), combined with AND. Any other parameter, a repeated one or an unknown task is a
// 400, so that a typo cannot silently return every record. limit=N (1 to 10,000) returns
// one page of at most N; when more remain, the answer carries the next page's cursor in
// X-Next-Cursor and a Link rel="next" (the same query with cursor=). Without limit every
// match is returned.
//
// # The viewer
//
// GET / serves a web page (its script and style below /ui/, embedded in the binary, no CDN)
// that lists conversations, newest first, with their user, session, interaction count,
// tokens and errors; opens a conversation's interactions and an interaction's tree of steps
// (task, name, model, tokens, latency on a timeline, inputs and outputs laid out as chat
// messages or documents, errors highlighted); filters; and refreshes as records arrive. It
// reads these JSON endpoints, which take the same authentication as GET /v1/records:
//
//	GET /v1/view/conversations  ?contract= user= session_id= q= since= until= errors= limit= cursor=
//	                            → {conversations: [ConversationSummary], next_cursor}
//	GET /v1/view/interactions   ?conversation_id= (required) contract= limit= cursor=
//	                            → {interactions: [InteractionSummary], next_cursor}
//	GET /v1/view/interaction    ?id= (required) conversation_id= contract= limit= cursor=
//	                            → {interaction_id, steps: [Step], next_cursor}
//	GET /v1/view/revision       → {revision, token_required}: changes with every write
//
// Every contract's items are listed: conversations and interactions come from the index
// fields, token counts and errors from the Summary each item gets on arrival. A store that
// implements ViewStore answers the lists itself (package sqlitestore, with indexes);
// otherwise the server computes them from List.
//
// Inputs and outputs are untrusted text: the page puts them in text nodes only, and is
// served with a Content-Security-Policy that allows only its own script, style and API
// (no inline script), with X-Frame-Options DENY. On a loopback listener, reads (the page,
// GET /v1/…) must name the host by an IP address or as localhost, so that a site whose
// DNS name was re-pointed at 127.0.0.1 cannot read the records through a browser.
//
// Every error is JSON, {"status":N,"error":"..."}, and a 400's message starts with the name of
// the offending field, e.g. "conversation_id: required field is missing",
// `task: unknown task "foo"` or "latency: must be an integer, got string".
//
// # Authentication
//
// When [Config.Token] is set, every /v1/ request must carry it in the "token" header (the
// vendor's scheme: no "Bearer"), compared in constant time; otherwise the answer is 401
// {"status":401,"error":"invalid or missing token"}. /healthz is always open. With no token
// configured, any token (or none) is accepted. Neither the configured token nor the header's
// value is ever logged or echoed.
//
// The viewer is protected by the same token. A browser without a session gets a login page
// (401) at /; posting the token there (POST /login), or opening /?token=T once, sets a
// session cookie and redirects to /, so that the token leaves the address bar. The cookie
// (tracebridge_session_PORT) is HttpOnly and SameSite=Strict, lasts for the browser's
// session, holds an HMAC of the token rather than the token, and opens the reads only (GET
// and HEAD of /, /v1/records, /v1/items, /v1/stats, /v1/view/…), never ingestion or DELETE.
// POST /logout removes it. The login form is refused when posted from another site.
//
// # Validation of POST /v1/trace
//
// The checks run in this order, the first failure deciding the answer: method (405 with an
// Allow header), token (401), Content-Type must be application/json, parameters such as
// charset allowed (415), body size at most [Config.MaxBodyBytes], 5 MiB by default (413), then
// the body itself (400):
//
//   - it must be valid UTF-8 and exactly one JSON object, with no repeated key;
//   - conversation_id, interaction_id, type and task are required non-empty strings; type must
//     be "traces" and task one of [record.Tasks];
//   - trace_id, parent_id, session_id, channel_id, input, output, feedback_tag,
//     feedback_text and custom are strings or null; feedback_tag, when not null, is one of
//     positive, negative, neutral; trace_id, when not null, is not empty;
//   - start_timestamp, end_timestamp and latency are null or JSON integers (no fraction, no
//     exponent) that fit in 64 bits and are not negative;
//   - user is null or an object whose values are strings;
//   - metadata is null or an object; its values may be any JSON value;
//   - any other top-level field is rejected with a 400 naming it.
//
// Null is accepted for every optional field, because the vendor SDK sends null for each field
// it does not set, and a missing optional field is treated like null. Records are accepted in
// any order: a child may arrive before its parent, and parent_id is not checked against the
// store. When trace_id is null or missing the server assigns a random UUID-v4-style id,
// returns it, and indexes the record under it; the stored bytes are still the bytes received.
//
// # Duplicates
//
// A record whose trace_id is already stored is a duplicate. [Config.OnDuplicate] decides:
//
//   - [DuplicateReplace] (the default): the new record replaces the stored one, keeping the
//     first one's place in the arrival order;
//   - [DuplicateAppend]: the new record is stored as well, after the others;
//   - [DuplicateReject]: 409 {"status":409,"error":"trace_id: record \"...\" already exists"},
//     and the store is unchanged.
//
// Every duplicate counts in "duplicates" whatever the policy; "replaced" counts replacements.
// "received" counts the valid records posted (stored or refused as duplicates), "rejected" the
// POSTs refused for their body or headers (400, 413, 415; a 401 or 405 is not counted), and
// "stored" is the number of records in the store now.
//
// # Choices where the real API's behaviour is unpublished
//
// The vendor publishes neither its duplicate handling, nor its size limits, nor its treatment
// of unknown fields, nor the value types it allows inside metadata. This server therefore:
// makes the duplicate policy configurable; limits the whole body (5 MiB by default) but not
// single fields; rejects unknown fields, so that tests catch a field the exporter invented
// (the real API may well ignore them); rejects repeated keys, invalid UTF-8, empty required
// strings and negative integers, for the same reason; and accepts any JSON value inside
// metadata (the SDK's models use strings, and extra keys are allowed).
//
// # The other destinations' contracts
//
// The same server implements the contracts of tracebridge's other destinations
// (CONTRACTS.md §2–4), so that each is tested over HTTP. They authenticate with
// "Authorization: Bearer <token>" (the v1 "token" header does not open them, nor Bearer
// the v1 endpoint; reads take either), share the Content-Type, size and fault-injection
// checks of POST /v1/trace, reject unknown and repeated keys, and answer a 400 whose message
// starts with the path of the offending value ("traces[0].spans[2].kind: unknown kind").
//
//	POST  /v1/traces/batch   NeuralTrust batch: a JSON array of {resource, traces} → 200
//	                         {"status":200,"traces":N,"spans":N}. Times are non-negative
//	                         numbers (ended_at not before started_at), attributes strings,
//	                         span kinds llm, tool, workflow, internal, agent, guardrail,
//	                         handoff, statuses ok, error, unset.
//	POST  /v2/logs/trace     Adaline: {projectId, trace, spans} → 200 {traceId, spanIds}.
//	POST  /v2/logs/span      Adaline: {projectId, span{…, traceId | traceReferenceId}} →
//	                         {spanId}; 404 "Log trace not found" for an unknown trace.
//	PATCH /v2/logs/trace     Adaline: {projectId, traceId | referenceId, logTrace{status,
//	                         endedAt, attributes[{operation:"create",key,value}],
//	                         tags[{operation:"create",tag}]}} → 200; 404 for an unknown trace.
//	POST  …/v2/projects/{p}/sessions/{s}/traces/id/{t}   Freeplay trace → 201
//	PATCH …/v2/projects/{p}/sessions/{s}/traces/id/{t}   Freeplay trace update → 200
//	POST  …/v2/projects/{p}/sessions/{s}/completions     Freeplay completion → 201 {completion_id}
//	POST  …/v2/projects/{p}/trace-feedback/id/{t}        Freeplay trace feedback → 201
//
// Freeplay's paths are served below /api (its own base, https://app.freeplay.ai/api) and
// below the root; every id in them must be a UUID (400 naming path.project_id, …). Adaline
// checks projectId (20–80 characters), referenceId and parentReferenceId (1–128), integer
// epoch-millisecond times with startedAt before endedAt ("startedAt must be before
// endedAt"), trace statuses (success, failure, aborted, cancelled, pending, unknown; spans
// the same without pending), content types (Model and ModelStream need provider and model)
// and that content input and output are valid JSON text. Freeplay checks ISO-8601 trace
// times, numeric completion times, kind tool or agent, eval_results of booleans and
// numbers, custom_metadata and feedback of scalars, messages with a role.
//
// Storage: every contract's items land in the one Store as StoredRecords with Contract,
// Kind (trace, span, trace_update, completion, trace_feedback) and Project set, their index
// fields read from the contract: a batch trace is indexed by trace_id (interaction) and
// group_id (conversation), its spans by id and parent_id; an Adaline trace by referenceId
// (interaction) and sessionId, its spans by referenceId and parentReferenceId; Freeplay
// items by their path ids, the interaction from custom_metadata.interaction_id, else the
// parent's. The task is the "task" attribute (or metadata) when it names one, else read
// from the kind or content type. Raw is the item as received: a batch trace without its
// spans (stored as items of their own), one Adaline trace or span, a Freeplay body.
// GET /v1/records serves the v1 records unless contract= names another contract (or all);
// GET /v1/items lists items of every contract with their index fields (Item).
//
// Duplicates: Adaline refuses any referenceId already stored, trace or span, with 409 "Log
// trace (or span) already exists with referenceId …", whatever OnDuplicate says (its
// contract says so); batch traces and spans and Freeplay traces, completions and feedback
// follow OnDuplicate (a batch trace re-sent with workflow_name null — its root not in the
// request — only adds spans); updates (Adaline and Freeplay PATCH) are appended, each kept.
// Where the vendors do not publish a behaviour, this server chooses and says so: Freeplay
// updates and feedback are accepted for a trace not recorded yet (requests arrive in any
// order), Adaline spans may name a parent not stored yet, and a completion's messages may
// be an empty list (content capture off).
//
// # Use in tests
//
// [Start] listens on an address such as "127.0.0.1:0" and serves in the background;
// [Running.URL] is the base URL to give a client. [Server.Handler] can also be mounted on an
// httptest.Server. Records live in a [Store]; [NewMemoryStore] is the default, and package
// sqlitestore keeps them in an SQLite file (what `tracebridge serve --db` uses).
package traceapi
