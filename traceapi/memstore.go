package traceapi

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// MemoryStore is a Store held in memory. It is safe for concurrent use.
type MemoryStore struct {
	mu   sync.RWMutex
	recs []StoredRecord // arrival order
	byID map[string]int // Key → index in recs of the latest record with it
	seq  int64          // the last Seq given; not reset by Clear, so cursors never repeat
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{byID: map[string]int{}}
}

// Put implements Store. Under DuplicateReplace the latest record with rec.TraceID is
// overwritten where it stands; under DuplicateAppend rec is added and becomes the one a later
// replace overwrites.
func (s *MemoryStore) Put(ctx context.Context, rec StoredRecord, policy DuplicatePolicy) (PutOutcome, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := rec.Key()
	i, exists := s.byID[key]
	switch {
	case !exists:
		s.seq++
		rec.Seq = s.seq
		s.byID[key] = len(s.recs)
		s.recs = append(s.recs, rec)
		return Inserted, nil
	case policy == DuplicateReplace:
		rec.Seq = s.recs[i].Seq
		s.recs[i] = rec
		return Replaced, nil
	case policy == DuplicateAppend:
		s.seq++
		rec.Seq = s.seq
		s.byID[key] = len(s.recs)
		s.recs = append(s.recs, rec)
		return Appended, nil
	case policy == DuplicateReject:
		return 0, fmt.Errorf("record %q: %w", rec.TraceID, ErrDuplicate)
	default:
		return 0, fmt.Errorf("traceapi: invalid duplicate policy %d", int(policy))
	}
}

// List implements Store.
func (s *MemoryStore) List(ctx context.Context, f Filter) ([]StoredRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []StoredRecord{}
	// recs is in Seq order, so the first record after the cursor is found by bisection.
	start := 0
	if f.After > 0 {
		start = sort.Search(len(s.recs), func(i int) bool { return s.recs[i].Seq > f.After })
	}
	for i := start; i < len(s.recs) && (f.Limit <= 0 || len(out) < f.Limit); i++ {
		if f.Match(&s.recs[i]) {
			out = append(out, s.recs[i])
		}
	}
	return out, nil
}

// Conversations implements ViewStore by scanning every record.
func (s *MemoryStore) Conversations(ctx context.Context, q ConversationQuery) (ConversationPage, error) {
	if err := ctx.Err(); err != nil {
		return ConversationPage{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return scanConversations(s.recs, q)
}

// Interactions implements ViewStore by scanning every record.
func (s *MemoryStore) Interactions(ctx context.Context, q InteractionQuery) (InteractionPage, error) {
	if err := ctx.Err(); err != nil {
		return InteractionPage{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return scanInteractions(s.recs, q)
}

// Count implements Store.
func (s *MemoryStore) Count(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.recs), nil
}

// Clear implements Store.
func (s *MemoryStore) Clear(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = nil
	s.byID = map[string]int{}
	return nil
}

var _ ViewStore = (*MemoryStore)(nil)
