package traceapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/record"
)

// FieldError is a body that breaks the contract. Field names the offending top-level field
// (or "user.<key>", or "body" for the body as a whole); the server answers 400 with Error().
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

type fieldKind uint8

const (
	kindString fieldKind = iota
	kindInt
	kindUser
	kindObject
)

type fieldSpec struct {
	name     string
	kind     fieldKind
	required bool
}

// fields lists the 18 fields of the v1 body in the contract's order, which is also the order
// in which they are checked, so that the reported error does not depend on key order.
var fields = []fieldSpec{
	{"trace_id", kindString, false},
	{"conversation_id", kindString, true},
	{"interaction_id", kindString, true},
	{"parent_id", kindString, false},
	{"session_id", kindString, false},
	{"type", kindString, true},
	{"task", kindString, true},
	{"channel_id", kindString, false},
	{"input", kindString, false},
	{"output", kindString, false},
	{"feedback_tag", kindString, false},
	{"feedback_text", kindString, false},
	{"start_timestamp", kindInt, false},
	{"end_timestamp", kindInt, false},
	{"latency", kindInt, false},
	{"custom", kindString, false},
	{"user", kindUser, false},
	{"metadata", kindObject, false},
}

var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(fields))
	for i, f := range fields {
		m[f.name] = i
	}
	return m
}()

// ParseRecord checks body against the v1 contract and returns the fields a store indexes,
// with Raw set to body. TraceID is empty when the body's trace_id is null or missing. A
// contract violation is a *FieldError.
func ParseRecord(body []byte) (StoredRecord, error) {
	vals, err := topLevel(body)
	if err != nil {
		return StoredRecord{}, err
	}
	str := make(map[string]string, len(fields))
	for i, f := range fields {
		raw := vals[i]
		if raw == nil || kindOf(raw) == "null" {
			if f.required {
				if raw == nil {
					return StoredRecord{}, fieldErr(f.name, "required field is missing")
				}
				return StoredRecord{}, fieldErr(f.name, "must not be null")
			}
			continue
		}
		switch f.kind {
		case kindString:
			s, err := checkString(f, raw)
			if err != nil {
				return StoredRecord{}, err
			}
			str[f.name] = s
		case kindInt:
			err = checkInt(f.name, raw)
		case kindUser:
			err = checkUser(raw)
		case kindObject:
			if k := kindOf(raw); k != "object" {
				err = fieldErr(f.name, "must be an object, got %s", k)
			}
		}
		if err != nil {
			return StoredRecord{}, err
		}
	}
	return StoredRecord{
		TraceID:        str["trace_id"],
		ConversationID: str["conversation_id"],
		InteractionID:  str["interaction_id"],
		ParentID:       str["parent_id"],
		SessionID:      str["session_id"],
		Task:           record.Task(str["task"]),
		Raw:            body,
	}, nil
}

// topLevel splits body into the raw values of the known fields, indexed like fields; a
// missing field is nil. It rejects invalid JSON, non-objects, unknown and repeated keys.
func topLevel(body []byte) ([]json.RawMessage, error) {
	if !utf8.Valid(body) {
		return nil, fieldErr("body", "not valid UTF-8")
	}
	// Unmarshal checks the whole body, trailing data included, before anything is looked at,
	// so that a syntax error is reported as such rather than as some field's problem.
	var whole json.RawMessage
	if err := json.Unmarshal(body, &whole); err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, fieldErr("body", "empty, want a JSON object")
		}
		return nil, fieldErr("body", "invalid JSON: %v", err)
	}
	if k := kindOf(whole); k != "object" {
		return nil, fieldErr("body", "must be a JSON object, got %s", k)
	}
	vals := make([]json.RawMessage, len(fields))
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // the opening brace
		return nil, fieldErr("body", "invalid JSON: %v", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fieldErr("body", "invalid JSON: %v", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fieldErr("body", "invalid JSON: %v", err)
		}
		i, ok := fieldIndex[key]
		if !ok {
			if key == "" {
				key = `""`
			}
			return nil, fieldErr(key, "unknown field (the v1 body has no such field)")
		}
		// encoding/json would silently keep the last of two equal keys; a body that says
		// two things about one field is a client bug worth reporting.
		if vals[i] != nil {
			return nil, fieldErr(key, "repeated key")
		}
		vals[i] = bytes.TrimSpace(raw)
	}
	return vals, nil
}

func checkString(f fieldSpec, raw json.RawMessage) (string, error) {
	if k := kindOf(raw); k != "string" {
		return "", fieldErr(f.name, "must be a string, got %s", k)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fieldErr(f.name, "invalid string: %v", err)
	}
	switch f.name {
	case "type":
		if s != record.Type {
			return "", fieldErr(f.name, "must be %q, got %s", record.Type, quoteShort(s))
		}
	case "task":
		if !record.Task(s).Valid() {
			return "", fieldErr(f.name, "unknown task %s (want one of %s)", quoteShort(s), taskList)
		}
	case "feedback_tag":
		if !record.ValidFeedbackTag(s) {
			return "", fieldErr(f.name, "unknown feedback tag %s (want positive, negative or neutral)", quoteShort(s))
		}
	case "trace_id":
		if s == "" {
			return "", fieldErr(f.name, "must not be empty (send null to have one assigned)")
		}
	}
	if f.required && s == "" {
		return "", fieldErr(f.name, "must not be empty")
	}
	return s, nil
}

var taskList = func() string {
	var b []byte
	for i, t := range record.Tasks {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, t...)
	}
	return string(b)
}()

func checkInt(name string, raw json.RawMessage) error {
	if k := kindOf(raw); k != "number" {
		return fieldErr(name, "must be an integer, got %s", k)
	}
	if bytes.ContainsAny(raw, ".eE") {
		return fieldErr(name, "must be an integer, got non-integer number %s", short(string(raw)))
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return fieldErr(name, "must fit in a signed 64-bit integer, got %s", short(string(raw)))
	}
	if n < 0 {
		return fieldErr(name, "must not be negative, got %d", n)
	}
	return nil
}

func checkUser(raw json.RawMessage) error {
	if k := kindOf(raw); k != "object" {
		return fieldErr("user", "must be an object, got %s", k)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fieldErr("user", "invalid object: %v", err)
	}
	// Sorted, so the same body always reports the same key.
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if kind := kindOf(m[k]); kind != "string" {
			return fieldErr("user."+k, "must be a string, got %s", kind)
		}
	}
	return nil
}

// kindOf names the JSON type of a valid raw value.
func kindOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

// quoteShort quotes a client-supplied string for an error message, cut to a readable length.
func quoteShort(s string) string { return strconv.Quote(short(s)) }

func short(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}
