package traceapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

// Many clients at once, as the vendor SDK's pool of posting threads is; run with -race.
func TestConcurrentPosts(t *testing.T) {
	const clients, each = 16, 25
	tests := []struct {
		policy traceapi.DuplicatePolicy
		want   traceapi.Stats
		status int // of the shared record, after the first
	}{
		// Each client posts `each` records of its own and one shared trace_id.
		{traceapi.DuplicateReplace, traceapi.Stats{Received: clients*each + clients, Stored: clients*each + 1, Replaced: clients - 1, Duplicates: clients - 1}, 200},
		{traceapi.DuplicateAppend, traceapi.Stats{Received: clients*each + clients, Stored: clients*each + clients, Duplicates: clients - 1}, 200},
		{traceapi.DuplicateReject, traceapi.Stats{Received: clients*each + clients, Stored: clients*each + 1, Duplicates: clients - 1}, 409},
	}
	for _, tt := range tests {
		t.Run(tt.policy.String(), func(t *testing.T) {
			_, hs := newServer(t, traceapi.Config{OnDuplicate: tt.policy, Token: "tok"})
			tok := ptr("tok")
			var wg sync.WaitGroup
			var sharedOK, sharedOther atomic.Int64
			for c := range clients {
				wg.Go(func() {
					for i := range each {
						body := with("trace_id", fmt.Sprintf(`"c%d-r%d"`, c, i))
						if r := do(t, hs.URL, req{body: []byte(body), token: tok}); r.status != 200 {
							t.Errorf("status %d: %s", r.status, r.body)
						}
						if i == each/2 {
							records(t, hs.URL, tok, "?interaction_id=int-1")
							stats(t, hs.URL, tok)
						}
					}
					r := do(t, hs.URL, req{body: []byte(with("trace_id", `"shared"`)), token: tok})
					switch r.status {
					case 200:
						sharedOK.Add(1)
					case tt.status:
						sharedOther.Add(1)
					default:
						t.Errorf("shared record: status %d", r.status)
					}
				})
			}
			wg.Wait()
			if st := stats(t, hs.URL, tok); st != tt.want {
				t.Errorf("stats = %+v, want %+v", st, tt.want)
			}
			if n := len(records(t, hs.URL, tok, "")); int64(n) != tt.want.Stored {
				t.Errorf("%d records listed, want %d", n, tt.want.Stored)
			}
			if tt.status == http.StatusConflict && (sharedOK.Load() != 1 || sharedOther.Load() != clients-1) {
				t.Errorf("shared record: %d accepted, %d refused; want 1 and %d", sharedOK.Load(), sharedOther.Load(), clients-1)
			}
		})
	}
}
