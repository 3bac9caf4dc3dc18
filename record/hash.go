package record

import (
	"encoding/binary"
	"hash/maphash"
	"math"
)

// Hash digests everything r would send, without encoding it: two records with the same hash
// encode to the same bytes (up to the seed's collision odds). Senders compare hashes to
// re-send only records that changed.
func (r *Record) Hash(seed maphash.Seed) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	for _, s := range [...]string{r.TraceID, r.ConversationID, r.InteractionID, r.ParentID, r.SessionID, string(r.Task),
		r.ChannelID, r.Input, r.Output, r.FeedbackTag, r.FeedbackText, r.Custom} {
		writeString(&h, s)
	}
	var n [8]byte
	for _, v := range [...]int64{r.StartTimestamp, r.EndTimestamp, r.Latency} {
		binary.LittleEndian.PutUint64(n[:], uint64(v))
		_, _ = h.Write(n[:])
	}
	if r.User.IsZero() {
		_ = h.WriteByte(0)
	} else {
		_ = h.WriteByte(1)
		writeString(&h, r.User.ID)
		writeString(&h, r.User.Email)
		writeString(&h, r.User.Phone)
		for _, k := range sortedKeys(r.User.Extra) {
			writeString(&h, k)
			writeString(&h, r.User.Extra[k])
		}
	}
	// Metadata in any order: each pair hashed on its own, the sums added, so that no
	// sorting (and no allocation) is needed.
	var sum uint64
	for k, v := range r.Metadata {
		var e maphash.Hash
		e.SetSeed(seed)
		writeString(&e, k)
		writeValue(&e, v)
		sum += e.Sum64()
	}
	binary.LittleEndian.PutUint64(n[:], sum)
	_, _ = h.Write(n[:])
	return h.Sum64()
}

// writeString writes s with its length, so that field boundaries cannot shift.
func writeString(h *maphash.Hash, s string) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
	_, _ = h.Write(n[:])
	_, _ = h.WriteString(s)
}

func writeValue(h *maphash.Hash, v any) {
	var n [8]byte
	switch x := v.(type) {
	case string:
		_ = h.WriteByte('s')
		writeString(h, x)
	case int64:
		_ = h.WriteByte('i')
		binary.LittleEndian.PutUint64(n[:], uint64(x))
		_, _ = h.Write(n[:])
	case int:
		_ = h.WriteByte('i')
		binary.LittleEndian.PutUint64(n[:], uint64(x))
		_, _ = h.Write(n[:])
	case float64:
		_ = h.WriteByte('f')
		binary.LittleEndian.PutUint64(n[:], math.Float64bits(x))
		_, _ = h.Write(n[:])
	case bool:
		_ = h.WriteByte('b')
		if x {
			_ = h.WriteByte(1)
		} else {
			_ = h.WriteByte(0)
		}
	default: // slices, maps and anything else: their encoding is their identity
		_ = h.WriteByte('j')
		writeString(h, string(appendValue(nil, x)))
	}
}
