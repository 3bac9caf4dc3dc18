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
		b, err := json.Marshal(v.AsInterface())
		if err != nil {
			return v.Emit()
		}
		return string(b)
	}
}

// valueInt reads an integer leniently: ints, integral floats and numeric strings (OTLP/JSON
// sends int64 as strings) are accepted; anything else, or a negative count, is not.
func valueInt(v attribute.Value) (int64, bool) {
	switch v.Type() {
	case attribute.INT64:
		return v.AsInt64(), true
	case attribute.FLOAT64:
		f := v.AsFloat64()
		if math.IsNaN(f) || math.IsInf(f, 0) || f > math.MaxInt64 || f < math.MinInt64 {
			return 0, false
		}
		return int64(f), true
	case attribute.STRING:
		s := strings.TrimSpace(v.AsString())
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < math.MaxInt64 {
			return int64(f), true
		}
	}
	return 0, false
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
