package destination

import (
	"net/http"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/record"
)

// neuralTrust is the v1 trace API (CONTRACTS.md §1): one record per POST {base}/v1/trace,
// the record's own wire encoding as the body. A re-send replaces (the local server's
// default; unpublished for the real API).
type neuralTrust struct{ url string }

func newNeuralTrust(base string, allowPlain bool) (Destination, error) {
	u, err := endpoint.TraceURL(base, allowPlain)
	if err != nil {
		return nil, baseErr(err)
	}
	return neuralTrust{url: u}, nil
}

// NeuralTrustAt is the v1 destination posting to url as it is (already normalised), for
// callers that built the address themselves.
func NeuralTrustAt(url string) Destination { return neuralTrust{url: url} }

func (neuralTrust) Name() string { return NeuralTrust }

func (d neuralTrust) Encode(recs []record.Record) []Request {
	reqs := make([]Request, len(recs))
	for i := range recs {
		reqs[i] = Request{
			Method: http.MethodPost, URL: d.url, Kind: "record",
			Body:    recs[i].AppendJSON(make([]byte, 0, v1Size(&recs[i]))),
			Records: []int{i},
		}
	}
	return reqs
}

// v1Size is about the encoded size of r, so that its body is allocated once: the fixed
// fields, its text with room for escapes, its metadata.
func v1Size(r *record.Record) int {
	text := len(r.Input) + len(r.Output)
	return 512 + text + text/8 + 48*len(r.Metadata)
}

func (neuralTrust) Refused([]record.Record, *Request, int, []byte) Verdict { return Verdict{} }
