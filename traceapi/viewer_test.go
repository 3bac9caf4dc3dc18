package traceapi_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

const wantCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// browser sends requests as a browser would, without following redirects.
type browser struct {
	t      *testing.T
	base   string
	cookie *http.Cookie
	host   string // Host header, when not the base's
	origin string
	header http.Header // more headers
}

func (b *browser) do(method, path, contentType, body string) resp {
	b.t.Helper()
	hr, err := http.NewRequest(method, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if b.cookie != nil {
		hr.AddCookie(b.cookie)
	}
	if b.host != "" {
		hr.Host = b.host
	}
	if b.origin != "" {
		hr.Header.Set("Origin", b.origin)
	}
	for k, vs := range b.header {
		hr.Header[k] = vs
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(hr)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: got}
}

func (b *browser) get(path string) resp { b.t.Helper(); return b.do(http.MethodGet, path, "", "") }

func TestViewerPageAndAssets(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	b := &browser{t: t, base: hs.URL}
	r := b.get("/")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if got := r.header.Get("Content-Security-Policy"); got != wantCSP {
		t.Errorf("CSP = %q, want %q", got, wantCSP)
	}
	if r.header.Get("X-Frame-Options") != "DENY" || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers: %v", r.header)
	}
	// Every script is a file: none inline, none from elsewhere.
	scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(string(r.body), -1)
	if len(scripts) != 1 || scripts[0] != `<script src="/ui/app.js" defer>` {
		t.Errorf("scripts of the page: %q", scripts)
	}
	if regexp.MustCompile(`(?i)(src|href)="(https?:)?//`).Match(r.body) || strings.Contains(string(r.body), " on") && regexp.MustCompile(`\son[a-z]+=`).Match(r.body) {
		t.Error("the page loads something from elsewhere or has an inline handler")
	}
	for path, ctype := range map[string]string{
		"/ui/app.js": "text/javascript; charset=utf-8", "/ui/style.css": "text/css; charset=utf-8", "/ui/login.js": "text/javascript; charset=utf-8",
	} {
		r := b.get(path)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != ctype || r.header.Get("Content-Security-Policy") != wantCSP || len(r.body) < 100 {
			t.Errorf("GET %s: %d %q, %d bytes", path, r.status, r.header.Get("Content-Type"), len(r.body))
		}
	}
	for _, path := range []string{"/ui/", "/ui/index.html", "/ui/nope.js", "/ui/x/app.js", "/index.html", "/viewer.go"} {
		if r := b.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	if r := b.do(http.MethodPost, "/ui/app.js", "", ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /ui/app.js: %d", r.status)
	}
}

// The viewer's script must never turn data into markup; the browser test checks the
// result, this the means.
func TestViewerScriptHasNoMarkupSinks(t *testing.T) {
	for _, name := range []string{"ui/app.js", "ui/login.js"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "setAttribute('on", "srcdoc"} {
			if strings.Contains(string(src), sink) {
				t.Errorf("%s uses %s", name, sink)
			}
		}
	}
}

func TestViewerToken(t *testing.T) {
	const token = "viewer-secret-123"
	srv, hs := newServer(t, traceapi.Config{Token: token})
	_ = srv
	okTraceID(t, do(t, hs.URL, req{body: []byte(build(validFields())), token: ptr(token)}))
	anon := &browser{t: t, base: hs.URL}

	// Without a session: the login page, and the data stays closed.
	r := anon.get("/")
	if r.status != http.StatusUnauthorized || !strings.Contains(string(r.body), `action="/login"`) || r.header.Get("Content-Security-Policy") != wantCSP {
		t.Fatalf("GET / without a session: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/v1/records", "/v1/items", "/v1/stats", "/v1/view/conversations", "/v1/view/interactions?conversation_id=conv-1", "/v1/view/interaction?id=int-1", "/v1/view/revision"} {
		if r := anon.get(path); r.status != http.StatusUnauthorized {
			t.Errorf("GET %s without a session: %d", path, r.status)
		}
	}

	// A wrong token is told so; the right one sets the cookie and leaves the address bar.
	if r := anon.get("/?token=wrong"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/?login=failed" || len(r.header.Values("Set-Cookie")) != 0 {
		t.Errorf("/?token=wrong: %d %v", r.status, r.header)
	}
	r = anon.get("/?token=" + url.QueryEscape(token))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/" {
		t.Fatalf("/?token=good: %d %v", r.status, r.header)
	}
	cookies := (&http.Response{Header: r.header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("cookies: %v", r.header.Values("Set-Cookie"))
	}
	c := cookies[0]
	_, port, _ := strings.Cut(strings.TrimPrefix(hs.URL, "http://127.0.0.1"), ":")
	if c.Name != "tracebridge_session_"+port || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" ||
		c.Value == "" || strings.Contains(c.Value, token) || c.MaxAge != 0 {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, a session cookie not holding the token", c)
	}
	in := &browser{t: t, base: hs.URL, cookie: &http.Cookie{Name: c.Name, Value: c.Value}}
	if r := in.get("/"); r.status != http.StatusOK || !strings.Contains(string(r.body), "/ui/app.js") {
		t.Errorf("GET / with the cookie: %d", r.status)
	}
	for _, path := range []string{"/v1/records", "/v1/items", "/v1/stats", "/v1/view/conversations", "/v1/view/interaction?id=int-1", "/v1/view/revision"} {
		if r := in.get(path); r.status != http.StatusOK {
			t.Errorf("GET %s with the cookie: %d %s", path, r.status, r.body)
		}
	}
	if r := in.get("/v1/view/revision"); !strings.Contains(string(r.body), `"token_required":true`) {
		t.Errorf("revision: %s", r.body)
	}
	// The cookie opens reads only: no ingestion, no deletion.
	if r := in.do(http.MethodPost, "/v1/trace", "application/json", build(validFields())); r.status != http.StatusUnauthorized {
		t.Errorf("POST /v1/trace with the cookie only: %d", r.status)
	}
	if r := in.do(http.MethodDelete, "/v1/records", "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("DELETE /v1/records with the cookie only: %d", r.status)
	}
	// Another token's cookie does not open this server.
	other := &browser{t: t, base: hs.URL, cookie: &http.Cookie{Name: c.Name, Value: strings.Repeat("0", len(c.Value))}}
	if r := other.get("/v1/records"); r.status != http.StatusUnauthorized {
		t.Errorf("a forged cookie: %d", r.status)
	}

	// The login form: same checks, and refused from another site's page.
	form := "token=" + url.QueryEscape(token)
	if r := anon.do(http.MethodPost, "/login", "application/x-www-form-urlencoded", form); r.status != http.StatusSeeOther ||
		!strings.Contains(r.header.Get("Set-Cookie"), c.Value) {
		t.Errorf("POST /login: %d %v", r.status, r.header)
	}
	if r := anon.do(http.MethodPost, "/login", "application/x-www-form-urlencoded", "token=nope"); r.header.Get("Location") != "/?login=failed" {
		t.Errorf("POST /login with a wrong token: %d %v", r.status, r.header)
	}
	evil := &browser{t: t, base: hs.URL, origin: "http://evil.example"}
	if r := evil.do(http.MethodPost, "/login", "application/x-www-form-urlencoded", form); r.status != http.StatusForbidden {
		t.Errorf("POST /login from another origin: %d", r.status)
	}
	for site, want := range map[string]int{"cross-site": http.StatusForbidden, "same-site": http.StatusForbidden, "same-origin": http.StatusSeeOther} {
		b := &browser{t: t, base: hs.URL, origin: "null", header: http.Header{"Sec-Fetch-Site": {site}}}
		if r := b.do(http.MethodPost, "/login", "application/x-www-form-urlencoded", form); r.status != want {
			t.Errorf("POST /login with Sec-Fetch-Site %s: %d, want %d", site, r.status, want)
		}
	}
	same := &browser{t: t, base: hs.URL, origin: hs.URL, cookie: in.cookie}
	if r := same.do(http.MethodPost, "/logout", "", ""); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("POST /logout: %d %v", r.status, r.header)
	}
	if r := anon.get("/login"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET /login: %d", r.status)
	}
}

// TestViewerHostCheck: on loopback, reads must name the server by IP or as localhost, so
// that a rebound DNS name cannot read the records; ingestion is not affected.
func TestViewerHostCheck(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for host, want := range map[string]int{
		"evil.example":           http.StatusForbidden,
		"evil.example:80":        http.StatusForbidden,
		"localhost":              http.StatusOK,
		"app.localhost:8400":     http.StatusOK,
		"127.0.0.1:1":            http.StatusOK,
		"[::1]:8400":             http.StatusOK,
		"LOCALHOST.":             http.StatusOK,
		"127.0.0.1.evil.example": http.StatusForbidden,
	} {
		b := &browser{t: t, base: hs.URL, host: host}
		for _, path := range []string{"/", "/v1/records", "/v1/view/conversations"} {
			if r := b.get(path); r.status != want {
				t.Errorf("GET %s with Host %s: %d, want %d", path, host, r.status, want)
			}
		}
	}
	b := &browser{t: t, base: hs.URL, host: "evil.example"}
	if r := b.do(http.MethodPost, "/v1/trace", "application/json", build(validFields())); r.status != http.StatusOK {
		t.Errorf("POST /v1/trace with another Host: %d", r.status)
	}
}
