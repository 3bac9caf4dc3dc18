package traceapi

import (
	"context"
	"fmt"
	"sync"
)

// MemoryStore is a Store held in memory. It is safe for concurrent use.
type MemoryStore struct {
	mu   sync.RWMutex
	recs []StoredRecord // arrival order
	byID map[string]int // Key → index in recs of the latest record with it
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
		s.byID[key] = len(s.recs)
		s.recs = append(s.recs, rec)
		return Inserted, nil
	case policy == DuplicateReplace:
		s.recs[i] = rec
		return Replaced, nil
	case policy == DuplicateAppend:
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
	for i := range s.recs {
		if f.Match(&s.recs[i]) {
			out = append(out, s.recs[i])
		}
	}
	return out, nil
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

var _ Store = (*MemoryStore)(nil)
