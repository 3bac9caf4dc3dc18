package traceapi_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

// The listing must hold each body byte for byte: key order, spacing, escapes and number
// spellings as sent, none of which a decode and re-encode would keep.
func TestRecordsListedExactlyAsReceived(t *testing.T) {
	bodies := []string{
		`{ "type" : "traces",  "task":"message", "interaction_id":"i1","conversation_id":"c1",` +
			` "input":"caf\u00e9 é <b>&amp;</b> \/ \"q\"", "metadata":{"z":1.50,"a":-0,"big":12345678901234567890} }`,
		vendorNullBody,
		"{\n  \"conversation_id\": \"c1\",\n  \"interaction_id\": \"i2\",\n  \"type\": \"traces\",\n  \"task\": \"tool\",\n  \"parent_id\": \"x\"\n}",
	}
	_, hs := newServer(t, traceapi.Config{})
	for _, b := range bodies {
		okTraceID(t, post(t, hs.URL, b))
	}
	r := do(t, hs.URL, req{method: http.MethodGet, path: "/v1/records"})
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if want := "[" + strings.Join(bodies, ",") + "]\n"; string(r.body) != want {
		t.Errorf("GET /v1/records =\n%s\nwant\n%s", r.body, want)
	}
}

func TestRecordsEmptyIsArray(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for _, q := range []string{"", "?task=tool"} {
		r := do(t, hs.URL, req{method: http.MethodGet, path: "/v1/records" + q})
		if r.status != http.StatusOK || string(r.body) != "[]\n" {
			t.Errorf("GET /v1/records%s on an empty store = %d %q, want 200 \"[]\\n\"", q, r.status, r.body)
		}
	}
}

func TestAuth(t *testing.T) {
	const secret = "0b1c2d3e-aaaa-4bbb-8ccc-000000000000:" + "5eb63bbbe01eeed093cb22bb8f5acdc3"
	_, hs := newServer(t, traceapi.Config{Token: secret})
	body := []byte(build(validFields()))

	tests := []struct {
		name   string
		method string
		path   string
		body   []byte
		token  *string
		header http.Header // extra headers
		want   int
	}{
		{"post with the token", "POST", "/v1/trace", body, ptr(secret), nil, 200},
		{"post without a token", "POST", "/v1/trace", body, nil, nil, 401},
		{"post with a wrong token", "POST", "/v1/trace", body, ptr("wrong"), nil, 401},
		{"post with an empty token", "POST", "/v1/trace", body, ptr(""), nil, 401},
		{"post with a token prefix", "POST", "/v1/trace", body, ptr(secret[:len(secret)-1]), nil, 401},
		{"post with the token and more", "POST", "/v1/trace", body, ptr(secret + "0"), nil, 401},
		{"post with the token upper-cased", "POST", "/v1/trace", body, ptr(strings.ToUpper(secret)), nil, 401},
		{"post with a Bearer token", "POST", "/v1/trace", body, nil, http.Header{"Authorization": {"Bearer " + secret}}, 401},
		{"post with Bearer in the token header", "POST", "/v1/trace", body, ptr("Bearer " + secret), nil, 401},
		{"post with the token twice", "POST", "/v1/trace", body, nil, http.Header{"Token": {secret, secret}}, 401},
		{"records without a token", "GET", "/v1/records", nil, nil, nil, 401},
		{"records with the token", "GET", "/v1/records", nil, ptr(secret), nil, 200},
		{"stats without a token", "GET", "/v1/stats", nil, ptr("nope"), nil, 401},
		{"stats with the token", "GET", "/v1/stats", nil, ptr(secret), nil, 200},
		{"delete without a token", "DELETE", "/v1/records", nil, nil, nil, 401},
		{"healthz needs no token", "GET", "/healthz", nil, nil, nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hr, err := http.NewRequest(tt.method, hs.URL+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != nil {
				hr.Header.Set("Content-Type", "application/json")
			}
			if tt.token != nil {
				hr.Header.Set("token", *tt.token)
			}
			for k, vs := range tt.header {
				for _, v := range vs {
					hr.Header.Add(k, v)
				}
			}
			r := send(t, hr)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.want, r.body)
			}
			if tt.want == 401 {
				if msg := apiError(t, r); msg != "invalid or missing token" {
					t.Errorf("error %q", msg)
				}
			}
		})
	}
	// The one authorised POST is the only record; the delete without a token did nothing.
	if got := records(t, hs.URL, ptr(secret), ""); len(got) != 1 {
		t.Errorf("%d records stored, want 1", len(got))
	}
}

func TestNoTokenConfiguredAcceptsAnyToken(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for _, tok := range []*string{nil, ptr(""), ptr("anything")} {
		okTraceID(t, do(t, hs.URL, req{body: []byte(with("trace_id", "null")), token: tok}))
	}
}

func TestMethodNotAllowed(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{Token: "tok"})
	tests := []struct {
		method, path, allow string
	}{
		{"GET", "/v1/trace", "POST"},
		{"PUT", "/v1/trace", "POST"},
		{"DELETE", "/v1/trace", "POST"},
		{"PATCH", "/v1/records", "DELETE, GET, HEAD"},
		{"POST", "/v1/records", "DELETE, GET, HEAD"},
		{"POST", "/v1/stats", "GET, HEAD"},
		{"DELETE", "/healthz", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			// No token: the method is refused before the token is looked at.
			r := do(t, hs.URL, req{method: tt.method, path: tt.path})
			if r.status != http.StatusMethodNotAllowed {
				t.Fatalf("status %d, want 405", r.status)
			}
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
			if msg := apiError(t, r); !strings.Contains(msg, tt.method) {
				t.Errorf("error %q does not name the method", msg)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for _, p := range []string{"/", "/v1/traces", "/v1/trace/x", "/v1/traces/batch/x", "/v2/logs", "/v2/projects/x"} {
		r := do(t, hs.URL, req{path: p, body: []byte(build(validFields()))})
		if r.status != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", p, r.status)
			continue
		}
		apiError(t, r)
	}
}

// hideLength wraps a reader so the client cannot know the length and sends it chunked.
type hideLength struct{ io.Reader }

func TestBodyTooLarge(t *testing.T) {
	const limit = 512
	// exact builds a valid record of exactly n bytes by padding its input.
	exact := func(n int) []byte {
		pad := n - len(with("input", `""`))
		b := []byte(with("input", `"`+strings.Repeat("x", pad)+`"`))
		if len(b) != n {
			panic("exact: wrong length")
		}
		return b
	}
	tests := []struct {
		name    string
		cfg     traceapi.Config
		body    []byte
		chunked bool
		want    int
	}{
		{"at the limit", traceapi.Config{MaxBodyBytes: limit}, exact(limit), false, 200},
		{"one byte over", traceapi.Config{MaxBodyBytes: limit}, exact(limit + 1), false, 413},
		{"chunked, at the limit", traceapi.Config{MaxBodyBytes: limit}, exact(limit), true, 200},
		{"chunked, one byte over", traceapi.Config{MaxBodyBytes: limit}, exact(limit + 1), true, 413},
		{"default limit, at it", traceapi.Config{}, exact(int(traceapi.DefaultMaxBodyBytes)), false, 200},
		{"default limit, over it", traceapi.Config{}, exact(int(traceapi.DefaultMaxBodyBytes) + 1), false, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, hs := newServer(t, tt.cfg)
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = hideLength{body}
			}
			hr, _ := http.NewRequest(http.MethodPost, hs.URL+"/v1/trace", body)
			hr.Header.Set("Content-Type", "application/json")
			r := send(t, hr)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d; body %.200s", r.status, tt.want, r.body)
			}
			if tt.want == 413 {
				if msg := apiError(t, r); !strings.HasPrefix(msg, "body: ") {
					t.Errorf("error %q does not name the body", msg)
				}
				if st := stats(t, hs.URL, nil); st.Rejected != 1 || st.Stored != 0 {
					t.Errorf("stats %+v, want 1 rejected, 0 stored", st)
				}
			}
		})
	}
}

func TestContentType(t *testing.T) {
	tests := []struct {
		ct   string
		want int
	}{
		{"application/json", 200},
		{"application/json; charset=utf-8", 200},
		{"Application/JSON", 200},
		{"-", 415}, // no header
		{"text/plain", 415},
		{"application/x-www-form-urlencoded", 415},
		{"application/jsonx", 415},
		{"application/json-patch+json", 415},
		{"not a media type;;", 415},
	}
	for _, tt := range tests {
		t.Run(tt.ct, func(t *testing.T) {
			_, hs := newServer(t, traceapi.Config{})
			r := do(t, hs.URL, req{body: []byte(build(validFields())), contentType: tt.ct})
			if r.status != tt.want {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.want, r.body)
			}
			if tt.want == 415 {
				if msg := apiError(t, r); !strings.HasPrefix(msg, "Content-Type: ") {
					t.Errorf("error %q does not name Content-Type", msg)
				}
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{Token: "t"})
	r := do(t, hs.URL, req{method: http.MethodGet, path: "/healthz"})
	if r.status != 200 || string(r.body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 \"ok\"", r.status, r.body)
	}
}

func TestDeleteRecordsClearsStoreAndCounters(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{Token: "t"})
	tok := ptr("t")
	okTraceID(t, do(t, hs.URL, req{body: []byte(build(validFields())), token: tok}))
	do(t, hs.URL, req{body: []byte("{"), token: tok})
	if st := stats(t, hs.URL, tok); st != (traceapi.Stats{Received: 1, Stored: 1, Rejected: 1}) {
		t.Fatalf("stats before DELETE = %+v", st)
	}
	if r := do(t, hs.URL, req{method: http.MethodDelete, path: "/v1/records?task=tool", token: tok}); r.status != 400 {
		t.Errorf("DELETE with a filter: status %d, want 400", r.status)
	}
	r := do(t, hs.URL, req{method: http.MethodDelete, path: "/v1/records", token: tok})
	if r.status != 200 || string(r.body) != "{\"status\":200}\n" {
		t.Fatalf("DELETE /v1/records = %d %s", r.status, r.body)
	}
	if got := records(t, hs.URL, tok, ""); len(got) != 0 {
		t.Errorf("%d records after DELETE", len(got))
	}
	if st := stats(t, hs.URL, tok); st != (traceapi.Stats{}) {
		t.Errorf("stats after DELETE = %+v, want zero", st)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  traceapi.Config
	}{
		{"negative body limit", traceapi.Config{MaxBodyBytes: -1}},
		{"unknown policy", traceapi.Config{OnDuplicate: traceapi.DuplicatePolicy(7)}},
		{"token with a trailing space", traceapi.Config{Token: "sekrit-abc "}},
		{"token with a newline", traceapi.Config{Token: "sekrit\nabc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := traceapi.New(tt.cfg)
			if err == nil {
				t.Fatal("New succeeded")
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}
