package record_test

import (
	"hash/maphash"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

func TestHashFollowsTheEncoding(t *testing.T) {
	seed := maphash.MakeSeed()
	base := record.Record{TraceID: "t", Task: record.TaskGeneration, Input: "ab", Output: "c", StartTimestamp: 5,
		User: &record.User{ID: "u"}, Metadata: map[string]any{"model": "m", "input_tokens": int64(3), "tags": []string{"x"}}}
	same := base
	same.Metadata = map[string]any{"tags": []string{"x"}, "input_tokens": int64(3), "model": "m"}
	if base.Hash(seed) != same.Hash(seed) {
		t.Fatal("equal records must hash alike")
	}
	for name, change := range map[string]func(r *record.Record){
		"field boundary": func(r *record.Record) { r.Input, r.Output = "a", "bc" },
		"time":           func(r *record.Record) { r.StartTimestamp = 6 },
		"user":           func(r *record.Record) { r.User = nil },
		"metadata value": func(r *record.Record) {
			r.Metadata = map[string]any{"model": "m", "input_tokens": int64(4), "tags": []string{"x"}}
		},
		"metadata type": func(r *record.Record) {
			r.Metadata = map[string]any{"model": "m", "input_tokens": "3", "tags": []string{"x"}}
		},
		"provisional": func(r *record.Record) {
			r.Metadata = map[string]any{"model": "m", "input_tokens": int64(3), "tags": []string{"x"}, "provisional": true}
		},
	} {
		r := base
		change(&r)
		if r.Hash(seed) == base.Hash(seed) {
			t.Errorf("%s: a change that alters the encoding must alter the hash", name)
		}
	}
}
