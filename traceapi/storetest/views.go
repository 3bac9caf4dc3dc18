package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// Varied returns n items spread over conversations, interactions, contracts, tasks, users,
// sessions and times (with ties), some failed, some re-sent; the same for the same seed.
// It feeds the view checks and benchmarks.
func Varied(n int, seed uint64) []traceapi.StoredRecord {
	rng := rand.New(rand.NewPCG(seed, 1))
	contracts := []traceapi.Contract{traceapi.ContractNeuralTrust, traceapi.ContractNeuralTrust, traceapi.ContractNeuralTrustBatch, traceapi.ContractAdaline}
	tasks := []record.Task{record.TaskGeneration, record.TaskGeneration, record.TaskRetrieval, record.TaskTool, record.TaskAgent}
	inputs := []string{"How long do I have to return shoes?", "WHERE is my ORDER", "100% refund_please", "Bonjour, ça va ?", ""}
	out := make([]traceapi.StoredRecord, 0, n)
	convs := max(n/12, 1)
	base := int64(1_700_000_000_000)
	for len(out) < n {
		c := rng.IntN(convs)
		conv := fmt.Sprintf("conv-%03d", c)
		inter := fmt.Sprintf("%s-int-%d", conv, rng.IntN(4))
		contract := contracts[c%len(contracts)]
		if rng.IntN(20) == 0 {
			contract = traceapi.ContractFreeplay // conversations of several contracts
		}
		start := base + int64(c)*60_000 + int64(rng.IntN(5))*1000 // ties between conversations
		user, session := fmt.Sprintf("user-%d", c%7), fmt.Sprintf("session-%d", c%5)
		if c%9 == 0 {
			user = "" // some conversations have no user
		}
		task := tasks[rng.IntN(len(tasks))]
		if rng.IntN(4) == 0 {
			task = record.TaskMessage
		}
		id := fmt.Sprintf("%s-%d", inter, rng.IntN(8)) // repeats: re-sends
		in := inputs[rng.IntN(len(inputs))]
		r := traceapi.StoredRecord{
			TraceID: id, ConversationID: conv, InteractionID: inter, SessionID: session, Task: task,
			Contract: contract, Kind: traceapi.KindRecord, Name: string(task) + " step",
			ReceivedAt: time.UnixMilli(base + int64(len(out))),
			Summary: traceapi.Summary{
				UserID: user, Model: "gpt-4o-mini", StartMs: start, EndMs: start + int64(rng.IntN(900)),
				InputTokens: int64(rng.IntN(100)), OutputTokens: int64(rng.IntN(50)),
				Input: in, Output: "answer to " + in,
			},
		}
		if contract != traceapi.ContractNeuralTrust {
			r.Kind = traceapi.KindSpan
		}
		if rng.IntN(10) == 0 {
			r.Summary.StartMs, r.Summary.EndMs = 0, 0 // its time is its arrival
		}
		r.Summary.TotalTokens = r.Summary.InputTokens + r.Summary.OutputTokens
		if rng.IntN(8) == 0 {
			r.Summary.Error = "boom"
		}
		raw, _ := json.Marshal(map[string]any{"id": id, "n": len(out)})
		r.Raw = raw
		out = append(out, r)
	}
	return out
}

// testViews compares the store's lists with the memory store's, computed from the same
// items, for many queries, page by page.
func testViews(t *testing.T, s traceapi.ViewStore) {
	ctx := context.Background()
	ref := traceapi.NewMemoryStore()
	for i, r := range Varied(400, 7) {
		policy := traceapi.DuplicateReplace
		if i%5 == 0 {
			policy = traceapi.DuplicateAppend
		}
		for _, st := range []traceapi.Store{s, ref} {
			if _, err := st.Put(ctx, r, policy); err != nil {
				t.Fatal(err)
			}
		}
	}
	at := func(ms int64) time.Time { return time.UnixMilli(ms) }
	queries := []traceapi.ConversationQuery{
		{},
		{Contract: traceapi.ContractNeuralTrust},
		{Contract: traceapi.ContractAdaline},
		{UserID: "user-3"},
		{SessionID: "session-2"},
		{Search: "where is"},
		{Search: "100%"},
		{Search: "refund_"},
		{Search: "CONV-01"},
		{Search: "ça"},
		{Since: at(1_700_000_600_000)},
		{Until: at(1_700_000_600_000)},
		{Since: at(1_700_000_300_000), Until: at(1_700_001_000_000), Contract: traceapi.ContractNeuralTrust},
		{ErrorsOnly: true},
		{ErrorsOnly: true, UserID: "user-1", Search: "shoes"},
		{UserID: "nobody"},
	}
	for _, q := range queries {
		for _, limit := range []int{0, 7} {
			q.Limit = limit
			got := allConversations(t, s, q)
			want := allConversations(t, ref, q)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Conversations(%+v):\n got %+v\nwant %+v", q, got, want)
			}
		}
	}
	if _, err := s.Conversations(ctx, traceapi.ConversationQuery{Cursor: "%%%"}); err == nil {
		t.Error("Conversations with a bad cursor: no error")
	}
	page, err := ref.Conversations(ctx, traceapi.ConversationQuery{Limit: traceapi.MaxConversationPage})
	if err != nil || len(page.Conversations) < 20 {
		t.Fatalf("the reference lists %d conversations (%v): the data proves little", len(page.Conversations), err)
	}
	for _, c := range page.Conversations {
		for _, q := range []traceapi.InteractionQuery{
			{ConversationID: c.ConversationID},
			{ConversationID: c.ConversationID, Limit: 2},
			{ConversationID: c.ConversationID, Contract: c.Contracts[0]},
			{ConversationID: c.ConversationID, Contract: traceapi.ContractFreeplay},
		} {
			got, want := allInteractions(t, s, q), allInteractions(t, ref, q)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Interactions(%+v):\n got %+v\nwant %+v", q, got, want)
			}
		}
	}
}

// allConversations follows the cursors to the last page; each page ends with a cursor.
func allConversations(t *testing.T, s traceapi.ViewStore, q traceapi.ConversationQuery) [][]traceapi.ConversationSummary {
	t.Helper()
	var pages [][]traceapi.ConversationSummary
	for {
		p, err := s.Conversations(context.Background(), q)
		if err != nil {
			t.Fatalf("Conversations(%+v): %v", q, err)
		}
		pages = append(pages, p.Conversations)
		if p.NextCursor == "" || len(pages) > 200 {
			return pages
		}
		q.Cursor = p.NextCursor
	}
}

func allInteractions(t *testing.T, s traceapi.ViewStore, q traceapi.InteractionQuery) [][]traceapi.InteractionSummary {
	t.Helper()
	var pages [][]traceapi.InteractionSummary
	for {
		p, err := s.Interactions(context.Background(), q)
		if err != nil {
			t.Fatalf("Interactions(%+v): %v", q, err)
		}
		pages = append(pages, p.Interactions)
		if p.NextCursor == "" || len(pages) > 200 {
			return pages
		}
		q.Cursor = p.NextCursor
	}
}
