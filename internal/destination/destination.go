// Package destination turns neutral records (package record) into the HTTP requests of one
// trace API: NeuralTrust v1 (one record per request), NeuralTrust batch (many traces per
// request), Adaline (one request per trace, spans inside) or Freeplay (traces, completions,
// feedback). It also reads the answers that mean more than their status code, such as
// Adaline's "already exists" on a re-send. It never sends anything: the transport's Sender
// does, with the same retries, pause, shrinking and metrics for every destination. The SDK
// exporter and the Collector component share it.
package destination

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/record"
)

// Destination names.
const (
	NeuralTrust      = "neuraltrust"
	NeuralTrustBatch = "neuraltrust-batch"
	Adaline          = "adaline"
	Freeplay         = "freeplay"
)

// Names lists every destination, the default first.
var Names = []string{NeuralTrust, NeuralTrustBatch, Adaline, Freeplay}

// Request is one HTTP request of a destination.
type Request struct {
	Method string
	URL    string
	Body   []byte
	// Records are the indexes, in the slice given to Encode, of the records the request
	// carries: they are delivered when it succeeds and fail with it.
	Records []int
	// Kind says what the request does in its contract ("trace", "span", "patch", …), for
	// Refused.
	Kind string
	// Err, when set, means the records cannot be encoded for this destination: nothing is
	// sent and they fail with Err.
	Err error
	// Next are sent after this request succeeded, one after the other (an update that needs
	// the item this request creates); when it fails, their records fail with it.
	Next []Request
}

// Verdict is what a destination makes of a final answer that is not 2xx.
type Verdict struct {
	// Delivered: the answer says the records are already stored (an idempotent re-send).
	Delivered bool
	// Then replaces the request with others, sent one after the other; its records are
	// delivered when every request of Then that carries them is.
	Then []Request
}

// Destination encodes records into requests and reads refusals. Implementations are
// stateless and safe for concurrent use: the same records always give the same requests.
type Destination interface {
	// Name is the destination's name, one of Names; metrics carry it.
	Name() string
	// Encode returns the requests that deliver recs. Every record is carried by at least
	// one request (or by one with Err set, or one in a Next); a record carried by several is
	// delivered when all of them succeed. Requests are independent of one another: they may
	// run in any order and at once, except each one's Next, which follow it.
	Encode(recs []record.Record) []Request
	// Refused reads a final answer that is not 2xx (after the transport's retries). recs
	// is the slice req was encoded from. The zero Verdict leaves the failure as it is.
	Refused(recs []record.Record, req *Request, status int, body []byte) Verdict
}

// Settings configure a destination.
type Settings struct {
	// Name is one of Names; empty means NeuralTrust.
	Name string
	// BaseURL is the API's base URL; empty means the destination's default (Spec).
	BaseURL string
	// APIKey authenticates; it is only ever put in the header Header returns.
	APIKey string
	// ProjectID is the project records go to (Adaline, Freeplay).
	ProjectID string
	// AllowPlainHTTP allows http:// to a host that is not loopback.
	AllowPlainHTTP bool
}

// Spec describes what a destination needs.
type Spec struct {
	Name           string
	DefaultBaseURL string
	// Environment variables of the SDK exporter for the key, the base URL and the project.
	EnvAPIKey, EnvBaseURL, EnvProjectID string
	// RequiresAPIKey and RequiresProject: the destination cannot work without them.
	RequiresAPIKey, RequiresProject bool
}

var specs = map[string]Spec{
	NeuralTrust: {
		Name: NeuralTrust, DefaultBaseURL: "https://api-prod.neuraltrust.ai",
		EnvAPIKey: "NEURALTRUST_API_KEY", EnvBaseURL: "NEURALTRUST_BASE_URL",
	},
	NeuralTrustBatch: {
		Name: NeuralTrustBatch, DefaultBaseURL: "https://api-prod.neuraltrust.ai",
		EnvAPIKey: "NEURALTRUST_API_KEY", EnvBaseURL: "NEURALTRUST_BASE_URL",
	},
	Adaline: {
		Name: Adaline, DefaultBaseURL: "https://api.adaline.ai/v2",
		EnvAPIKey: "ADALINE_API_KEY", EnvBaseURL: "ADALINE_BASE_URL", EnvProjectID: "ADALINE_PROJECT_ID",
		RequiresAPIKey: true, RequiresProject: true,
	},
	Freeplay: {
		Name: Freeplay, DefaultBaseURL: "https://app.freeplay.ai/api",
		EnvAPIKey: "FREEPLAY_API_KEY", EnvBaseURL: "FREEPLAY_API_URL", EnvProjectID: "FREEPLAY_PROJECT_ID",
		RequiresAPIKey: true, RequiresProject: true,
	},
}

// Lookup returns the spec of a destination by name ("" is NeuralTrust).
func Lookup(name string) (Spec, bool) {
	if name == "" {
		name = NeuralTrust
	}
	s, ok := specs[name]
	return s, ok
}

// ErrUnknown is wrapped by the error for a name that is not a destination.
var ErrUnknown = errors.New("unknown destination")

// CheckName returns an error naming the valid destinations when name is not one.
func CheckName(name string) error {
	if _, ok := Lookup(name); !ok {
		return fmt.Errorf("%w %q (want one of %s)", ErrUnknown, name, strings.Join(Names, ", "))
	}
	return nil
}

// New builds the destination s describes. Errors name the setting at fault (base URL,
// project id) in the terms of Settings; they never contain the API key. A missing API key
// or project id is the caller's to report, in its own terms (environment variable, option
// or configuration key): see Spec.
func New(s Settings) (Destination, error) {
	spec, ok := Lookup(s.Name)
	if !ok {
		return nil, CheckName(s.Name)
	}
	base := s.BaseURL
	if base == "" {
		base = spec.DefaultBaseURL
	}
	switch spec.Name {
	case NeuralTrustBatch:
		return newBatch(base, s.AllowPlainHTTP)
	case Adaline:
		return newAdaline(base, s.ProjectID, s.AllowPlainHTTP)
	case Freeplay:
		return newFreeplay(base, s.ProjectID, s.AllowPlainHTTP)
	default:
		return newNeuralTrust(base, s.AllowPlainHTTP)
	}
}

// Header is the authentication header of a destination for key: NeuralTrust v1 wants the
// bare key in "token", the others "Authorization: Bearer". An empty key sends none.
func Header(name, key string) http.Header {
	h := http.Header{}
	if key == "" {
		return h
	}
	if name == "" || name == NeuralTrust {
		h.Set(endpoint.TokenHeader, key)
	} else {
		h.Set("Authorization", "Bearer "+key)
	}
	return h
}

// AlreadyExists reports whether a refusal says the item is stored already, as Adaline
// answers a re-sent referenceId ("Log trace already exists with referenceId …").
func AlreadyExists(status int, body []byte) bool {
	return status >= 400 && status < 500 && strings.Contains(strings.ToLower(string(body)), "already exists with referenceid")
}
