package semconv

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/internal/jsontext"
)

// A decoder is a cursor over JSON text held in a string: it reads the content shapes of
// content.go without reflection, taking strings and raw values as substrings of the input
// where it can. It checks the text as strictly as encoding/json does, and its first error
// sticks: every read after it returns zero values.
type decoder struct {
	s     string
	i     int   // next byte to read
	depth int   // arrays and objects open at i
	err   error // first error, or nil
}

var (
	// errSyntax: the text is not JSON (encoding/json fails too).
	errSyntax = errors.New("semconv: invalid JSON")
	// errType: JSON of a type the Go field cannot hold (encoding/json fails the whole
	// Unmarshal).
	errType = errors.New("semconv: JSON value of the wrong type")
	// errUnsure: JSON the decoder leaves to encoding/json (a key that matches a field only
	// case-insensitively, a field given twice): the caller falls back to reflection.
	errUnsure = errors.New("semconv: JSON left to encoding/json")
)

// maxDepth is encoding/json's limit on nesting: deeper text is a syntax error there.
const maxDepth = 10000

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// ws skips white space, as JSON defines it.
func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end or after an error.
func (d *decoder) peek() byte {
	if d.err != nil || d.i >= len(d.s) {
		return 0
	}
	return d.s[d.i]
}

// eat consumes c if it is the next byte.
func (d *decoder) eat(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// end checks that only white space follows the value read.
func (d *decoder) end() {
	d.ws()
	if d.i != len(d.s) {
		d.fail(errSyntax)
	}
}

// value skips the value at d (after white space), checking it, and returns its text.
func (d *decoder) value() string {
	d.ws()
	start := d.i
	switch c := d.peek(); {
	case c == '"':
		d.scanString()
	case c == '{':
		for more := d.openObject(); more; more = d.nextMember() {
			if d.peek() != '"' {
				d.fail(errSyntax)
				break
			}
			d.scanString()
			d.colon()
			d.value()
		}
	case c == '[':
		for more := d.openArray(); more; more = d.nextElem() {
			d.value()
		}
	case c == 't':
		d.literal("true")
	case c == 'f':
		d.literal("false")
	case c == 'n':
		d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		d.number()
	default:
		d.fail(errSyntax)
	}
	if d.err != nil {
		return ""
	}
	return d.s[start:d.i]
}

func (d *decoder) literal(lit string) {
	if !strings.HasPrefix(d.s[d.i:], lit) {
		d.fail(errSyntax)
		return
	}
	d.i += len(lit)
}

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (d *decoder) number() {
	d.eat('-')
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		d.fail(errSyntax)
		return
	}
	if d.eat('.') && !d.digits() {
		d.fail(errSyntax)
		return
	}
	if d.eat('e') || d.eat('E') {
		_ = d.eat('+') || d.eat('-')
		if !d.digits() {
			d.fail(errSyntax)
		}
	}
}

// digits consumes [0-9]* and reports whether there was one.
func (d *decoder) digits() bool {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

// openObject consumes the '{' at d: more reports whether a member follows.
func (d *decoder) openObject() (more bool) { return d.open('{', '}') }

// nextMember consumes what follows a member: more reports whether another follows.
func (d *decoder) nextMember() (more bool) { return d.next('}') }

// openArray consumes the '[' at d: more reports whether an element follows.
func (d *decoder) openArray() (more bool) { return d.open('[', ']') }

// nextElem consumes what follows an element: more reports whether another follows.
func (d *decoder) nextElem() (more bool) { return d.next(']') }

func (d *decoder) open(c, closing byte) bool {
	if !d.eat(c) {
		d.fail(errSyntax)
		return false
	}
	if d.depth++; d.depth > maxDepth {
		d.fail(errSyntax)
		return false
	}
	d.ws()
	if d.eat(closing) {
		d.depth--
		return false
	}
	return d.err == nil
}

func (d *decoder) next(closing byte) bool {
	d.ws()
	switch {
	case d.eat(','):
		d.ws()
		return true
	case d.eat(closing):
		d.depth--
	default:
		d.fail(errSyntax)
	}
	return false
}

// colon consumes the ':' after a member's key.
func (d *decoder) colon() {
	d.ws()
	if !d.eat(':') {
		d.fail(errSyntax)
	}
	d.ws()
}

// special marks the bytes a string scan stops at: the quote, the backslash, control
// characters (not allowed unescaped) and non-ASCII bytes (UTF-8 to check).
var special = func() (t [256]bool) {
	for c := range t {
		t[c] = c == '"' || c == '\\' || c < 0x20 || c >= utf8.RuneSelf
	}
	return t
}()

// scanString consumes the string literal at d and returns its text between the quotes;
// plain reports whether that text is the string's value (no escape, valid UTF-8).
func (d *decoder) scanString() (lit string, plain bool) {
	s := d.s
	start := d.i + 1
	ascii, escaped := true, false
	for i := start; i < len(s); {
		if !special[s[i]] {
			// Plain text goes eight bytes at a time; the first byte was checked so that
			// a run of specials does not pay for the call.
			i = jsontext.Run(s, i+1)
			for end := min(i+8, len(s)); i < end && !special[s[i]]; {
				i++
			}
			continue
		}
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			lit = s[start:i]
			return lit, !escaped && (ascii || utf8.ValidString(lit))
		case c == '\\':
			escaped = true
			n := escapeLen(s[i:])
			if n == 0 {
				d.fail(errSyntax)
				return "", false
			}
			i += n
		case c < 0x20:
			d.fail(errSyntax)
			return "", false
		default:
			ascii = false
			i++
		}
	}
	d.fail(errSyntax) // unterminated
	return "", false
}

// escapeLen returns the length of the escape sequence s starts with, or 0 if it is not one.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) >= 6 && hex4(s[2:6]) >= 0 {
			return 6
		}
	}
	return 0
}

// hex4 reads four hex digits, or returns -1.
func hex4(s string) rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// str reads the string at d and returns its value.
func (d *decoder) str() string {
	lit, plain := d.scanString()
	if plain {
		return lit
	}
	return unescape(lit)
}

// unescape returns the value of a checked string literal's text (between the quotes) as
// encoding/json reads it: escapes decoded, invalid UTF-8 and unpaired surrogates as U+FFFD.
func unescape(lit string) string {
	if strings.IndexByte(lit, '\\') < 0 && utf8.ValidString(lit) {
		return lit
	}
	var b strings.Builder
	b.Grow(len(lit))
	for i := 0; i < len(lit); {
		switch c := lit[i]; {
		case c == '\\':
			i += unescapeOne(&b, lit[i:])
		case c < utf8.RuneSelf:
			// Copy the run of plain ASCII at once.
			j := i + 1
			for j < len(lit) && lit[j] != '\\' && lit[j] < utf8.RuneSelf {
				j++
			}
			b.WriteString(lit[i:j])
			i = j
		default:
			r, n := utf8.DecodeRuneInString(lit[i:])
			b.WriteRune(r) // RuneError for an invalid byte
			i += n
		}
	}
	return b.String()
}

// unescapeOne writes the value of the escape s starts with and returns its length.
func unescapeOne(b *strings.Builder, s string) int {
	switch s[1] {
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r := hex4(s[2:6])
		if !utf16.IsSurrogate(r) {
			b.WriteRune(r)
			return 6
		}
		// A surrogate pair is one rune; a lone surrogate is U+FFFD (and the escape after
		// it, if any, is read on its own).
		if len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if dec := utf16.DecodeRune(r, hex4(s[8:12])); dec != unicode.ReplacementChar {
				b.WriteRune(dec)
				return 12
			}
		}
		b.WriteRune(unicode.ReplacementChar)
		return 6
	default: // '"', '\\', '/'
		b.WriteByte(s[1])
	}
	return 2
}

// key reads a member's key and the ':' after it.
func (d *decoder) key() string {
	if d.peek() != '"' {
		d.fail(errSyntax)
		return ""
	}
	k := d.str()
	d.colon()
	return k
}

// field reads a member's key and returns its index in names (-1 for another key), leaving
// d at the member's value. A key that encoding/json would match to a name only
// case-insensitively is left to it.
func (d *decoder) field(names []string) int {
	k := d.key()
	for i, name := range names {
		if k == name {
			return i
		}
	}
	for _, name := range names {
		if foldMatch(k, name) {
			d.fail(errUnsure)
		}
	}
	return -1
}

// fields reads the object at d into vals, vals[i] the raw text of the value of names[i]
// ("" when absent), as encoding/json reads a struct with these field names. A null is no
// object: ok is false, as it is on an error (a value other than an object is a type error).
func (d *decoder) fields(names []string, vals []string) (ok bool) {
	if !d.isObject() {
		return false
	}
	for more := d.openObject(); more; more = d.nextMember() {
		i := d.field(names)
		v := d.value()
		if i < 0 {
			continue
		}
		if vals[i] != "" {
			d.fail(errUnsure) // encoding/json lets the last win, or merges: leave it that
		}
		vals[i] = v
	}
	return d.err == nil
}

// isObject reports whether the value at d is an object; it consumes a null, and fails on
// anything else (the type of a struct).
func (d *decoder) isObject() bool {
	d.ws()
	switch d.peek() {
	case '{':
		return true
	case 'n':
		d.literal("null")
	default:
		d.value()
		d.fail(errType)
	}
	return false
}

// openList opens the list at d, as encoding/json reads a slice: more reports whether an
// element follows. A null is an empty list; another value is a type error.
func (d *decoder) openList() (more bool) {
	d.ws()
	switch d.peek() {
	case '[':
		return d.openArray()
	case 'n':
		d.literal("null")
	default:
		d.value()
		d.fail(errType)
	}
	return false
}

// text reads a raw value held by a Go string field: a string's value, "" for null or
// absent, a type error for anything else.
func (d *decoder) text(raw string) string {
	switch {
	case raw == "" || raw == "null":
		return ""
	case raw[0] == '"':
		return unescape(raw[1 : len(raw)-1])
	}
	d.fail(errType)
	return ""
}

// foldMatch reports whether encoding/json matches key to the field name (ASCII) case-
// insensitively: its foldName upper-cases ASCII letters and folds other runes to the least
// rune of their Unicode fold orbit (so "K", the Kelvin sign, matches 'k').
func foldMatch(key, name string) bool {
	j := 0
	for i := 0; i < len(key); j++ {
		r, n := rune(key[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(key[i:])
			r = foldRune(r)
		}
		i += n
		if j >= len(name) || upperASCII(r) != upperASCII(rune(name[j])) {
			return false
		}
	}
	return j == len(name)
}

func upperASCII(r rune) rune {
	if 'a' <= r && r <= 'z' {
		return r - ('a' - 'A')
	}
	return r
}

// foldRune is encoding/json's: the least rune of r's fold orbit.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// textOf is jsonText for a checked raw value: a string's value, other JSON as compact
// text, "" for null or nothing.
func textOf(raw string) string {
	switch {
	case raw == "" || raw == "null":
		return ""
	case raw[0] == '"':
		return unescape(raw[1 : len(raw)-1])
	}
	return jsontext.Compact(raw)
}
