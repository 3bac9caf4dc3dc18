// Package bridge records LLM interactions the way the vendors' SDKs do — NeuralTrust's
// trace → message → generation → end(output), Adaline's update and recursive end,
// Freeplay's sessions, evaluation results and later feedback — as ordinary OpenTelemetry
// spans with standard attributes. What it records works with any OTel backend, nests with
// the spans of auto-instrumented libraries called inside it, and maps back through
// tracebridge's exporter to exactly the records NeuralTrust's SDK sends for the same calls.
//
// # Concepts
//
//   - A Client (New) records on a TracerProvider. Register tracebridge's processor
//     (exporter.NewProcessor) on it to ship to NeuralTrust, or any other processor.
//   - A Conversation (Client.Conversation) is what NeuralTrust's SDK calls a trace: the
//     conversation id, session, channel, user, metadata, custom data and tags that every
//     record of its interactions carries.
//   - Conversation.Message starts an interaction — one user turn, one OTel trace — with the
//     user's input. Under it, and under each other, steps: Generation, Router, Retrieval,
//     Agent, Tool, Event, System, Feedback and Evaluation.
//   - Step.End(output) ends a step; it is idempotent and ends the step's open children first,
//     as Adaline's end() does (a step started under one that had already ended is left to
//     end itself). Router, Event, System, Feedback and Evaluation are recorded at once
//     (start = end), as NeuralTrust's SDK posts them. Step.Update changes a running step:
//     status, tags, attributes, usage.
//   - Feedback on the answer usually comes later, in another request and another trace:
//     keep the message's Step.Interaction, and call Conversation.Feedback with its
//     interaction id; the record lands on that interaction, under its message.
//
// Every method that starts a step takes a context and returns one carrying the new step's
// span: spans that other libraries start from it (an instrumented model client, an HTTP
// call) become its children. A step's parent is the step it is started from; the context
// passes values, deadlines and, for a message, the span it hangs under (the HTTP request).
// A message is always an interaction of its own: started from a context that comes from
// another message, it starts a new trace linked to that one. A Client, its Conversations and
// Steps are safe for concurrent use.
//
// Errors are failures: End(out, Error(err)) records the exception, error.type and an Error
// status; Failure and Success set the status alone.
//
// # Attributes
//
// Standard keys first — OpenTelemetry GenAI (gen_ai.*) and the general registry — then the
// keys of another convention where GenAI has none (OpenInference's input.value, tag.tags),
// and tracebridge.* only for what no convention covers.
//
//	Conversation (on the message span; on Conversation.Feedback spans too)
//	  gen_ai.conversation.id          ConversationInfo.ID (also on generations and agents)
//	  session.id                      SessionID
//	  user.id, user.email             User.ID, User.Email
//	  user_agent.original             Metadata.UserAgent
//	  tracebridge.channel.id          ChannelID
//	  tracebridge.user.phone          User.Phone
//	  tracebridge.user.<key>          User.Extra
//	  tracebridge.metadata.<key>      Metadata.Timezone, Locale, Location, Browser, Device, OS, Extra
//	  tracebridge.custom              Custom (a string as it is, else JSON)
//	  tag.tags                        Tags, with the message's own (Tags)
//	What a step is
//	  gen_ai.operation.name           chat (or Operation) on generations; invoke_agent (or
//	                                  Operation) on agents; retrieval; execute_tool
//	  tracebridge.task                message, router, event, system, feedback (GenAI has none)
//	  gen_ai.evaluation.name, .score.value, .score.label, .explanation   Evaluation
//	Text (the step's input and End's output)
//	  message, router, event, system  input.value / output.value, with input.mime_type /
//	                                  output.mime_type text/plain (the text as given)
//	  generation, agent               gen_ai.input.messages / gen_ai.output.messages (one user /
//	                                  assistant text message, unless InputMessages /
//	                                  OutputMessages give the conversation), and
//	                                  tracebridge.input / tracebridge.output: the text itself
//	  tool                            gen_ai.tool.call.arguments / gen_ai.tool.call.result
//	  retrieval                       gen_ai.retrieval.query.text / output.value (text/plain),
//	                                  gen_ai.retrieval.documents (Documents)
//	  tool and retrieval text that is a JSON string literal, and a retrieval's text output
//	  beside documents, also go to tracebridge.input / tracebridge.output, as mappers would
//	  otherwise read them differently
//	Options
//	  gen_ai.request.model            Model
//	  gen_ai.response.model           ResponseModel
//	  gen_ai.provider.name            Provider
//	  gen_ai.usage.input_tokens, gen_ai.usage.output_tokens   Usage
//	  gen_ai.response.finish_reasons  FinishReasons
//	  gen_ai.system_instructions      SystemInstructions
//	  gen_ai.data_source.id           DataSource
//	  gen_ai.tool.name / gen_ai.agent.name   Name, on tools / agents
//	  gen_ai.tool.call.id             ToolCallID
//	  tag.tags                        Tags
//	  error.type, exception event     Error
//	  tracebridge.interaction.id      InteractionID on a message: the application's own
//	                                  interaction id; on feedback: the interaction it is about
//	Feedback
//	  tracebridge.feedback.tag, tracebridge.feedback.text
//
// Span names follow GenAI: "{operation} {model, agent, tool or data source}" ("chat
// gpt-4o", "invoke_agent planner", "execute_tool get_weather"); other steps are named
// after their kind ("message", "router", "feedback"), then Name. Generations and
// retrievals are CLIENT spans, the rest INTERNAL. docs/mapping.md has the mapping of these
// attributes to records.
//
// # Differences from NeuralTrust's SDK
//
// Each message is its own interaction (one OTel trace); the SDK shares one interaction id
// among all the messages of a trace object. Records are sent by tracebridge's exporter,
// retried, with deterministic ids, rather than posted fire-and-forget by the SDK's threads;
// timestamps are real milliseconds; latency is set; custom data and structured outputs are
// JSON rather than Python reprs. The message's span need not be the trace's root: spans
// above it (the HTTP request) are not records.
package bridge
