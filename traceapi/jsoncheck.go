package traceapi

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The contracts other than v1 are checked with these helpers: every error is a *FieldError
// whose Field is the path of the offending value ("traces[0].spans[2].kind",
// "span.content.input"), so a 400 says exactly what is wrong.

// object is a JSON object read strictly: no unknown and no repeated keys.
type object struct {
	path string
	vals map[string]json.RawMessage
	keys []string // in the order received
}

// parseBody checks that body is valid UTF-8 holding exactly one JSON value.
func parseBody(body []byte) (json.RawMessage, error) {
	if !utf8.Valid(body) {
		return nil, fieldErr("body", "not valid UTF-8")
	}
	var whole json.RawMessage
	if err := json.Unmarshal(body, &whole); err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, fieldErr("body", "empty, want JSON")
		}
		return nil, fieldErr("body", "invalid JSON: %v", err)
	}
	return bytes.TrimSpace(whole), nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// readObject reads raw as an object with the given keys (any other is an error).
func readObject(raw json.RawMessage, path string, allowed ...string) (*object, error) {
	name := path
	if name == "" {
		name = "body"
	}
	if k := kindOf(raw); k != "object" {
		return nil, fieldErr(name, "must be an object, got %s", k)
	}
	o := &object{path: path, vals: map[string]json.RawMessage{}}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, fieldErr(name, "invalid JSON: %v", err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fieldErr(name, "invalid JSON: %v", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fieldErr(name, "invalid JSON: %v", err)
		}
		if allowed != nil && !contains(allowed, key) {
			if key == "" {
				key = `""`
			}
			return nil, fieldErr(join(path, short(key)), "unknown field (want one of %v)", allowed)
		}
		if _, dup := o.vals[key]; dup {
			return nil, fieldErr(join(path, short(key)), "repeated key")
		}
		o.vals[key] = bytes.TrimSpace(v)
		o.keys = append(o.keys, key)
	}
	return o, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// has reports whether key is present and not null.
func (o *object) has(key string) bool {
	v, ok := o.vals[key]
	return ok && kindOf(v) != "null"
}

func (o *object) field(key string) string { return join(o.path, key) }

// str reads a string; required makes absence or null an error.
func (o *object) str(key string, required bool) (string, error) {
	v, ok := o.vals[key]
	if !ok || kindOf(v) == "null" {
		if required {
			if !ok {
				return "", fieldErr(o.field(key), "required field is missing")
			}
			return "", fieldErr(o.field(key), "must not be null")
		}
		return "", nil
	}
	if k := kindOf(v); k != "string" {
		return "", fieldErr(o.field(key), "must be a string, got %s", k)
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return "", fieldErr(o.field(key), "invalid string: %v", err)
	}
	return s, nil
}

// nonEmpty reads a required string that must not be empty.
func (o *object) nonEmpty(key string) (string, error) {
	s, err := o.str(key, true)
	if err == nil && s == "" {
		err = fieldErr(o.field(key), "must not be empty")
	}
	return s, err
}

// number reads a finite JSON number.
func (o *object) number(key string, required bool) (float64, bool, error) {
	v, ok := o.vals[key]
	if !ok || kindOf(v) == "null" {
		if required {
			return 0, false, fieldErr(o.field(key), "required field is missing")
		}
		return 0, false, nil
	}
	if k := kindOf(v); k != "number" {
		return 0, false, fieldErr(o.field(key), "must be a number, got %s", k)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false, fieldErr(o.field(key), "must be a finite number, got %s", short(string(v)))
	}
	if f < 0 {
		return 0, false, fieldErr(o.field(key), "must not be negative, got %s", short(string(v)))
	}
	return f, true, nil
}

// integer reads a non-negative JSON integer.
func (o *object) integer(key string, required bool) (int64, bool, error) {
	v, ok := o.vals[key]
	if !ok || kindOf(v) == "null" {
		if required {
			return 0, false, fieldErr(o.field(key), "required field is missing")
		}
		return 0, false, nil
	}
	if err := checkInt(o.field(key), v); err != nil {
		return 0, false, err
	}
	n, _ := strconv.ParseInt(string(v), 10, 64)
	return n, true, nil
}

// boolean reads an optional boolean.
func (o *object) boolean(key string) error {
	if v, ok := o.vals[key]; ok && kindOf(v) != "null" && kindOf(v) != "boolean" {
		return fieldErr(o.field(key), "must be a boolean, got %s", kindOf(v))
	}
	return nil
}

// array reads an array; required makes absence or null an error.
func (o *object) array(key string, required bool) ([]json.RawMessage, error) {
	v, ok := o.vals[key]
	if !ok || kindOf(v) == "null" {
		if required {
			return nil, fieldErr(o.field(key), "required field is missing")
		}
		return nil, nil
	}
	if k := kindOf(v); k != "array" {
		return nil, fieldErr(o.field(key), "must be an array, got %s", k)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, fieldErr(o.field(key), "invalid array: %v", err)
	}
	for i := range items {
		items[i] = bytes.TrimSpace(items[i])
	}
	return items, nil
}

// sub reads a nested object with the given keys; absent or null gives nil.
func (o *object) sub(key string, required bool, allowed ...string) (*object, error) {
	v, ok := o.vals[key]
	if !ok || kindOf(v) == "null" {
		if required {
			return nil, fieldErr(o.field(key), "required field is missing")
		}
		return nil, nil
	}
	return readObject(v, o.field(key), allowed...)
}

// valueKinds checks that every value of the object at key is of one of the JSON kinds
// given ("string", "number", "boolean", "integer"), and returns the string values.
func (o *object) valueKinds(key string, kinds ...string) (map[string]string, error) {
	m, err := o.sub(key, false)
	if err != nil || m == nil {
		return nil, err
	}
	strs := map[string]string{}
	for _, k := range m.keys {
		v := m.vals[k]
		kind := kindOf(v)
		if kind == "number" && contains(kinds, "integer") && !contains(kinds, "number") {
			if checkInt(m.field(k), v) != nil {
				return nil, fieldErr(m.field(short(k)), "must be an integer, got %s", short(string(v)))
			}
			kind = "integer"
		}
		if !contains(kinds, kind) {
			return nil, fieldErr(m.field(short(k)), "must be one of %v, got %s", kinds, kindOf(v))
		}
		if kind == "string" {
			var s string
			_ = json.Unmarshal(v, &s)
			strs[k] = s
		}
	}
	return strs, nil
}

// isoTime reads an optional ISO-8601 (RFC 3339) time.
func (o *object) isoTime(key string) (time.Time, bool, error) {
	s, err := o.str(key, false)
	if err != nil || s == "" {
		return time.Time{}, false, err
	}
	t, perr := time.Parse(time.RFC3339Nano, s)
	if perr != nil {
		return time.Time{}, false, fieldErr(o.field(key), "must be an ISO-8601 time such as 2026-01-02T15:04:05.000Z, got %s", quoteShort(s))
	}
	return t, true, nil
}

// without returns the object re-encoded without the given keys, the others as received
// and in their order.
func (o *object) without(drop ...string) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, k := range o.keys {
		if contains(drop, k) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}
