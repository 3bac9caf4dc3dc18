package traceapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strings"
)

// The viewer's page, script and style, served from the binary: no CDN, no build step.
//
//go:embed ui
var uiFiles embed.FS

// contentSecurityPolicy lets the page load only its own script and style and talk only to
// its own server: records hold untrusted text (LLM inputs and outputs), and should any of
// it ever reach the DOM as markup, no inline script, handler or foreign resource would run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// securityHeaders are sent with the viewer's page and assets.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// same-origin, not no-referrer: with no-referrer a form's Origin header is "null".
	h.Set("Referrer-Policy", "same-origin")
}

// viewerPage serves the viewer at /. With a token configured, a browser without the
// session cookie gets the login page (401); /?token=T logs in with T and redirects to /,
// so that the token leaves the address bar and the history.
func (s *Server) viewerPage(w http.ResponseWriter, r *http.Request) {
	if !hostAllowed(r) {
		writeError(w, http.StatusForbidden, "host: "+quoteShort(r.Host)+" is not an IP address or localhost")
		return
	}
	if s.hasToken {
		if q := r.URL.Query(); q.Has("token") {
			if s.matches(q.Get("token")) {
				s.setSession(w, r)
				http.Redirect(w, r, "/", http.StatusSeeOther)
			} else {
				http.Redirect(w, r, "/?login=failed", http.StatusSeeOther)
			}
			return
		}
		if !s.authorized(r, authEither) {
			s.page(w, "ui/login.html", http.StatusUnauthorized)
			return
		}
	}
	s.page(w, "ui/index.html", http.StatusOK)
}

func (s *Server) page(w http.ResponseWriter, name string, status int) {
	b, err := uiFiles.ReadFile(name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "viewer: "+err.Error())
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

var assetTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".svg": "image/svg+xml",
}

// asset serves /ui/NAME: the viewer's scripts and style. They hold no data, so they need
// no token (the login page uses them too).
func (s *Server) asset(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/ui/")
	ctype, known := assetTypes[path.Ext(name)]
	b, err := fs.ReadFile(uiFiles, "ui/"+name)
	if !known || strings.Contains(name, "/") || err != nil {
		writeError(w, http.StatusNotFound, "no such endpoint: "+short(r.URL.Path))
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// maxLoginBytes bounds the login form.
const maxLoginBytes = 4 << 10

// login handles POST /login, the login form: token=T sets the session cookie and redirects
// to the viewer; a wrong token redirects to the login page saying so.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "Origin: the login form must be posted from this server's page")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBytes)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, "body: not a form: "+err.Error())
		return
	}
	if !s.hasToken {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	if !s.matches(r.PostForm.Get("token")) {
		http.Redirect(w, r, "/?login=failed", http.StatusSeeOther)
		return
	}
	s.setSession(w, r)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout handles POST /logout: it removes the session cookie.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		writeError(w, http.StatusForbidden, "Origin: log out from this server's page")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// sessionValue derives the cookie's value from the token: a keyed hash, so that the
// cookie opens the viewer's reads without being the token ingestion takes.
func sessionValue(token string) string {
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte("tracebridge viewer session v1"))
	return hex.EncodeToString(mac.Sum(nil))
}

// cookieName includes the port: browsers share cookies between the ports of a host, and
// two servers on one machine must not log each other out.
func cookieName(r *http.Request) string {
	name := "tracebridge_session"
	if _, port, err := net.SplitHostPort(r.Host); err == nil && port != "" {
		name += "_" + port
	}
	return name
}

// setSession sets the viewer's cookie: HttpOnly, so that no script reads it; SameSite
// Strict, so that no other site's page sends it; for the browser's session only.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: s.session, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
}

// hasSession reports whether r carries the viewer's cookie.
func (s *Server) hasSession(r *http.Request) bool {
	c, err := r.Cookie(cookieName(r))
	return err == nil && s.session != "" && hmac.Equal([]byte(c.Value), []byte(s.session))
}

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// sameOrigin refuses a form posted from another site's page: by Sec-Fetch-Site where the
// browser sends it, else by Origin; requests with neither (not a browser's cross-site
// form) pass.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return true
	case "":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return o == scheme+r.Host
}

// hostAllowed guards a server listening on loopback against DNS rebinding: a page of
// another site whose name was re-pointed at 127.0.0.1 would otherwise read the records
// through the visitor's browser. Such requests name the site, so on a loopback listener
// reads must name the server by an IP address or as localhost.
func hostAllowed(r *http.Request) bool {
	la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return true
	}
	tcp, ok := la.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost") || net.ParseIP(host) != nil
}
