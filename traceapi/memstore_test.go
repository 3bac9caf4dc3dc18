package traceapi_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
	"github.com/tracebridge/tracebridge/traceapi/storetest"
)

func TestFilterMatch(t *testing.T) {
	r := traceapi.StoredRecord{TraceID: "t", ConversationID: "c", InteractionID: "i", Task: "tool"}
	yes := []traceapi.Filter{{}, {TraceID: "t"}, {ConversationID: "c", InteractionID: "i", Task: "tool", TraceID: "t"}}
	no := []traceapi.Filter{{TraceID: "x"}, {ConversationID: "x"}, {InteractionID: "x"}, {Task: "message"},
		{ConversationID: "c", Task: "message"}}
	for _, f := range yes {
		if !f.Match(&r) {
			t.Errorf("%+v does not match %+v", f, r)
		}
	}
	for _, f := range no {
		if f.Match(&r) {
			t.Errorf("%+v matches %+v", f, r)
		}
	}
}

func TestMemoryStore(t *testing.T) {
	ctx := t.Context()
	s := traceapi.NewMemoryStore()
	rec := func(id, raw string) traceapi.StoredRecord {
		return traceapi.StoredRecord{TraceID: id, Raw: []byte(raw)}
	}
	steps := []struct {
		rec     traceapi.StoredRecord
		policy  traceapi.DuplicatePolicy
		want    traceapi.PutOutcome
		wantErr error
	}{
		{rec("a", "a1"), traceapi.DuplicateReject, traceapi.Inserted, nil},
		{rec("b", "b1"), traceapi.DuplicateReplace, traceapi.Inserted, nil},
		{rec("a", "a2"), traceapi.DuplicateReject, 0, traceapi.ErrDuplicate},
		{rec("a", "a3"), traceapi.DuplicateReplace, traceapi.Replaced, nil},
		{rec("b", "b2"), traceapi.DuplicateAppend, traceapi.Appended, nil},
		{rec("c", "c1"), traceapi.DuplicateAppend, traceapi.Inserted, nil},
	}
	for i, st := range steps {
		got, err := s.Put(ctx, st.rec, st.policy)
		if !errors.Is(err, st.wantErr) || (err == nil && got != st.want) {
			t.Errorf("step %d: Put(%s, %v) = %v, %v; want %v, %v", i, st.rec.Raw, st.policy, got, err, st.want, st.wantErr)
		}
	}
	all, err := s.List(ctx, traceapi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range all {
		got = append(got, string(r.Raw))
	}
	if fmt.Sprint(got) != "[a3 b1 b2 c1]" {
		t.Errorf("List = %v, want [a3 b1 b2 c1]", got)
	}
	if n, _ := s.Count(ctx); n != 4 {
		t.Errorf("Count = %d, want 4", n)
	}
	if _, err := s.Put(ctx, rec("a", "a9"), traceapi.DuplicatePolicy(9)); err == nil || errors.Is(err, traceapi.ErrDuplicate) {
		t.Errorf("Put of a duplicate with an invalid policy: err = %v, want a policy error", err)
	}
	if err := s.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Count(ctx); n != 0 {
		t.Errorf("Count after Clear = %d", n)
	}
	// After Clear an old id is new again.
	if o, err := s.Put(ctx, rec("a", "a4"), traceapi.DuplicateReject); err != nil || o != traceapi.Inserted {
		t.Errorf("Put after Clear = %v, %v", o, err)
	}
}

func TestMemoryStoreConcurrent(t *testing.T) {
	ctx := t.Context()
	s := traceapi.NewMemoryStore()
	var wg sync.WaitGroup
	var dups sync.Map
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				s.Put(ctx, traceapi.StoredRecord{TraceID: fmt.Sprintf("%d-%d", g, i)}, traceapi.DuplicateReject)
				if _, err := s.Put(ctx, traceapi.StoredRecord{TraceID: "shared"}, traceapi.DuplicateReject); err != nil {
					dups.Store(fmt.Sprint(g, i), true)
				}
				s.List(ctx, traceapi.Filter{TraceID: "shared"})
			}
		})
	}
	wg.Wait()
	n, _ := s.Count(ctx)
	var rejected int
	dups.Range(func(any, any) bool { rejected++; return true })
	if n != 801 || rejected != 799 {
		t.Errorf("Count = %d, rejected %d; want 801 and 799", n, rejected)
	}
}

func TestMemoryStoreHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s := traceapi.NewMemoryStore()
	if _, err := s.Put(ctx, traceapi.StoredRecord{TraceID: "a"}, traceapi.DuplicateReplace); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
}

func TestMemoryStoreConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) traceapi.Store { return traceapi.NewMemoryStore() })
}
