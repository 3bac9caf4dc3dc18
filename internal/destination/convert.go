package destination

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

// SettingError is a setting that does not work: Setting is "base URL" or "project id".
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return e.Setting + " " + e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// Settings New checks.
const (
	SettingBaseURL   = "base URL"
	SettingProjectID = "project id"
)

func baseErr(err error) error { return &SettingError{Setting: SettingBaseURL, Err: err} }

func projectErr(err error) error { return &SettingError{Setting: SettingProjectID, Err: err} }

// marshal encodes v as compact JSON without HTML escaping (the bodies are not HTML).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values built here get encoded; they always encode.
		panic(fmt.Sprintf("destination: encoding: %v", err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// metaString is a metadata value as a string, "" when absent or not a string.
func metaString(r *record.Record, key string) string {
	s, _ := r.Metadata[key].(string)
	return s
}

// metaInt is an integral metadata value.
func metaInt(r *record.Record, key string) (int64, bool) {
	switch v := r.Metadata[key].(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && !math.IsInf(v, 0) {
			return int64(v), true
		}
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

// metaFloat is a numeric metadata value.
func metaFloat(r *record.Record, key string) (float64, bool) {
	switch v := r.Metadata[key].(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// failed reports whether the record's step failed.
func failed(r *record.Record) bool { return metaString(r, record.MetaStatus) == "error" }

// provisional reports whether the record stands in for a step not ended (or a root not seen).
func provisional(r *record.Record) bool { b, _ := r.Metadata[record.MetaProvisional].(bool); return b }

// stepName names a record for APIs that want a name: the span's name, else the tool or
// agent name, else the task.
func stepName(r *record.Record) string {
	for _, k := range []string{record.MetaSpanName, record.MetaToolName, record.MetaAgentName} {
		if s := metaString(r, k); s != "" {
			return s
		}
	}
	return string(r.Task)
}

// Metadata keys this package reads beside those of package record; semconv sets them.
const (
	metaTags            = "tags"
	metaEvalName        = "evaluation_name"
	metaEvalScore       = "evaluation_score"
	metaEvalLabel       = "evaluation_label"
	metaEvalExplanation = "evaluation_explanation"
)

// tags are the record's string tags (metadata "tags").
func tags(r *record.Record) []string {
	switch v := r.Metadata[metaTags].(type) {
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}

// byInteraction groups record indexes by interaction, in the order interactions first
// appear, the message of each group first (so that a group split in halves keeps its
// message in the first half, which creates what the second half hangs from).
func byInteraction(recs []record.Record) [][]int {
	var order []string
	groups := map[string][]int{}
	for i := range recs {
		id := recs[i].InteractionID
		if _, ok := groups[id]; !ok {
			order = append(order, id)
		}
		if recs[i].Task == record.TaskMessage {
			groups[id] = append([]int{i}, groups[id]...)
		} else {
			groups[id] = append(groups[id], i)
		}
	}
	out := make([][]int, len(order))
	for n, id := range order {
		out[n] = groups[id]
	}
	return out
}

// endMillis is a record's end, at least one millisecond after its start: router, event and
// feedback records are instants, and APIs want startedAt before endedAt.
func endMillis(r *record.Record) int64 { return max(r.EndTimestamp, r.StartTimestamp+1) }

// seconds is epoch milliseconds as float epoch seconds.
func seconds(ms int64) float64 { return float64(ms) / 1000 }

// isoTimeLayout is ISO-8601 UTC with milliseconds.
const isoTimeLayout = "2006-01-02T15:04:05.000Z07:00"

// appendISOTime appends epoch milliseconds as an ISO-8601 JSON string: digits and
// punctuation that need no escape.
func appendISOTime(b []byte, ms int64) []byte {
	b = append(b, '"')
	b = time.UnixMilli(ms).UTC().AppendFormat(b, isoTimeLayout)
	return append(b, '"')
}
