package traceapi_test

import (
	"net/http"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

func TestDuplicatePolicies(t *testing.T) {
	first := with("input", `"first"`)   // trace_id t-1
	other := with("trace_id", `"t-2"`)  // a different record
	second := with("input", `"second"`) // trace_id t-1 again
	tests := []struct {
		policy      traceapi.DuplicatePolicy
		thirdStatus int
		want        []string // GET /v1/records, in order
		wantByID    []string // GET /v1/records?trace_id=t-1
		stats       traceapi.Stats
	}{
		{traceapi.DuplicateReplace, 200, []string{second, other}, []string{second},
			traceapi.Stats{Received: 3, Stored: 2, Replaced: 1, Duplicates: 1}},
		{traceapi.DuplicateAppend, 200, []string{first, other, second}, []string{first, second},
			traceapi.Stats{Received: 3, Stored: 3, Duplicates: 1}},
		{traceapi.DuplicateReject, 409, []string{first, other}, []string{first},
			traceapi.Stats{Received: 3, Stored: 2, Duplicates: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			_, hs := newServer(t, traceapi.Config{OnDuplicate: tt.policy})
			okTraceID(t, post(t, hs.URL, first))
			okTraceID(t, post(t, hs.URL, other))
			r := post(t, hs.URL, second)
			if r.status != tt.thirdStatus {
				t.Fatalf("re-sent trace_id: status %d, want %d; body %s", r.status, tt.thirdStatus, r.body)
			}
			if r.status == http.StatusConflict {
				if msg := apiError(t, r); msg != `trace_id: record "t-1" already exists` {
					t.Errorf("409 error %q", msg)
				}
			} else if id := okTraceID(t, r); id != "t-1" {
				t.Errorf("trace_id %q, want t-1", id)
			}
			check := func(q string, want []string) {
				t.Helper()
				got := records(t, hs.URL, nil, q)
				if len(got) != len(want) {
					t.Fatalf("GET /v1/records%s: %d records, want %d", q, len(got), len(want))
				}
				for i := range want {
					if string(got[i]) != want[i] {
						t.Errorf("GET /v1/records%s [%d] = %s\nwant %s", q, i, got[i], want[i])
					}
				}
			}
			check("", tt.want)
			check("?trace_id=t-1", tt.wantByID)
			if st := stats(t, hs.URL, nil); st != tt.stats {
				t.Errorf("stats = %+v, want %+v", st, tt.stats)
			}
		})
	}
}

// After an append, a replace overwrites the latest of the records that share the id.
func TestReplaceAfterAppendOverwritesLatest(t *testing.T) {
	ctx := t.Context()
	s := traceapi.NewMemoryStore()
	put := func(input string, p traceapi.DuplicatePolicy) traceapi.PutOutcome {
		t.Helper()
		o, err := s.Put(ctx, traceapi.StoredRecord{TraceID: "x", Raw: []byte(input)}, p)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if o := put("a", traceapi.DuplicateAppend); o != traceapi.Inserted {
		t.Errorf("first Put = %v, want Inserted", o)
	}
	if o := put("b", traceapi.DuplicateAppend); o != traceapi.Appended {
		t.Errorf("second Put = %v, want Appended", o)
	}
	if o := put("c", traceapi.DuplicateReplace); o != traceapi.Replaced {
		t.Errorf("third Put = %v, want Replaced", o)
	}
	recs, _ := s.List(ctx, traceapi.Filter{})
	if len(recs) != 2 || string(recs[0].Raw) != "a" || string(recs[1].Raw) != "c" {
		t.Errorf("records = %v, want [a c]", recs)
	}
}

func TestParseDuplicatePolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    traceapi.DuplicatePolicy
		wantErr bool
	}{
		{"", traceapi.DuplicateReplace, false},
		{"replace", traceapi.DuplicateReplace, false},
		{"append", traceapi.DuplicateAppend, false},
		{"reject", traceapi.DuplicateReject, false},
		{"Replace", 0, true},
		{"ignore", 0, true},
	}
	for _, tt := range tests {
		got, err := traceapi.ParseDuplicatePolicy(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("ParseDuplicatePolicy(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if !tt.wantErr && tt.in != "" {
			if s := got.String(); s != tt.in {
				t.Errorf("%v.String() = %q, want %q", got, s, tt.in)
			}
			var p traceapi.DuplicatePolicy
			if err := p.UnmarshalText([]byte(tt.in)); err != nil || p != tt.want {
				t.Errorf("UnmarshalText(%q) = %v, %v", tt.in, p, err)
			}
		}
	}
}
