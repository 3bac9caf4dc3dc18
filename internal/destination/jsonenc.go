package destination

import (
	"math"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/internal/jsontext"
	"github.com/tracebridge/tracebridge/record"
)

// The Adaline and Freeplay bodies were encoded with encoding/json (SetEscapeHTML(false));
// the functions here write the same bytes by hand, without reflection or allocation
// (record.AppendString writes strings exactly as encoding/json does).

// jsonWriter holds the scratch space of the hand-written encoders, reused from record to
// record within one Encode.
type jsonWriter struct {
	attrs, results attrs
	buf            []byte
}

// appendJSONBytes appends text built in a scratch buffer as a JSON string (rare paths:
// feedback output, JSON that needed compacting).
func appendJSONBytes(b, s []byte) []byte { return record.AppendString(b, string(s)) }

// appendOmitEmpty appends the field (`,"name":`) and its value unless the value is empty,
// as encoding/json's omitempty.
func appendOmitEmpty(b []byte, field, v string) []byte {
	if v == "" {
		return b
	}
	return record.AppendString(append(b, field...), v)
}

// appendJSONStrings appends list as a JSON array of strings, [] when empty.
func appendJSONStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = record.AppendString(b, s)
	}
	return append(b, ']')
}

// appendJSONFloat appends f as encoding/json writes a float64 (ES6 number formatting).
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		// JSON has no form for them (encoding/json refuses them): null, rather than
		// failing the whole request over one metadata value.
		return append(b, "null"...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 → e-7, as encoding/json does.
		if n := len(b); b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// jsonTextOf appends to buf the JSON text jsonText gave for s: s compacted when it is a
// JSON object or array, else s as a JSON string; empty is null.
func jsonTextOf(buf []byte, s string) []byte {
	if s == "" {
		return append(buf, "null"...)
	}
	switch t, valid, spaced := jsonContainer(s); {
	case valid && spaced:
		return jsontext.AppendCompact(buf, t)
	case valid:
		return append(buf, t...)
	}
	return record.AppendString(buf, s)
}

// jsonContainer returns s trimmed, whether that is a valid JSON object or array, and
// whether it has whitespace to compact away. The mapper's messages and documents are
// compact already: then they are their own JSON text, after one validating pass.
func jsonContainer(s string) (t string, valid, spaced bool) {
	t = strings.TrimSpace(s)
	if len(t) == 0 || t[0] != '{' && t[0] != '[' {
		return t, false, false
	}
	valid, spaced = jsontext.Scan(t)
	return t, valid, spaced
}
