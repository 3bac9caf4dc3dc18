package destination

import (
	"math"
	"strconv"
	"strings"

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
		return compactJSON(buf, t)
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
	valid, spaced = scanJSON(t)
	return t, valid, spaced
}

// scanJSON reports whether t is valid JSON, exactly as json.Valid decides, and whether it
// has whitespace between its tokens (which json.Compact would remove).
func scanJSON(t string) (valid, spaced bool) {
	p := jsonScanner{s: t}
	p.space()
	if !p.value(0) {
		return false, false
	}
	p.space()
	return p.i == len(p.s), p.spaced
}

// maxJSONDepth is encoding/json's nesting limit: json.Valid refuses deeper text.
const maxJSONDepth = 10000

// jsonScanner is a recursive-descent validator of JSON text. Like encoding/json's scanner
// it accepts any byte from 0x20 up in strings (invalid UTF-8 included).
type jsonScanner struct {
	s      string
	i      int
	spaced bool
}

// peek is the next byte, 0 at the end (a byte no token starts with).
func (p *jsonScanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *jsonScanner) space() {
	start := p.i
	for p.i < len(p.s) && isJSONSpace(p.s[p.i]) {
		p.i++
	}
	p.spaced = p.spaced || p.i > start
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *jsonScanner) value(depth int) bool {
	switch c := p.peek(); {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return p.literal("true") || p.literal("false") || p.literal("null")
}

func (p *jsonScanner) object(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	p.i++
	p.space()
	if p.peek() == '}' {
		p.i++
		return true
	}
	for {
		if p.peek() != '"' || !p.str() {
			return false
		}
		p.space()
		if p.peek() != ':' {
			return false
		}
		p.i++
		p.space()
		if !p.value(depth) {
			return false
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			return true
		default:
			return false
		}
	}
}

func (p *jsonScanner) array(depth int) bool {
	if depth > maxJSONDepth {
		return false
	}
	p.i++
	p.space()
	if p.peek() == ']' {
		p.i++
		return true
	}
	for {
		if !p.value(depth) {
			return false
		}
		p.space()
		switch p.peek() {
		case ',':
			p.i++
			p.space()
		case ']':
			p.i++
			return true
		default:
			return false
		}
	}
}

// str reads a string from its opening quote.
func (p *jsonScanner) str() bool {
	s := p.s
	for i := p.i + 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x20 && c != '"' && c != '\\':
			// most bytes: stay in the loop, on locals
		case c == '"':
			p.i = i + 1
			return true
		case c == '\\':
			p.i = i
			if !p.escape() {
				return false
			}
			i = p.i
		default:
			return false
		}
	}
	return false
}

// escape checks the escape sequence at p.i and leaves p.i on its last byte.
func (p *jsonScanner) escape() bool {
	p.i++
	switch p.peek() {
	case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
		return true
	case 'u':
		for range 4 {
			p.i++
			if !isHex(p.peek()) {
				return false
			}
		}
		return true
	}
	return false
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonScanner) number() bool {
	if p.peek() == '-' {
		p.i++
	}
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return false
	}
	if p.peek() == '.' {
		p.i++
		if !p.digits() {
			return false
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

// digits reads one digit or more.
func (p *jsonScanner) digits() bool {
	start := p.i
	for c := p.peek(); '0' <= c && c <= '9'; c = p.peek() {
		p.i++
	}
	return p.i > start
}

func (p *jsonScanner) literal(lit string) bool {
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// compactJSON appends valid JSON text t without the whitespace between its tokens, as
// json.Compact does.
func compactJSON(b []byte, t string) []byte {
	start, inString := 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case !inString && isJSONSpace(c):
			b = append(b, t[start:i]...)
			start = i + 1
		}
	}
	return append(b, t[start:]...)
}
