package destination

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/record"
)

// attr is one scalar attribute: a string, a boolean, an integer or a float.
type attr struct {
	key  string
	kind attrKind
	str  string
	num  int64 // attrInt, and attrBool (1 is true)
	flt  float64
}

type attrKind uint8

const (
	attrString attrKind = iota
	attrBool
	attrInt
	attrFloat
)

// attrs collects the attributes of one item in the order they are set, in slices reused
// from record to record: the maps they used to go through cost an allocation per key.
// sort orders them by key, the value set last winning, as in a map written in that order.
type attrs struct {
	list  []attr      // as set
	order []attrOrder // after sort: list by key, one entry per key
}

// attrOrder is an attribute's place in list and the first bytes of its key: most keys
// differ there, so sorting compares integers and moves 16 bytes without pointers.
type attrOrder struct {
	prefix uint64
	i      int32
}

func boolAttr(k string, v bool) attr {
	if v {
		return attr{key: k, kind: attrBool, num: 1}
	}
	return attr{key: k, kind: attrBool}
}

func (a *attrs) reset() { a.list, a.order = a.list[:0], a.order[:0] }

func (a *attrs) add(v attr) { a.list = append(a.list, v) }

func (a *attrs) str(k, v string) {
	if v != "" {
		a.add(attr{key: k, str: v})
	}
}

// recordFields adds a record's own fields that APIs with only attributes have no field for:
// task, record id, channel, custom data, feedback.
func (a *attrs) recordFields(r *record.Record) {
	a.add(attr{key: "task", str: string(r.Task)})
	a.str("record_id", r.TraceID)
	a.str("channel_id", r.ChannelID)
	a.str("custom", r.Custom)
	a.str("feedback_tag", r.FeedbackTag)
	a.str("feedback_text", r.FeedbackText)
}

// identity adds the ids an interaction shares: conversation, interaction, session, user.
func (a *attrs) identity(r *record.Record) {
	a.str("conversation_id", r.ConversationID)
	a.str("interaction_id", r.InteractionID)
	a.str("session_id", r.SessionID)
	if u := r.User; !u.IsZero() {
		a.str("user_id", u.ID)
		a.str("user_email", u.Email)
		a.str("user_phone", u.Phone)
		for k, v := range u.Extra {
			a.str("user."+k, v)
		}
	}
}

// traceFields adds what every record of an interaction shares: its ids, user, channel and
// custom data.
func (a *attrs) traceFields(r *record.Record) {
	a.identity(r)
	a.str("channel_id", r.ChannelID)
	a.str("custom", r.Custom)
}

// metadata adds the record's metadata flattened to scalars: strings, numbers and booleans
// as they are, nested objects under dotted keys, lists as JSON text. skip names keys left
// out (mapped to a field of their own).
func (a *attrs) metadata(r *record.Record, skip ...string) {
	for k, v := range r.Metadata {
		if !slices.Contains(skip, k) {
			a.flatten(k, v)
		}
	}
}

func (a *attrs) flatten(k string, v any) {
	switch x := v.(type) {
	case nil:
	case string:
		a.add(attr{key: k, str: x})
	case bool:
		a.add(boolAttr(k, x))
	case int64:
		a.add(attr{key: k, kind: attrInt, num: x})
	case int:
		a.add(attr{key: k, kind: attrInt, num: int64(x)})
	case float64:
		a.add(attr{key: k, kind: attrFloat, flt: x})
	case json.Number:
		if n, err := x.Int64(); err == nil {
			a.add(attr{key: k, kind: attrInt, num: n})
		} else if f, err := x.Float64(); err == nil {
			a.add(attr{key: k, kind: attrFloat, flt: f})
		}
	case map[string]any:
		for kk, vv := range x {
			a.flatten(k+"."+kk, vv)
		}
	default: // lists and anything else: JSON text
		a.add(attr{key: k, str: jsonTextOfValue(x)})
	}
}

// jsonTextOfValue is v encoded as JSON; string lists (tags) without reflection.
func jsonTextOfValue(v any) string {
	if list, ok := v.([]string); ok && list != nil {
		return string(appendJSONStrings(nil, list))
	}
	return string(marshal(v))
}

// sort fills a.order.
func (a *attrs) sort() {
	order := a.order[:0]
	for i := range a.list {
		order = append(order, attrOrder{keyPrefix(a.list[i].key), int32(i)})
	}
	if len(order) <= 48 {
		// Insertion sort: few keys, mostly told apart by their prefixes.
		for i := 1; i < len(order); i++ {
			for j := i; j > 0 && a.before(order[j], order[j-1]); j-- {
				order[j], order[j-1] = order[j-1], order[j]
			}
		}
	} else {
		slices.SortFunc(order, func(x, y attrOrder) int {
			if a.before(x, y) {
				return -1
			}
			return 1 // never equal: indexes differ
		})
	}
	// Of a key set twice, keep the last.
	out := order[:0]
	for k, o := range order {
		if k+1 < len(order) && order[k+1].prefix == o.prefix && a.list[order[k+1].i].key == a.list[o.i].key {
			continue
		}
		out = append(out, o)
	}
	a.order = out
}

// before orders by key, then by when the attribute was set.
func (a *attrs) before(x, y attrOrder) bool {
	if x.prefix != y.prefix {
		return x.prefix < y.prefix
	}
	if c := strings.Compare(a.list[x.i].key, a.list[y.i].key); c != 0 {
		return c < 0
	}
	return x.i < y.i
}

// keyPrefix is the first 8 bytes of k, big-endian and zero-padded: prefixes order as the
// keys do, or are equal.
func keyPrefix(k string) uint64 {
	if len(k) >= 8 {
		return uint64(k[0])<<56 | uint64(k[1])<<48 | uint64(k[2])<<40 | uint64(k[3])<<32 |
			uint64(k[4])<<24 | uint64(k[5])<<16 | uint64(k[6])<<8 | uint64(k[7])
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(k) {
			p |= uint64(k[i])
		}
	}
	return p
}

// appendStringAttrs appends the attributes, sorted, as a JSON object of strings, the batch
// API's form: numbers and booleans as their text.
func appendStringAttrs(b []byte, a *attrs) []byte {
	a.sort()
	b = append(b, '{')
	for k, o := range a.order {
		if k > 0 {
			b = append(b, ',')
		}
		v := &a.list[o.i]
		b = record.AppendString(b, v.key)
		b = append(b, ':')
		switch v.kind {
		case attrString:
			b = record.AppendString(b, v.str)
		case attrBool:
			b = append(b, '"')
			b = strconv.AppendBool(b, v.num != 0)
			b = append(b, '"')
		case attrInt:
			b = append(b, '"')
			b = strconv.AppendInt(b, v.num, 10)
			b = append(b, '"')
		case attrFloat:
			b = append(b, '"')
			b = strconv.AppendFloat(b, v.flt, 'g', -1, 64)
			b = append(b, '"')
		}
	}
	return append(b, '}')
}

// appendAttrObject appends the attributes, sorted, as a JSON object of typed values, as
// encoding/json writes a map[string]any.
func appendAttrObject(b []byte, a *attrs) []byte {
	a.sort()
	b = append(b, '{')
	for k, o := range a.order {
		if k > 0 {
			b = append(b, ',')
		}
		b = record.AppendString(b, a.list[o.i].key)
		b = append(b, ':')
		b = appendAttrValue(b, &a.list[o.i])
	}
	return append(b, '}')
}

// appendAttrValue appends an attribute's value as encoding/json writes it.
func appendAttrValue(b []byte, v *attr) []byte {
	switch v.kind {
	case attrBool:
		return strconv.AppendBool(b, v.num != 0)
	case attrInt:
		return strconv.AppendInt(b, v.num, 10)
	case attrFloat:
		return appendJSONFloat(b, v.flt)
	}
	return record.AppendString(b, v.str)
}
