package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/record"
)

// groupDest carries every record of a call to Encode in one request whose body lists the
// records' ids and inputs; it reads answers as tests tell it to.
type groupDest struct {
	url     string
	refused func(recs []record.Record, req *destination.Request, status int, body []byte) destination.Verdict
}

type groupBody struct {
	IDs    []string `json:"ids"`
	Inputs []string `json:"inputs"`
}

func (groupDest) Name() string { return "test" }

func (d groupDest) Encode(recs []record.Record) []destination.Request {
	var b groupBody
	req := destination.Request{Method: http.MethodPost, URL: d.url, Kind: "group"}
	for i := range recs {
		if recs[i].Task == record.TaskSystem {
			return append([]destination.Request{{Records: []int{i}, Err: errors.New("cannot encode a system record")}},
				d.Encode(append(append([]record.Record(nil), recs[:i]...), recs[i+1:]...))...)
		}
		b.IDs = append(b.IDs, recs[i].TraceID)
		b.Inputs = append(b.Inputs, recs[i].Input)
		req.Records = append(req.Records, i)
	}
	req.Body, _ = json.Marshal(b)
	return []destination.Request{req}
}

func (d groupDest) Refused(recs []record.Record, req *destination.Request, status int, body []byte) destination.Verdict {
	if d.refused == nil {
		return destination.Verdict{}
	}
	return d.refused(recs, req, status, body)
}

// server answers each request with answer(ids in it, body size) and records what it got.
type server struct {
	mu     sync.Mutex
	got    [][]string
	answer func(ids []string, size int) (int, string)
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	var body groupBody
	_ = json.Unmarshal(b, &body)
	s.mu.Lock()
	s.got = append(s.got, body.IDs)
	s.mu.Unlock()
	code, msg := s.answer(body.IDs, len(b))
	w.WriteHeader(code)
	io.WriteString(w, msg)
}

func recs(ids ...string) []record.Record {
	out := make([]record.Record, len(ids))
	for i, id := range ids {
		out[i] = record.Record{TraceID: id, ConversationID: "c", InteractionID: "i", Task: record.TaskTool, Input: "in-" + id}
	}
	return out
}

func newSender(t *testing.T, s *server, refused func([]record.Record, *destination.Request, int, []byte) destination.Verdict) *Sender {
	t.Helper()
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	c := New(Config{HTTPClient: hs.Client(), Retry: RetryConfig{Enabled: false}})
	return NewSender(c, SenderConfig{Concurrency: 4, Destination: groupDest{url: hs.URL, refused: refused}})
}

func TestMultiRecordRequestSucceedsOrFailsWhole(t *testing.T) {
	s := &server{answer: func(ids []string, _ int) (int, string) {
		if len(ids) > 0 && ids[0] == "bad" {
			return http.StatusBadRequest, "no"
		}
		return http.StatusOK, "{}"
	}}
	snd := newSender(t, s, nil)
	for _, err := range snd.Deliver(context.Background(), recs("a", "b", "c")) {
		if err != nil {
			t.Fatal(err)
		}
	}
	errs := snd.Deliver(context.Background(), recs("bad", "b"))
	for i, err := range errs {
		var se *StatusError
		if !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest {
			t.Errorf("record %d: %v; every record of a refused request fails with it", i, err)
		}
	}
}

func TestTooLargeSplitsInHalves(t *testing.T) {
	s := &server{answer: func(ids []string, _ int) (int, string) {
		if len(ids) > 2 {
			return http.StatusRequestEntityTooLarge, "too large"
		}
		return http.StatusOK, "{}"
	}}
	snd := newSender(t, s, nil)
	errs := snd.Deliver(context.Background(), recs("1", "2", "3", "4", "5", "6", "7"))
	for i, err := range errs {
		if err != nil {
			t.Errorf("record %d: %v", i, err)
		}
	}
	// 7 → 3 (413) → 1, 2 ; 4 (413) → 2, 2. Halves go one after the other, in order.
	want := "1,2,3,4,5,6,7 1,2,3 1 2,3 4,5,6,7 4,5 6,7"
	var got []string
	for _, ids := range s.got {
		got = append(got, strings.Join(ids, ","))
	}
	if strings.Join(got, " ") != want {
		t.Errorf("requests %q, want %q", strings.Join(got, " "), want)
	}
}

func TestTooLargeOneRecordIsShrunkOnce(t *testing.T) {
	s := &server{answer: func(_ []string, size int) (int, string) {
		if size > 40<<10 {
			return http.StatusRequestEntityTooLarge, "too large"
		}
		return http.StatusOK, "{}"
	}}
	snd := newSender(t, s, nil)
	big := recs("big")
	big[0].Input = strings.Repeat("x", 200<<10)
	if err := snd.Deliver(context.Background(), big)[0]; err != nil {
		t.Fatalf("the record is shrunk and sent again: %v", err)
	}
	if len(s.got) != 2 {
		t.Errorf("%d requests, want the original and the shrunk one", len(s.got))
	}
	// Still too large after shrinking: final.
	s.answer = func([]string, int) (int, string) { return http.StatusRequestEntityTooLarge, "too large" }
	err := snd.Deliver(context.Background(), big)[0]
	if Reason(err) != "too_large" {
		t.Errorf("%v: reason %s", err, Reason(err))
	}
}

func TestVerdicts(t *testing.T) {
	s := &server{answer: func(ids []string, _ int) (int, string) {
		switch {
		case len(ids) > 1:
			return http.StatusConflict, "whole group exists"
		case ids[0] == "dup":
			return http.StatusConflict, "already exists"
		case ids[0] == "x":
			return http.StatusBadRequest, "bad x"
		}
		return http.StatusCreated, "{}"
	}}
	snd := newSender(t, s, func(rs []record.Record, req *destination.Request, status int, body []byte) destination.Verdict {
		switch string(body) {
		case "already exists":
			return destination.Verdict{Delivered: true}
		case "whole group exists": // send each record on its own instead
			var then []destination.Request
			for _, i := range req.Records {
				b, _ := json.Marshal(groupBody{IDs: []string{rs[i].TraceID}})
				then = append(then, destination.Request{Method: http.MethodPost, URL: req.URL, Body: b, Records: []int{i}})
			}
			return destination.Verdict{Then: then}
		}
		return destination.Verdict{}
	})
	errs := snd.Deliver(context.Background(), recs("a", "dup", "x", "b"))
	for i, want := range []bool{true, true, false, true} {
		if (errs[i] == nil) != want {
			t.Errorf("record %d: %v", i, errs[i])
		}
	}
	if len(s.got) != 5 {
		t.Errorf("%d requests: the group, then one per record", len(s.got))
	}
}

func TestRecordsThatCannotBeEncodedFailPermanently(t *testing.T) {
	s := &server{answer: func([]string, int) (int, string) { return http.StatusOK, "{}" }}
	snd := newSender(t, s, nil)
	rs := recs("a", "sys", "b")
	rs[1].Task = record.TaskSystem
	errs := snd.Deliver(context.Background(), rs)
	var ee *EncodeError
	if errs[0] != nil || errs[2] != nil || !errors.As(errs[1], &ee) || ee.Temporary() || Reason(errs[1]) != "rejected" {
		t.Errorf("errors %v", errs)
	}
}

func TestDeliverAfterCancel(t *testing.T) {
	s := &server{answer: func([]string, int) (int, string) { return http.StatusOK, "{}" }}
	snd := newSender(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range snd.Deliver(ctx, recs("a", "b")) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%v", err)
		}
	}
}

func TestNilDestinationPostsV1Records(t *testing.T) {
	var got []string
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.URL.Path+" "+string(b))
	}))
	defer hs.Close()
	c := New(Config{URL: hs.URL + "/v1/trace", HTTPClient: hs.Client()})
	snd := NewSender(c, SenderConfig{Concurrency: 1})
	rs := recs("a")
	if err := snd.Deliver(context.Background(), rs)[0]; err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "/v1/trace "+string(rs[0].AppendJSON(nil)) {
		t.Errorf("got %q", got)
	}
}

// chainDest sends the first record, then each other one after it (Next).
type chainDest struct{ groupDest }

func (d chainDest) Encode(recs []record.Record) []destination.Request {
	one := func(i int) destination.Request {
		b, _ := json.Marshal(groupBody{IDs: []string{recs[i].TraceID}})
		return destination.Request{Method: http.MethodPost, URL: d.url, Body: b, Records: []int{i}}
	}
	first := one(0)
	for i := 1; i < len(recs); i++ {
		first.Next = append(first.Next, one(i))
	}
	return []destination.Request{first}
}

func TestNextFollowsItsRequest(t *testing.T) {
	s := &server{answer: func(ids []string, _ int) (int, string) {
		if ids[0] == "bad" {
			return http.StatusBadRequest, "no"
		}
		return http.StatusOK, "{}"
	}}
	hs := httptest.NewServer(s)
	defer hs.Close()
	snd := NewSender(New(Config{HTTPClient: hs.Client()}), SenderConfig{Concurrency: 4, Destination: chainDest{groupDest{url: hs.URL}}})
	for _, err := range snd.Deliver(context.Background(), recs("a", "b", "c")) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(s.got); got != "[[a] [b] [c]]" {
		t.Errorf("requests %s, want a then b then c", got)
	}
	s.got = nil
	errs := snd.Deliver(context.Background(), recs("bad", "b"))
	if errs[0] == nil || errs[1] == nil || errs[1].Error() != errs[0].Error() {
		t.Errorf("what follows a failed request fails with it: %v", errs)
	}
	if len(s.got) != 1 {
		t.Errorf("what follows a failed request is not sent: %v", s.got)
	}
}
