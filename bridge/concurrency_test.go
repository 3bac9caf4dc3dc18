package bridge_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tracebridge/tracebridge/bridge"
)

// TestConcurrentUse shares one client and one conversation among goroutines, each running
// turns whose steps also start, update and end concurrently — under -race, with parents
// ending while children are being started and ended.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t)
	conv := h.client.Conversation(bridge.ConversationInfo{ID: "conv", Tags: []string{"load"}})
	const turns, steps = 32, 8
	var wg sync.WaitGroup
	for i := range turns {
		wg.Go(func() {
			ctx, msg := conv.Message(context.Background(), fmt.Sprintf("turn %d", i))
			actx, agent := msg.Agent(ctx, "work", bridge.Name("worker"))
			var started, inner sync.WaitGroup
			race := make(chan struct{})
			for j := range steps {
				started.Add(1)
				inner.Go(func() {
					_, gen := agent.Generation(actx, "q", bridge.Model("m"))
					started.Done()
					<-race // then update and end it while the message ends
					gen.Update(bridge.Tags(fmt.Sprint(j)), bridge.Usage(1, 1))
					_, _ = agent.Event(actx, "tick")
					if j%2 == 0 {
						gen.End("a")
					}
				})
			}
			started.Wait()
			close(race)
			msg.End("done") // ends the agent and every generation still open
			inner.Wait()
			_, _ = conv.Feedback(context.Background(), msg.Interaction().InteractionID, bridge.FeedbackNeutral, "")
		})
	}
	wg.Wait()

	ended := map[string]int{}
	for _, s := range h.rec.Ended() {
		ended[s.Name()]++
	}
	if ended["message"] != turns || ended["chat m"] != turns*steps || ended["invoke_agent worker"] != turns {
		t.Errorf("ended %v; want every message, agent and generation ended once", ended)
	}
	if n := len(h.rec.Started()); n != len(h.rec.Ended()) {
		t.Errorf("%d spans started, %d ended", n, len(h.rec.Ended()))
	}
	recs := h.records()
	feedback := 0
	for _, r := range recs {
		if r.Task == "feedback" {
			feedback++
		}
	}
	if feedback != turns {
		t.Errorf("%d feedback records, want %d", feedback, turns)
	}
}
