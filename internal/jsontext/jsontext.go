package jsontext

import "strings"

// Valid reports whether s is one JSON value (white space around it allowed), as json.Valid
// decides.
func Valid(s string) bool {
	v, _ := Scan(s)
	return v
}

// Scan reports whether t is valid JSON, exactly as json.Valid decides, and whether it has
// white space between its tokens (which json.Compact would remove).
func Scan(t string) (valid, spaced bool) {
	p := scanner{s: t}
	p.space()
	if !p.value(0) {
		return false, false
	}
	p.space()
	return p.i == len(p.s), p.spaced
}

// MaxDepth is encoding/json's nesting limit: json.Valid refuses deeper text.
const MaxDepth = 10000

// scanner is a recursive-descent validator of JSON text. Like encoding/json's scanner
// it accepts any byte from 0x20 up in strings (invalid UTF-8 included).
type scanner struct {
	s      string
	i      int
	spaced bool
}

// peek is the next byte, 0 at the end (a byte no token starts with).
func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) space() {
	start := p.i
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
	p.spaced = p.spaced || p.i > start
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *scanner) value(depth int) bool {
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

func (p *scanner) object(depth int) bool {
	if depth > MaxDepth {
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

func (p *scanner) array(depth int) bool {
	if depth > MaxDepth {
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
func (p *scanner) str() bool {
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
func (p *scanner) escape() bool {
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
func (p *scanner) number() bool {
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
func (p *scanner) digits() bool {
	start := p.i
	for c := p.peek(); '0' <= c && c <= '9'; c = p.peek() {
		p.i++
	}
	return p.i > start
}

func (p *scanner) literal(lit string) bool {
	if strings.HasPrefix(p.s[p.i:], lit) {
		p.i += len(lit)
		return true
	}
	return false
}

// AppendCompact appends valid JSON text t without the white space between its tokens, as
// json.Compact does.
func AppendCompact(b []byte, t string) []byte {
	start, inString := 0, false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case !inString && isSpace(c):
			b = append(b, t[start:i]...)
			start = i + 1
		}
	}
	return append(b, t[start:]...)
}

// Compact returns valid JSON text s without the white space between its tokens: s itself
// when it has none (no copy).
func Compact(s string) string {
	if !hasSpace(s) {
		return s
	}
	return string(AppendCompact(make([]byte, 0, len(s)), s))
}

// hasSpace reports whether valid JSON text s has white space outside its strings.
func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isSpace(c):
			return true
		case c == '"':
			i = stringEnd(s, i) - 1
		}
	}
	return false
}

// stringEnd returns the index after the string literal that starts at i in valid text.
func stringEnd(s string, i int) int {
	for i++; ; {
		q := strings.IndexByte(s[i:], '"')
		if q < 0 {
			return len(s) // not reached on valid text
		}
		i += q
		// The quote ends the string unless escaped: an odd run of backslashes before it.
		n := 0
		for s[i-1-n] == '\\' {
			n++
		}
		if n%2 == 0 {
			return i + 1
		}
		i++
	}
}
