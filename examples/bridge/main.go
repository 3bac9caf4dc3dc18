// Command bridge runs the seed flow of NeuralTrust's SDK — trace → message → generation,
// router → retrieval → agent → end, then the user's feedback in a later request — through
// tracebridge's bridge API, which records it as standard OpenTelemetry spans, and ships it
// with tracebridge's processor to the local trace API (the same server as `tracebridge
// serve`, started in-process on a free loopback port; or a running `tracebridge serve`
// that NEURALTRUST_BASE_URL names). It prints what the API received and the viewer's URL;
// -keep keeps the in-process server and its viewer running until Ctrl-C. No account, no
// network; the model calls are simulated.
//
//	go run ./examples/bridge [-keep]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/signal"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/internal/localapi"
	"github.com/tracebridge/tracebridge/internal/recordtree"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

func main() {
	log.SetFlags(0)
	keep := flag.Bool("keep", false, "keep the in-process trace API and its viewer running until Ctrl-C")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *keep); err != nil {
		log.Fatal("bridge example: ", err)
	}
}

func run(ctx context.Context, out io.Writer, keep bool) error {
	var api *traceapi.Running
	base := ""
	if env := os.Getenv("NEURALTRUST_BASE_URL"); env != "" && localapi.IsServe(ctx, localapi.ServeBase(env)) {
		base = localapi.ServeBase(env)
		fmt.Fprintf(out, "Shipping to tracebridge serve at %s\n\n", base)
	} else {
		var err error
		if api, err = traceapi.Start(ctx, "127.0.0.1:0", traceapi.Config{}); err != nil {
			return fmt.Errorf("start the local trace API: %w", err)
		}
		defer api.Close()
		base = api.URL()
		fmt.Fprintf(out, "Shipping to the local trace API at %s\n\n", base)
	}

	exp, err := exporter.New(ctx, exporter.WithEndpoint(base))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))
	client := bridge.New(tp)
	info := bridge.ConversationInfo{
		ID: "conversation-bridge", SessionID: "session-7", ChannelID: "web",
		User:     bridge.User{ID: "user-123", Email: "ada@example.com"},
		Metadata: bridge.Metadata{UserAgent: "Mozilla/5.0", Timezone: "Europe/Madrid"},
		Custom:   map[string]string{"tenant": "acme"},
	}

	turn := answer(ctx, client.Conversation(info))
	// Later, in another request (another trace): the user's thumbs-up on that answer.
	_, _ = client.Conversation(info).Feedback(ctx, turn.InteractionID, bridge.FeedbackPositive, "Clear answer, thanks")

	if err := tp.Shutdown(ctx); err != nil { // flushes: every step is delivered
		return err
	}
	recs, err := localapi.Fetch(ctx, base, turn.InteractionID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "The trace API received %d records for interaction %s of conversation %s:\n\n",
		len(recs), turn.InteractionID, turn.ConversationID)
	recordtree.Fprint(out, recs)
	for _, r := range recs {
		if r.Task == record.TaskFeedback {
			fmt.Fprintf(out, "\nfeedback on the message: %s %q\n", r.FeedbackTag, r.FeedbackText)
		}
	}
	if len(recs) == 0 {
		return fmt.Errorf("no records arrived")
	}
	fmt.Fprintf(out, "\nSee it in the viewer: %s/#%s\n", base, url.Values{"c": {turn.ConversationID}, "i": {turn.InteractionID}}.Encode())
	switch {
	case api == nil:
	case keep:
		fmt.Fprintln(out, "The in-process trace API keeps serving; Ctrl-C to stop.")
		<-ctx.Done()
	default:
		fmt.Fprintln(out, "(The in-process trace API stops when the example ends: add -keep to browse it.)")
	}
	return nil
}

// answer plays one user turn as the NeuralTrust SDK's example does: message → generation,
// router → retrieval → agent, then the message's answer.
func answer(ctx context.Context, conv *bridge.Conversation) bridge.Interaction {
	question := "How long do I have to return a pair of shoes?"
	ctx, msg := conv.Message(ctx, question)

	_, gen := msg.Generation(ctx, question, bridge.Model("gpt-4o-mini"), bridge.Provider("openai"),
		bridge.SystemInstructions("Answer from the store's policies."))
	time.Sleep(30 * time.Millisecond) // the model call
	gen.End("You can return unworn shoes within 30 days of delivery.", bridge.Usage(84, 19))

	rctx, router := msg.Router(ctx, question, bridge.Output("returns-policy"))
	rctx, ret := router.Retrieval(rctx, "shoe return window", bridge.DataSource("policies"))
	time.Sleep(10 * time.Millisecond) // the vector search
	ret.End(`[{"chunk":"Unworn shoes can be returned within 30 days of delivery."}]`)

	_, agent := ret.Agent(rctx, "Summarise the return policy", bridge.Name("summariser"))
	time.Sleep(20 * time.Millisecond)
	agent.End("Unworn shoes: 30 days from delivery.")

	msg.End("You can return unworn shoes within 30 days of delivery.")
	return msg.Interaction()
}
