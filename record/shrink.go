package record

import (
	"maps"
	"sort"
	"strconv"
	"unicode/utf8"
)

// MetaTruncated is set to true on a record whose long fields were cut to fit a size limit.
const MetaTruncated = "truncated"

// truncMarker ends a field that Shrink cut, saying how much was cut, so a reader sees it.
func truncMarker(cut int) string { return "…[truncated " + strconv.Itoa(cut) + " bytes]" }

// Shrink returns r with its longest text fields (input, output, custom, feedback text and
// string metadata values) cut, each ending with a visible marker, so that its encoding fits
// in limit bytes, and whether anything was cut. The ids, task, times, user and the other
// metadata stay whole; if they alone exceed limit, the result is as small as cutting allows.
// r itself is not modified.
func (r Record) Shrink(limit int) (Record, bool) {
	size := len(r.AppendJSON(nil))
	if size <= limit {
		return r, false
	}
	if r.Metadata != nil {
		r.Metadata = maps.Clone(r.Metadata)
	} else {
		r.Metadata = map[string]any{}
	}
	r.Metadata[MetaTruncated] = true
	type field struct {
		get func() string
		set func(string)
	}
	fields := []field{
		{func() string { return r.Input }, func(s string) { r.Input = s }},
		{func() string { return r.Output }, func(s string) { r.Output = s }},
		{func() string { return r.Custom }, func(s string) { r.Custom = s }},
		{func() string { return r.FeedbackText }, func(s string) { r.FeedbackText = s }},
	}
	keys := make([]string, 0, len(r.Metadata))
	for k, v := range r.Metadata {
		if _, ok := v.(string); ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fields = append(fields, field{func() string { return r.Metadata[k].(string) }, func(s string) { r.Metadata[k] = s }})
	}
	orig := make([]string, len(fields))
	for i, f := range fields {
		orig[i] = f.get()
	}
	// Cap every field at the same length, lowering the cap until the record fits: the
	// longest fields lose the most and short ones stay whole.
	apply := func(capLen int) int {
		for i, f := range fields {
			f.set(cut(orig[i], capLen))
		}
		return len(r.AppendJSON(nil))
	}
	lo, hi := 0, 0
	for _, s := range orig {
		hi = max(hi, len(s))
	}
	for lo < hi { // the largest cap that fits
		mid := (lo + hi + 1) / 2
		if apply(mid) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	apply(lo)
	return r, true
}

// cut shortens s to about n bytes (at a UTF-8 boundary) and appends the marker; a string
// already within n bytes is returned as it is.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	m := truncMarker(len(s) - n)
	keep := max(0, n-len(m))
	for keep > 0 && !utf8.RuneStart(s[keep]) {
		keep--
	}
	return s[:keep] + truncMarker(len(s)-keep)
}

// MaxEncodedSize is an upper bound on the length of r's encoding, found without encoding:
// every byte of text at most 6 (\u00XX), every number and the fixed field names bounded.
// It lets a caller skip encoding a record just to learn that it is small.
func (r *Record) MaxEncodedSize() int {
	n := 0
	for _, s := range [...]string{r.TraceID, r.ConversationID, r.InteractionID, r.ParentID, r.SessionID, string(r.Task),
		r.ChannelID, r.Input, r.Output, r.FeedbackTag, r.FeedbackText, r.Custom} {
		n += len(s)
	}
	if r.User != nil {
		n += len(r.User.ID) + len(r.User.Email) + len(r.User.Phone) + 40
		for k, v := range r.User.Extra {
			n += len(k) + len(v) + 4
		}
	}
	for k, v := range r.Metadata {
		n += len(k) + 4
		switch x := v.(type) {
		case string:
			n += len(x)
		case []string:
			for _, s := range x {
				n += len(s) + 3
			}
		default:
			n += 64 // numbers, booleans; other values are small in practice
			if _, ok := v.(map[string]any); ok {
				return 1 << 30 // nested: no cheap bound
			}
		}
	}
	return 6*n + 512
}
