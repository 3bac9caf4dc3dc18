package bridge_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/exporter"
)

// The seed flow of NeuralTrust's SDK — trace → message → generation, router → retrieval →
// agent → end — shipped through tracebridge's processor.
func Example() {
	ctx := context.Background()
	exp, err := exporter.New(ctx) // NEURALTRUST_API_KEY, NEURALTRUST_BASE_URL
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))
	defer tp.Shutdown(ctx) // flushes: every step is delivered

	client := bridge.New(tp)
	conv := client.Conversation(bridge.ConversationInfo{
		ID: "conversation-42", SessionID: "session-7", ChannelID: "web",
		User:     bridge.User{ID: "user-123", Email: "ada@example.com"},
		Metadata: bridge.Metadata{UserAgent: "Mozilla/5.0", Timezone: "Europe/Madrid"},
		Custom:   map[string]string{"tenant": "acme"},
	})

	ctx, msg := conv.Message(ctx, "How long do I have to return shoes?")
	_, gen := msg.Generation(ctx, "How long do I have to return shoes?", bridge.Model("gpt-4o-mini"), bridge.Provider("openai"))
	gen.End("Within 30 days.", bridge.Usage(84, 19))

	rctx, router := msg.Router(ctx, "How long do I have to return shoes?", bridge.Output("returns"))
	rctx, ret := router.Retrieval(rctx, "return window shoes", bridge.DataSource("policies"))
	ret.End(`[{"chunk":"Unworn shoes can be returned within 30 days."}]`)
	_, agent := ret.Agent(rctx, "Summarise the policy", bridge.Name("summariser"))
	agent.End("Shoes: 30 days, unworn.")

	msg.End("You can return unworn shoes within 30 days.")
	// Keep msg.Interaction() to record the user's feedback later (see Conversation.Feedback).
}

// Feedback on an answer given in an earlier request lands on that interaction.
func ExampleConversation_Feedback() {
	client := bridge.New(nil)   // the global TracerProvider
	var turn bridge.Interaction // kept from msg.Interaction() when the answer was given

	conv := client.Conversation(bridge.ConversationInfo{ID: turn.ConversationID, User: bridge.User{ID: "user-123"}})
	_, _ = conv.Feedback(context.Background(), turn.InteractionID, bridge.FeedbackPositive, "Clear and right.")
}

// Ending a step ends its open children first; a failed step records its error.
func ExampleStep_End() {
	rec := tracetest.NewSpanRecorder()
	client := bridge.New(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))

	ctx, msg := client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "Plan my trip")
	actx, agent := msg.Agent(ctx, "plan", bridge.Name("planner"))
	_, tool := agent.Tool(actx, `{"city":"Paris"}`, bridge.Name("weather"))
	tool.End("", bridge.Error(errors.New("weather service down")))
	_, _ = agent.Tool(actx, `{"city":"Paris"}`, bridge.Name("hotels")) // still running
	msg.End("Sorry, I could not plan it.")

	for _, s := range rec.Ended() {
		fmt.Printf("%-20s %s\n", s.Name(), s.Status().Code)
	}
	// Output:
	// execute_tool weather Error
	// execute_tool hotels  Unset
	// invoke_agent planner Unset
	// message              Unset
}
