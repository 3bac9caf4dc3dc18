package traceapi

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ViewStore is a Store that also answers the viewer's list queries. The server uses these
// methods when its store has them (package sqlitestore answers them with indexes) and
// otherwise computes the same answers from List.
type ViewStore interface {
	Store
	// Conversations lists conversations, newest activity first.
	Conversations(ctx context.Context, q ConversationQuery) (ConversationPage, error)
	// Interactions lists the interactions of one conversation, oldest first.
	Interactions(ctx context.Context, q InteractionQuery) (InteractionPage, error)
}

// Page sizes of the viewer's lists: the default when a query gives none, and the most one
// page may hold.
const (
	DefaultConversationPage = 50
	MaxConversationPage     = 500
	DefaultInteractionPage  = 100
	MaxInteractionPage      = 1000
)

// ConversationQuery selects and pages the conversation list. A conversation is listed when
// at least one of its items (of Contract) passes every set filter; its summary covers all
// of its items of Contract.
type ConversationQuery struct {
	Contract  Contract // empty: every contract
	UserID    string   // Summary.UserID, exactly
	SessionID string
	// Search is looked for, ignoring ASCII case, in the conversation, interaction, user and
	// session ids and in the start of each item's input (Summary.Input).
	Search     string
	Since      time.Time // the item's time (TimeMs), inclusive
	Until      time.Time // exclusive
	ErrorsOnly bool      // only items that failed
	// Limit is the page size: DefaultConversationPage when 0, at most MaxConversationPage.
	Limit int
	// Cursor is the NextCursor of the previous page; empty for the first.
	Cursor string
}

// ConversationSummary is one line of the conversation list.
type ConversationSummary struct {
	ConversationID string     `json:"conversation_id"`
	UserID         string     `json:"user,omitempty"`       // the greatest non-empty user id of its items
	SessionID      string     `json:"session_id,omitempty"` // likewise
	Contracts      []Contract `json:"contracts"`
	Interactions   int        `json:"interactions"`
	Records        int        `json:"records"`
	// Tokens are those of its generations, or those of its messages when no generation
	// counted any (a message usually repeats the sum of its generations).
	InputTokens  int64 `json:"input_tokens"`
	OutputTokens int64 `json:"output_tokens"`
	TotalTokens  int64 `json:"total_tokens"`
	Errors       int   `json:"errors"`   // items that failed
	FirstMs      int64 `json:"first_ms"` // the earliest item time
	LastMs       int64 `json:"last_ms"`  // the latest item time: the list's order
	// Preview is the input of its latest message that has one.
	Preview string `json:"preview,omitempty"`
}

// ConversationPage is one page of the conversation list.
type ConversationPage struct {
	Conversations []ConversationSummary `json:"conversations"`
	NextCursor    string                `json:"next_cursor,omitempty"` // empty on the last page
}

// InteractionQuery pages the interactions of one conversation.
type InteractionQuery struct {
	ConversationID string
	Contract       Contract // empty: every contract
	// Limit is the page size: DefaultInteractionPage when 0, at most MaxInteractionPage.
	Limit  int
	Cursor string
}

// InteractionSummary is one interaction (one user turn) of a conversation.
type InteractionSummary struct {
	InteractionID  string `json:"interaction_id"`
	ConversationID string `json:"conversation_id"`
	UserID         string `json:"user,omitempty"`
	SessionID      string `json:"session_id,omitempty"`
	Records        int    `json:"records"`
	InputTokens    int64  `json:"input_tokens"` // as in ConversationSummary
	OutputTokens   int64  `json:"output_tokens"`
	TotalTokens    int64  `json:"total_tokens"`
	Errors         int    `json:"errors"`
	StartMs        int64  `json:"start_ms"` // the earliest item time: the list's order
	EndMs          int64  `json:"end_ms"`   // the latest end (or item time)
	// Name, Input and Output are those of its latest message with an input or output.
	Name   string `json:"name,omitempty"`
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`
}

// InteractionPage is one page of a conversation's interactions.
type InteractionPage struct {
	Interactions []InteractionSummary `json:"interactions"`
	NextCursor   string               `json:"next_cursor,omitempty"`
}

// PageSize clamps a requested page size: def when n is not positive, at most max.
func PageSize(n, def, max int) int {
	switch {
	case n <= 0:
		return def
	case n > max:
		return max
	}
	return n
}

// ErrBadCursor is returned for a cursor that no page handed out.
var ErrBadCursor = errors.New("cursor: invalid")

// EncodeCursor makes the cursor of a list ordered by (ms, id): opaque to clients.
func EncodeCursor(ms int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(ms, 10) + "." + id))
}

// DecodeCursor reads a cursor made by EncodeCursor.
func DecodeCursor(c string) (ms int64, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", ErrBadCursor
	}
	n, id, ok := strings.Cut(string(b), ".")
	if !ok {
		return 0, "", ErrBadCursor
	}
	if ms, err = strconv.ParseInt(n, 10, 64); err != nil {
		return 0, "", ErrBadCursor
	}
	return ms, id, nil
}

// Matches reports whether one item passes the query's filters (all but the contract).
func (q *ConversationQuery) Matches(r *StoredRecord) bool {
	if (q.UserID != "" && r.Summary.UserID != q.UserID) ||
		(q.SessionID != "" && r.SessionID != q.SessionID) ||
		(!q.Since.IsZero() && r.TimeMs() < q.Since.UnixMilli()) ||
		(!q.Until.IsZero() && r.TimeMs() >= q.Until.UnixMilli()) ||
		(q.ErrorsOnly && r.Summary.Error == "") {
		return false
	}
	if q.Search == "" {
		return true
	}
	s := asciiLower(q.Search)
	for _, f := range []string{r.ConversationID, r.InteractionID, r.Summary.UserID, r.SessionID, r.Summary.Input} {
		if strings.Contains(asciiLower(f), s) {
			return true
		}
	}
	return false
}

// filtered reports whether the query filters items beyond their contract.
func (q *ConversationQuery) filtered() bool {
	return q.UserID != "" || q.SessionID != "" || q.Search != "" || !q.Since.IsZero() || !q.Until.IsZero() || q.ErrorsOnly
}

// asciiLower lowers ASCII letters only, as SQLite's LIKE compares.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// tokenSums adds up the tokens of generations and of messages, to pick from (Tokens).
type tokenSums struct {
	genIn, genOut, genTotal, msgIn, msgOut, msgTotal int64
}

func (t *tokenSums) add(r *StoredRecord) {
	switch r.Task {
	case "generation":
		t.genIn += r.Summary.InputTokens
		t.genOut += r.Summary.OutputTokens
		t.genTotal += r.Summary.TotalTokens
	case "message":
		t.msgIn += r.Summary.InputTokens
		t.msgOut += r.Summary.OutputTokens
		t.msgTotal += r.Summary.TotalTokens
	}
}

// Tokens are the generations' sums, else the messages' when no generation counted any:
// a message usually carries the sum of its generations, which must not count twice.
func (t tokenSums) Tokens() (in, out, total int64) {
	if t.genIn != 0 || t.genOut != 0 || t.genTotal != 0 {
		return t.genIn, t.genOut, t.genTotal
	}
	return t.msgIn, t.msgOut, t.msgTotal
}

// TokenSums builds the sums a store computed (SQL) so that it picks as the memory store.
func TokenSums(genIn, genOut, genTotal, msgIn, msgOut, msgTotal int64) (in, out, total int64) {
	return tokenSums{genIn, genOut, genTotal, msgIn, msgOut, msgTotal}.Tokens()
}

// endMs is the item's end for an interaction's span: its end, else its time.
func endMs(r *StoredRecord) int64 {
	if r.Summary.EndMs > 0 {
		return r.Summary.EndMs
	}
	return r.TimeMs()
}

type convAgg struct {
	ConversationSummary
	tokens       tokenSums
	interactions map[string]bool
	contracts    map[Contract]bool
	previewAt    [2]int64 // (time, seq) of the preview's message
	matched      bool
}

// scanConversations answers a ConversationQuery from every record, for stores without
// indexes. Its results are the reference that other ViewStores must equal.
func scanConversations(recs []StoredRecord, q ConversationQuery) (ConversationPage, error) {
	limit := PageSize(q.Limit, DefaultConversationPage, MaxConversationPage)
	var curMs int64
	var curID string
	if q.Cursor != "" {
		var err error
		if curMs, curID, err = DecodeCursor(q.Cursor); err != nil {
			return ConversationPage{}, err
		}
	}
	filtered := q.filtered()
	aggs := map[string]*convAgg{}
	for i := range recs {
		r := &recs[i]
		if q.Contract != "" && r.ContractOrDefault() != q.Contract {
			continue
		}
		a := aggs[r.ConversationID]
		if a == nil {
			a = &convAgg{interactions: map[string]bool{}, contracts: map[Contract]bool{}}
			a.ConversationID = r.ConversationID
			a.FirstMs, a.LastMs = r.TimeMs(), r.TimeMs()
			aggs[r.ConversationID] = a
		}
		t := r.TimeMs()
		a.FirstMs, a.LastMs = min(a.FirstMs, t), max(a.LastMs, t)
		a.Records++
		a.interactions[r.InteractionID] = true
		a.contracts[r.ContractOrDefault()] = true
		a.tokens.add(r)
		if r.Summary.Error != "" {
			a.Errors++
		}
		a.UserID = max(a.UserID, r.Summary.UserID)
		a.SessionID = max(a.SessionID, r.SessionID)
		if r.Task == "message" && r.Summary.Input != "" {
			if at := [2]int64{t, r.Seq}; a.Preview == "" || at[0] > a.previewAt[0] || (at[0] == a.previewAt[0] && at[1] > a.previewAt[1]) {
				a.Preview, a.previewAt = r.Summary.Input, at
			}
		}
		if !a.matched && (!filtered || q.Matches(r)) {
			a.matched = true
		}
	}
	var list []*convAgg
	for _, a := range aggs {
		if !a.matched {
			continue
		}
		if q.Cursor != "" && !(a.LastMs < curMs || (a.LastMs == curMs && a.ConversationID > curID)) {
			continue
		}
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b *convAgg) int {
		if a.LastMs != b.LastMs {
			if a.LastMs > b.LastMs {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ConversationID, b.ConversationID)
	})
	page := ConversationPage{Conversations: []ConversationSummary{}}
	for i, a := range list {
		if i == limit {
			last := page.Conversations[limit-1]
			page.NextCursor = EncodeCursor(last.LastMs, last.ConversationID)
			break
		}
		c := a.ConversationSummary
		c.Interactions = len(a.interactions)
		c.InputTokens, c.OutputTokens, c.TotalTokens = a.tokens.Tokens()
		for k := range a.contracts {
			c.Contracts = append(c.Contracts, k)
		}
		slices.Sort(c.Contracts)
		page.Conversations = append(page.Conversations, c)
	}
	return page, nil
}

type interAgg struct {
	InteractionSummary
	tokens    tokenSums
	previewAt int64 // seq of the message the preview is from
}

// scanInteractions answers an InteractionQuery from every record, for stores without
// indexes.
func scanInteractions(recs []StoredRecord, q InteractionQuery) (InteractionPage, error) {
	limit := PageSize(q.Limit, DefaultInteractionPage, MaxInteractionPage)
	var curMs int64
	var curID string
	if q.Cursor != "" {
		var err error
		if curMs, curID, err = DecodeCursor(q.Cursor); err != nil {
			return InteractionPage{}, err
		}
	}
	aggs := map[string]*interAgg{}
	for i := range recs {
		r := &recs[i]
		if r.ConversationID != q.ConversationID || (q.Contract != "" && r.ContractOrDefault() != q.Contract) {
			continue
		}
		a := aggs[r.InteractionID]
		if a == nil {
			a = &interAgg{}
			a.InteractionID, a.ConversationID = r.InteractionID, r.ConversationID
			a.StartMs, a.EndMs = r.TimeMs(), endMs(r)
			aggs[r.InteractionID] = a
		}
		a.StartMs, a.EndMs = min(a.StartMs, r.TimeMs()), max(a.EndMs, endMs(r))
		a.Records++
		a.tokens.add(r)
		if r.Summary.Error != "" {
			a.Errors++
		}
		a.UserID = max(a.UserID, r.Summary.UserID)
		a.SessionID = max(a.SessionID, r.SessionID)
		if r.Task == "message" && (r.Summary.Input != "" || r.Summary.Output != "") && r.Seq >= a.previewAt {
			a.Name, a.Input, a.Output, a.previewAt = r.Name, r.Summary.Input, r.Summary.Output, r.Seq
		}
	}
	var list []*interAgg
	for _, a := range aggs {
		if q.Cursor != "" && !(a.StartMs > curMs || (a.StartMs == curMs && a.InteractionID > curID)) {
			continue
		}
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b *interAgg) int {
		if a.StartMs != b.StartMs {
			if a.StartMs < b.StartMs {
				return -1
			}
			return 1
		}
		return strings.Compare(a.InteractionID, b.InteractionID)
	})
	page := InteractionPage{Interactions: []InteractionSummary{}}
	for i, a := range list {
		if i == limit {
			last := page.Interactions[limit-1]
			page.NextCursor = EncodeCursor(last.StartMs, last.InteractionID)
			break
		}
		it := a.InteractionSummary
		it.InputTokens, it.OutputTokens, it.TotalTokens = a.tokens.Tokens()
		page.Interactions = append(page.Interactions, it)
	}
	return page, nil
}
