// Package storetest checks that a traceapi.Store behaves as the server expects: the
// duplicate policies, arrival order and Seq, every Filter field, pages; and, for a
// traceapi.ViewStore, that its conversation and interaction lists equal those the memory
// store computes from the same items. Store implementations call Run from their tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// Run runs the checks on stores made by newStore, a fresh empty store per call.
func Run(t *testing.T, newStore func(t *testing.T) traceapi.Store) {
	t.Run("Policies", func(t *testing.T) { testPolicies(t, newStore(t)) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, newStore(t)) })
	t.Run("Pages", func(t *testing.T) { testPages(t, newStore(t)) })
	t.Run("Views", func(t *testing.T) {
		s := newStore(t)
		vs, ok := s.(traceapi.ViewStore)
		if !ok {
			t.Skip("not a ViewStore")
		}
		testViews(t, vs)
	})
}

func item(id, raw string) traceapi.StoredRecord {
	return traceapi.StoredRecord{Contract: traceapi.ContractNeuralTrust, Kind: traceapi.KindRecord,
		TraceID: id, Raw: []byte(raw), ReceivedAt: time.UnixMilli(1_700_000_000_000)}
}

func raws(t *testing.T, s traceapi.Store, f traceapi.Filter) string {
	t.Helper()
	recs, err := s.List(context.Background(), f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, string(r.Raw))
	}
	return strings.Join(out, " ")
}

func testPolicies(t *testing.T, s traceapi.Store) {
	ctx := context.Background()
	steps := []struct {
		rec     traceapi.StoredRecord
		policy  traceapi.DuplicatePolicy
		want    traceapi.PutOutcome
		wantErr error
	}{
		{item("a", `"a1"`), traceapi.DuplicateReject, traceapi.Inserted, nil},
		{item("b", `"b1"`), traceapi.DuplicateReplace, traceapi.Inserted, nil},
		{item("a", `"a2"`), traceapi.DuplicateReject, 0, traceapi.ErrDuplicate},
		{item("a", `"a3"`), traceapi.DuplicateReplace, traceapi.Replaced, nil},
		{item("b", `"b2"`), traceapi.DuplicateAppend, traceapi.Appended, nil},
		{item("b", `"b3"`), traceapi.DuplicateReplace, traceapi.Replaced, nil}, // the latest b: b2
		{item("c", `"c1"`), traceapi.DuplicateAppend, traceapi.Inserted, nil},
	}
	for i, st := range steps {
		got, err := s.Put(ctx, st.rec, st.policy)
		if !errors.Is(err, st.wantErr) || (err == nil && got != st.want) {
			t.Errorf("step %d: Put(%s, %v) = %v, %v; want %v, %v", i, st.rec.Raw, st.policy, got, err, st.want, st.wantErr)
		}
	}
	// Another contract, kind or project is another key.
	other := item("a", `"a-batch"`)
	other.Contract = traceapi.ContractNeuralTrustBatch
	if o, err := s.Put(ctx, other, traceapi.DuplicateReject); err != nil || o != traceapi.Inserted {
		t.Errorf("same id in another contract: %v, %v; want Inserted", o, err)
	}
	if got := raws(t, s, traceapi.Filter{}); got != `"a3" "b1" "b3" "c1" "a-batch"` {
		t.Errorf("List = %s, want \"a3\" \"b1\" \"b3\" \"c1\" \"a-batch\"", got)
	}
	recs, _ := s.List(ctx, traceapi.Filter{})
	for i := 1; i < len(recs); i++ {
		if recs[i].Seq <= recs[i-1].Seq {
			t.Errorf("Seq not increasing in arrival order: %d then %d", recs[i-1].Seq, recs[i].Seq)
		}
	}
	if n, err := s.Count(ctx); err != nil || n != 5 {
		t.Errorf("Count = %d, %v; want 5", n, err)
	}
	if _, err := s.Put(ctx, item("a", `"a9"`), traceapi.DuplicatePolicy(9)); err == nil || errors.Is(err, traceapi.ErrDuplicate) {
		t.Errorf("Put of a duplicate with an invalid policy: err = %v, want a policy error", err)
	}
	lastSeq := recs[len(recs)-1].Seq
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx); n != 0 {
		t.Errorf("Count after Clear = %d", n)
	}
	if o, err := s.Put(ctx, item("a", `"a4"`), traceapi.DuplicateReject); err != nil || o != traceapi.Inserted {
		t.Errorf("Put after Clear = %v, %v", o, err)
	}
	if recs, _ := s.List(ctx, traceapi.Filter{}); len(recs) != 1 || recs[0].Seq <= lastSeq {
		t.Errorf("after Clear, Seq %v did not continue past %d", recs, lastSeq)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Put(cctx, item("z", `"z"`), traceapi.DuplicateReplace); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
}

// dataset is a small set of items covering every index field, in arrival order.
func dataset() []traceapi.StoredRecord {
	base := time.UnixMilli(1_700_000_000_000)
	mk := func(id, conv, inter, task, session, user string, startMs int64, raw string) traceapi.StoredRecord {
		r := item(id, raw)
		r.ConversationID, r.InteractionID, r.Task, r.SessionID = conv, inter, record.Task(task), session
		r.Summary.UserID, r.Summary.StartMs = user, startMs
		if startMs == 0 {
			r.ReceivedAt = base.Add(time.Hour)
		}
		return r
	}
	recs := []traceapi.StoredRecord{
		mk("a", "c1", "i1", "tool", "s1", "u1", 1_700_000_000_100, `"a"`),
		mk("b", "c1", "i1", "generation", "s1", "u1", 1_700_000_000_200, `"b"`),
		mk("c", "c1", "i1", "message", "s1", "u1", 1_700_000_000_000, `{"x": [1, 2]}`), // bytes kept as they are
		mk("d", "c1", "i2", "message", "s2", "u2", 1_700_000_100_000, `"d"`),
		mk("e", "c2", "i3", "tool", "", "", 0, `"e"`), // no start: its time is its arrival
		mk("f", "c2", "i3", "message", "", "", 0, `"f"`),
	}
	recs[4].Contract, recs[4].Kind, recs[4].Project = traceapi.ContractAdaline, traceapi.KindSpan, "proj-1"
	return recs
}

func testFilters(t *testing.T, s traceapi.Store) {
	ctx := context.Background()
	for _, r := range dataset() {
		if _, err := s.Put(ctx, r, traceapi.DuplicateReplace); err != nil {
			t.Fatal(err)
		}
	}
	at := func(ms int64) time.Time { return time.UnixMilli(ms) }
	tests := []struct {
		f    traceapi.Filter
		want string
	}{
		{traceapi.Filter{}, `"a" "b" {"x": [1, 2]} "d" "e" "f"`},
		{traceapi.Filter{ConversationID: "c1"}, `"a" "b" {"x": [1, 2]} "d"`},
		{traceapi.Filter{InteractionID: "i3"}, `"e" "f"`},
		{traceapi.Filter{Task: "message"}, `{"x": [1, 2]} "d" "f"`},
		{traceapi.Filter{TraceID: "d"}, `"d"`},
		{traceapi.Filter{Contract: traceapi.ContractAdaline}, `"e"`},
		{traceapi.Filter{Contract: traceapi.ContractNeuralTrust, Task: "tool"}, `"a"`},
		{traceapi.Filter{Kind: traceapi.KindSpan}, `"e"`},
		{traceapi.Filter{Project: "proj-1"}, `"e"`},
		{traceapi.Filter{SessionID: "s1"}, `"a" "b" {"x": [1, 2]}`},
		{traceapi.Filter{UserID: "u2"}, `"d"`},
		{traceapi.Filter{Since: at(1_700_000_000_100)}, `"a" "b" "d" "e" "f"`},
		{traceapi.Filter{Until: at(1_700_000_000_100)}, `{"x": [1, 2]}`},
		{traceapi.Filter{Since: at(1_700_000_000_100), Until: at(1_700_000_100_001)}, `"a" "b" "d"`},
		{traceapi.Filter{Limit: 2}, `"a" "b"`},
		{traceapi.Filter{ConversationID: "c2", Limit: 1}, `"e"`},
		{traceapi.Filter{ConversationID: "nope"}, ``},
	}
	for _, tt := range tests {
		if got := raws(t, s, tt.f); got != tt.want {
			t.Errorf("List(%+v) = %s, want %s", tt.f, got, tt.want)
		}
	}
	recs, _ := s.List(ctx, traceapi.Filter{})
	if got := raws(t, s, traceapi.Filter{After: recs[3].Seq}); got != `"e" "f"` {
		t.Errorf("List after the 4th = %s, want \"e\" \"f\"", got)
	}
	// Index and summary fields come back as stored.
	want := dataset()
	for i := range recs {
		g, w := recs[i], want[i]
		if g.TraceID != w.TraceID || g.ConversationID != w.ConversationID || g.InteractionID != w.InteractionID ||
			g.SessionID != w.SessionID || g.Task != w.Task || g.Project != w.Project || g.Summary != w.Summary ||
			g.ContractOrDefault() != w.ContractOrDefault() || g.KindOrDefault() != w.KindOrDefault() ||
			!g.ReceivedAt.Equal(w.ReceivedAt) {
			t.Errorf("record %d came back as %+v, want %+v", i, g, w)
		}
	}
}

func testPages(t *testing.T, s traceapi.Store) {
	ctx := context.Background()
	for i := range 25 {
		if _, err := s.Put(ctx, item(fmt.Sprint("p", i), fmt.Sprint(i)), traceapi.DuplicateReplace); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	after := int64(0)
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pages never end")
		}
		recs, err := s.List(ctx, traceapi.Filter{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			got = append(got, string(r.Raw))
		}
		after = recs[len(recs)-1].Seq
	}
	if want := strings.Fields(strings.Trim(fmt.Sprint(seq(25)), "[]")); !reflect.DeepEqual(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
