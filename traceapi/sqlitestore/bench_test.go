package sqlitestore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
	"github.com/tracebridge/tracebridge/traceapi/sqlitestore"
)

// The benchmarks answer the viewer's requests through the server's handler, as a browser
// gets them, from a file holding benchRecords v1 records: 5,000 conversations of 4
// interactions of 5 steps (message, retrieval, two generations, tool), each with chat
// messages as input and output.
//
//	go test -run '^$' -bench . -benchtime 20x ./traceapi/sqlitestore
const benchRecords = 100_000

var bench struct {
	once sync.Once
	dir  string
	srv  *traceapi.Server
	conv string // a conversation of the middle
	turn string // one of its interactions
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchServer loads the records once for every benchmark.
func benchServer(b *testing.B) *traceapi.Server {
	b.Helper()
	bench.once.Do(func() {
		start := time.Now()
		if bench.dir, bench.err = os.MkdirTemp("", "sqlitestore-bench-"); bench.err != nil {
			return
		}
		st, err := sqlitestore.Open(context.Background(), filepath.Join(bench.dir, "bench.db"))
		if err != nil {
			bench.err = err
			return
		}
		recs := benchData(benchRecords)
		if bench.err = st.PutAll(context.Background(), recs, traceapi.DuplicateReplace); bench.err != nil {
			return
		}
		bench.srv, bench.err = traceapi.New(traceapi.Config{Store: st})
		mid := recs[len(recs)/2]
		bench.conv, bench.turn = mid.ConversationID, mid.InteractionID
		fmt.Fprintf(os.Stderr, "loaded %d records in %v\n", len(recs), time.Since(start).Round(time.Millisecond))
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.srv
}

// benchData builds n v1 records as the exporter sends them, read as the server reads them.
func benchData(n int) []traceapi.StoredRecord {
	out := make([]traceapi.StoredRecord, 0, n)
	base := time.Now().Add(-24 * time.Hour).UnixMilli()
	tasks := []record.Task{record.TaskMessage, record.TaskRetrieval, record.TaskGeneration, record.TaskGeneration, record.TaskTool}
	for i := 0; len(out) < n; i++ {
		conv := fmt.Sprintf("conversation-%05d", i/20)
		turn := fmt.Sprintf("interaction-%06d", i/5)
		task := tasks[i%5]
		start := base + int64(i)*1000
		q := fmt.Sprintf("Question %d: how long do I have to return a pair of shoes bought on sale?", i/5)
		r := record.Record{
			TraceID: fmt.Sprintf("rec-%07d", i), ConversationID: conv, InteractionID: turn,
			SessionID: fmt.Sprintf("session-%04d", i/100), Task: task,
			Input:          `[{"role":"system","content":"Answer from the policy excerpts."},{"role":"user","content":"` + q + `"}]`,
			Output:         `[{"role":"assistant","content":"You can return unworn shoes within 30 days of delivery, sale items included."}]`,
			StartTimestamp: start, EndTimestamp: start + 350, Latency: 350,
			User: &record.User{ID: fmt.Sprintf("user-%03d", i/400)},
			Metadata: map[string]any{"span_name": "chat gpt-4o-mini", "model": "gpt-4o-mini", "provider": "openai",
				"input_tokens": int64(84), "output_tokens": int64(19), "total_tokens": int64(103), "status": "ok"},
		}
		if task == record.TaskMessage {
			r.Input, r.Output = q, "You can return unworn shoes within 30 days of delivery."
		} else {
			r.ParentID = fmt.Sprintf("rec-%07d", i-i%5)
		}
		if i%97 == 0 {
			r.Metadata["status"], r.Metadata["error"] = "error", "upstream timeout"
		}
		sr, err := traceapi.ParseRecord(r.AppendJSON(nil))
		if err != nil {
			panic(err)
		}
		sr.Contract, sr.Kind, sr.ReceivedAt = traceapi.ContractNeuralTrust, traceapi.KindRecord, time.UnixMilli(start)
		traceapi.Summarize(&sr)
		out = append(out, sr)
	}
	return out
}

func benchGet(b *testing.B, target string) {
	srv := benchServer(b)
	h := srv.Handler()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK || rec.Body.Len() < 100 {
			b.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body.String())
		}
	}
}

// The conversation list's first page (50, newest first), as the viewer opens.
func BenchmarkConversationList(b *testing.B) { benchGet(b, "/v1/view/conversations") }

// A later page, through the cursor of the first.
func BenchmarkConversationListPage2(b *testing.B) {
	srv := benchServer(b)
	page, err := srv.Conversations(context.Background(), traceapi.ConversationQuery{})
	if err != nil || page.NextCursor == "" {
		b.Fatal(err, page.NextCursor)
	}
	benchGet(b, "/v1/view/conversations?cursor="+page.NextCursor)
}

// Filters: a user, a text search (a scan of every item), errors only.
func BenchmarkConversationListUser(b *testing.B) {
	benchGet(b, "/v1/view/conversations?user=user-123")
}
func BenchmarkConversationListSearch(b *testing.B) {
	benchGet(b, "/v1/view/conversations?q=question+4242")
}
func BenchmarkConversationListErrors(b *testing.B) {
	benchGet(b, "/v1/view/conversations?errors=true")
}

// A conversation's interactions, then one interaction's tree of steps.
func BenchmarkInteractions(b *testing.B) {
	benchServer(b)
	benchGet(b, "/v1/view/interactions?conversation_id="+bench.conv)
}
func BenchmarkInteractionView(b *testing.B) {
	benchServer(b)
	benchGet(b, "/v1/view/interaction?id="+bench.turn)
}

// A page of GET /v1/records with a filter.
func BenchmarkRecordsPage(b *testing.B) {
	benchGet(b, "/v1/records?limit=100&session_id=session-0500")
}

// One POST /v1/trace, stored in its own transaction: the ingestion cost the file adds.
func BenchmarkPut(b *testing.B) {
	st, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "put.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	recs := benchData(1000)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		r := recs[i%len(recs)]
		r.TraceID = fmt.Sprint("put-", i)
		if _, err := st.Put(context.Background(), r, traceapi.DuplicateReplace); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
