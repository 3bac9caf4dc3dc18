package traceapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

// bearer sends body with method to path, authenticated as the contracts other than v1 are.
func bearer(t *testing.T, base, method, path, token, body string) resp {
	t.Helper()
	hr, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if token != "" {
		hr.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, hr)
}

// drop, as a value given to set, removes the key.
var drop = &struct{}{}

// set returns the JSON document doc with the value at path (keys and array indexes joined by
// dots: "spans.0.content.input") replaced by v, or removed when v is drop.
func set(t *testing.T, doc, path string, v any) string {
	t.Helper()
	var root any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("test document: %v", err)
	}
	parts := strings.Split(path, ".")
	cur := root
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if v == drop {
					delete(c, p)
				} else {
					c[p] = v
				}
			}
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			if last {
				c[n] = v
			}
			cur = c[n]
		default:
			t.Fatalf("path %s: %T at %s", path, cur, p)
		}
	}
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// raw is JSON text given as a value to set, inserted as it is.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// items lists GET /v1/items with query q.
func items(t *testing.T, base, q string) []traceapi.Item {
	t.Helper()
	r := do(t, base, req{method: http.MethodGet, path: "/v1/items" + q})
	if r.status != http.StatusOK {
		t.Fatalf("GET /v1/items%s: %d %s", q, r.status, r.body)
	}
	var out []traceapi.Item
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("GET /v1/items: %v: %s", err, r.body)
	}
	return out
}

// invalid is one body that breaks a contract and what the 400 must name.
type invalid struct {
	name, body, want string
}

// checkInvalid posts each body and wants a 400 whose message contains want, and nothing
// stored.
func checkInvalid(t *testing.T, base, method, path string, cases []invalid) {
	t.Helper()
	before := len(items(t, base, ""))
	for _, c := range cases {
		r := bearer(t, base, method, path, "", c.body)
		if r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d (%s), want 400", c.name, r.status, r.body)
			continue
		}
		if msg := apiError(t, r); !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q does not contain %q", c.name, msg, c.want)
		}
	}
	if after := len(items(t, base, "")); after != before {
		t.Errorf("invalid bodies stored %d items", after-before)
	}
}
