package traceapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the trace API. It implements http.Handler and is safe for concurrent use.
type Server struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	hasToken bool
	// tokenHash is compared instead of the token itself so that the comparison takes the
	// same time whatever the length of the token sent.
	tokenHash [sha256.Size]byte
	counts    counters
	faults    *faultInjector // nil: none
	mux       *http.ServeMux
	// ingest serialises the contracts whose one request stores several items (a batch
	// envelope, an Adaline trace with its spans), so that their checks against the store
	// and their writes are one step.
	ingest sync.Mutex
	// session is the value of the viewer's cookie when a token is set: derived from the
	// token, so that the cookie never holds the token itself yet survives a restart.
	session string
	// rev counts the writes, so that the viewer can tell when to refresh (GET
	// /v1/view/revision); epoch tells this process's count from a previous one's.
	rev   atomic.Int64
	epoch string
}

// auth says how an endpoint authenticates.
type auth int

const (
	authNone   auth = iota
	authToken       // the v1 "token" header
	authBearer      // "Authorization: Bearer <token>" (batch, Adaline, Freeplay)
	authEither      // reads: either of them
)

// New returns a Server for cfg. It fails on a negative MaxBodyBytes, an unknown duplicate
// policy, or a token no HTTP client could send (leading or trailing blanks, control
// characters).
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, hasToken: cfg.Token != "",
		epoch: strconv.FormatInt(time.Now().UnixNano(), 36)}
	if s.hasToken {
		s.tokenHash = sha256.Sum256([]byte(cfg.Token))
		s.session = sessionValue(cfg.Token)
	}
	mux := http.NewServeMux()
	if cfg.Faults.active() {
		s.faults = newFaultInjector(cfg.Faults)
	}
	// Ingestion of every contract, fault injection included.
	ingest := func(path string, a auth, m methods) {
		h := s.endpoint(a, m)
		if s.faults != nil {
			h = s.faults.wrap(h)
		}
		mux.Handle(path, h)
	}
	ingest("/v1/trace", authToken, methods{http.MethodPost: s.postTrace})
	ingest(BatchPath, authBearer, methods{http.MethodPost: s.postBatch})
	ingest(AdalineTracePath, authBearer, methods{http.MethodPost: s.postAdalineTrace, http.MethodPatch: s.patchAdalineTrace})
	ingest(AdalineSpanPath, authBearer, methods{http.MethodPost: s.postAdalineSpan})
	for _, prefix := range FreeplayPrefixes {
		// Methods depend on the path below the prefix; freeplayRoute answers 405 itself.
		h := s.endpoint(authBearer, methods{http.MethodPost: s.freeplay, http.MethodPatch: s.freeplay})
		if s.faults != nil {
			h = s.faults.wrap(h)
		}
		mux.Handle(prefix, h)
	}
	mux.Handle("/v1/records", s.endpoint(authEither, methods{http.MethodGet: s.getRecords, http.MethodDelete: s.deleteRecords}))
	mux.Handle("/v1/items", s.endpoint(authEither, methods{http.MethodGet: s.getItems}))
	mux.Handle("/v1/stats", s.endpoint(authEither, methods{http.MethodGet: s.getStats}))
	mux.Handle("/healthz", s.endpoint(authNone, methods{http.MethodGet: s.healthz}))
	// The viewer: its JSON reads, its page and assets, its login.
	mux.Handle("/v1/view/conversations", s.endpoint(authEither, methods{http.MethodGet: s.getConversations}))
	mux.Handle("/v1/view/interactions", s.endpoint(authEither, methods{http.MethodGet: s.getInteractions}))
	mux.Handle("/v1/view/interaction", s.endpoint(authEither, methods{http.MethodGet: s.getInteraction}))
	mux.Handle("/v1/view/revision", s.endpoint(authEither, methods{http.MethodGet: s.getRevision}))
	mux.Handle("/ui/", s.endpoint(authNone, methods{http.MethodGet: s.asset}))
	mux.Handle("/login", s.endpoint(authNone, methods{http.MethodPost: s.login}))
	mux.Handle("/logout", s.endpoint(authNone, methods{http.MethodPost: s.logout}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.viewerPage(w, r)
			return
		}
		writeError(w, http.StatusNotFound, "no such endpoint: "+short(r.URL.Path))
	})
	s.mux = mux
	return s, nil
}

// Handler returns the server's HTTP handler (the server itself).
func (s *Server) Handler() http.Handler { return s }

// Store returns the store the server writes to.
func (s *Server) Store() Store { return s.store }

// Records returns the stored items that match f, as received, in arrival order: what
// GET /v1/records serves (which filters on the v1 contract unless asked otherwise).
func (s *Server) Records(ctx context.Context, f Filter) ([]json.RawMessage, error) {
	recs, err := s.store.List(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]json.RawMessage, len(recs))
	for i := range recs {
		out[i] = recs[i].Raw
	}
	return out, nil
}

// Reset clears the store and the counters, as DELETE /v1/records does.
func (s *Server) Reset(ctx context.Context) error {
	defer s.rev.Add(1) // even a failed Clear may have removed some
	if err := s.store.Clear(ctx); err != nil {
		return err
	}
	s.counts.reset()
	return nil
}

// ServeHTTP implements http.Handler. It logs one Debug line per request: method, path,
// status, duration and the error message of a failure; never a header, so never the token.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &responseWriter{ResponseWriter: w}
	s.mux.ServeHTTP(rw, r)
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", rw.statusCode()),
		slog.Duration("duration", time.Since(start)),
	}
	if rw.errMsg != "" {
		attrs = append(attrs, slog.String("error", rw.errMsg))
	}
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "traceapi request", attrs...)
}

type methods map[string]http.HandlerFunc

// endpoint dispatches on the method, answering 405 with an Allow header for the others (GET
// also serves HEAD), then checks the token in the way a says.
func (s *Server) endpoint(a auth, m methods) http.Handler {
	allowed := make([]string, 0, len(m)+1)
	for method := range m {
		allowed = append(allowed, method)
	}
	if _, ok := m[http.MethodGet]; ok {
		allowed = append(allowed, http.MethodHead)
	}
	slices.Sort(allowed)
	allow := strings.Join(allowed, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := m[r.Method]
		if !ok && r.Method == http.MethodHead {
			h, ok = m[http.MethodGet]
		}
		if !ok {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, "method "+short(r.Method)+" not allowed on "+r.URL.Path+"; allowed: "+allow)
			return
		}
		// Reads must name a loopback server as such (DNS rebinding); see hostAllowed.
		if a == authEither && safeMethod(r.Method) && !hostAllowed(r) {
			writeError(w, http.StatusForbidden, "host: "+quoteShort(r.Host)+" is not an IP address or localhost")
			return
		}
		if !s.authorized(r, a) {
			msg := "invalid or missing token"
			if a == authBearer {
				msg = "invalid or missing token (want Authorization: Bearer <key>)"
			}
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		h(w, r)
	})
}

// authorized reports whether r carries the configured token as a says: in its "token"
// header (v1), as "Authorization: Bearer" (the other contracts), or either (reads; a GET or
// HEAD may also carry the viewer's cookie). Any token, or none, passes when none is
// configured.
func (s *Server) authorized(r *http.Request, a auth) bool {
	if !s.hasToken || a == authNone {
		return true
	}
	if a == authEither && safeMethod(r.Method) && s.hasSession(r) {
		return true
	}
	tokenOK, bearerOK := false, false
	if vals := r.Header.Values("token"); len(vals) == 1 {
		tokenOK = s.matches(vals[0])
	}
	if vals := r.Header.Values("Authorization"); len(vals) == 1 {
		if scheme, cred, ok := strings.Cut(vals[0], " "); ok && strings.EqualFold(scheme, "Bearer") {
			bearerOK = s.matches(strings.TrimSpace(cred))
		}
	}
	switch a {
	case authToken:
		return tokenOK
	case authBearer:
		return bearerOK
	}
	return tokenOK || bearerOK
}

func (s *Server) matches(token string) bool {
	got := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(got[:], s.tokenHash[:]) == 1
}

// responseWriter records the status and the error message for the request log.
type responseWriter struct {
	http.ResponseWriter
	status int
	errMsg string
}

func (w *responseWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *responseWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

type errorBody struct {
	Status int    `json:"status"`
	Error  string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	if rw, ok := w.(*responseWriter); ok {
		rw.errMsg = msg
	}
	writeJSON(w, status, errorBody{Status: status, Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // only our own types get here; they always encode
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"error":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
