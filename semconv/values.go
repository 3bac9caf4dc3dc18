package semconv

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// valueString renders any attribute value as text: strings as they are, slices as JSON.
func valueString(v attribute.Value) string {
	switch v.Type() {
	case attribute.STRING:
		return v.AsString()
	case attribute.INVALID:
		return ""
	case attribute.BOOL, attribute.INT64, attribute.FLOAT64:
		return v.Emit()
	default:
		// Slices and maps (log bodies and structured attributes) as the JSON text of the
		// OTel AnyValue representation.
		return v.String()
	}
}

// valueInt reads an integer leniently: ints, integral floats and numeric strings (OTLP/JSON
// sends int64 as strings, some SDKs send counts as floats) are accepted.
func valueInt(v attribute.Value) (int64, bool) {
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64(), true
	case attribute.FLOAT64:
		return floatInt(v.AsFloat64())
	case attribute.STRING:
		s := strings.TrimSpace(v.AsString())
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return floatInt(f)
		}
	}
	return 0, false
}

func floatInt(f float64) (int64, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// valueCount reads a token count: an integer read leniently that is not negative.
func valueCount(v attribute.Value) (int64, bool) {
	n, ok := valueInt(v)
	return n, ok && n >= 0
}

// valueFloat reads a number leniently: floats, ints and numeric strings.
func valueFloat(v attribute.Value) (float64, bool) {
	var f float64
	switch v.Type() {
	case attribute.FLOAT64:
		f = v.AsFloat64()
	case attribute.INT64:
		return float64(v.AsInt64()), true
	case attribute.STRING:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v.AsString()), 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func parseStringList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "[") {
		return nil, false
	}
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, false
	}
	return list, true
}

// looksJSON reports whether s starts like a JSON object or array: such text is data to
// parse, not prose to show as a user's words.
func looksJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

// unquote returns the value of s when s is a JSON string literal (Vercel records tool
// results and embedded values as JSON, so a string result arrives quoted), else s.
func unquote(s string) string {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return s
	}
	var u string
	if json.Unmarshal([]byte(t), &u) != nil {
		return s
	}
	return u
}
