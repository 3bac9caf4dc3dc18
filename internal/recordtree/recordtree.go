// Package recordtree prints the records of interactions as indented trees, the way the
// examples show what a trace API received.
package recordtree

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// Fprint writes recs as trees: each record under its parent, roots (records whose parent is
// not among recs) first, siblings by start time.
func Fprint(w io.Writer, recs []record.Record) {
	ids := make(map[string]bool, len(recs))
	for _, r := range recs {
		ids[r.TraceID] = true
	}
	children := map[string][]*record.Record{}
	var roots []*record.Record
	for i := range recs {
		r := &recs[i]
		if r.ParentID == "" || !ids[r.ParentID] {
			roots = append(roots, r)
			continue
		}
		children[r.ParentID] = append(children[r.ParentID], r)
	}
	byStart := func(list []*record.Record) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].StartTimestamp < list[j].StartTimestamp })
	}
	byStart(roots)
	var walk func(r *record.Record, prefix, branch string)
	walk = func(r *record.Record, prefix, branch string) {
		fmt.Fprintf(w, "%s%s%s\n", prefix, branch, Line(r))
		kids := children[r.TraceID]
		byStart(kids)
		next := prefix
		switch branch {
		case "├─ ":
			next += "│  "
		case "└─ ":
			next += "   "
		}
		for i, k := range kids {
			b := "├─ "
			if i == len(kids)-1 {
				b = "└─ "
			}
			walk(k, next, b)
		}
	}
	for _, r := range roots {
		walk(r, "", "")
	}
}

// Line is the one-line summary of a record: task, name, model, tokens, latency, short
// input and output.
func Line(r *record.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-10s", r.Task)
	if name, _ := r.Metadata[record.MetaSpanName].(string); name != "" {
		fmt.Fprintf(&b, " %q", name)
	}
	if m, _ := r.Metadata[record.MetaModel].(string); m != "" {
		fmt.Fprintf(&b, " model=%s", m)
	}
	if in, ok := r.Metadata[record.MetaInputTokens]; ok {
		fmt.Fprintf(&b, " tokens=%v+%v", in, r.Metadata[record.MetaOutputTokens])
	}
	fmt.Fprintf(&b, " %dms", r.Latency)
	if s, _ := r.Metadata[record.MetaStatus].(string); s == "error" {
		fmt.Fprintf(&b, " ERROR %v", r.Metadata[record.MetaError])
	}
	if r.Input != "" {
		fmt.Fprintf(&b, " in=%q", Short(readable(r.Input, "user"), 48))
	}
	if r.Output != "" {
		fmt.Fprintf(&b, " out=%q", Short(readable(r.Output, "assistant"), 48))
	}
	return b.String()
}

// readable shows the gist of a field: the last message of role in a conversation, the
// count and first document of a retrieval, else the text itself.
func readable(s, role string) string {
	if !strings.HasPrefix(s, "[") {
		return s
	}
	if msgs, ok := semconv.ParseMessages(s); ok && len(msgs) > 0 && msgs[0].Role != "" {
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].Role == role && msgs[i].Content != "" {
				return msgs[i].Content
			}
		}
	}
	if docs, ok := semconv.ParseDocuments(s); ok && len(docs) > 0 && docs[0].Content != "" {
		return fmt.Sprintf("%d doc(s): %s", len(docs), docs[0].Content)
	}
	return s
}

// Short cuts s to at most n runes, marking the cut.
func Short(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
