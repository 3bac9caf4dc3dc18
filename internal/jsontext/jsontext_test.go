package jsontext

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func FuzzScan(f *testing.F) {
	for _, s := range []string{`[1, 2]`, ` {"a" : "b c"} `, `{"a":1}x`, `[01]`, `[1.]`, `[-]`, `[1e+]`, `["\u12g4"]`,
		`["\/\b"]`, "[\"\x01\"]", `[tru]`, `[nul]`, `{"a"}`, `{"a":}`, `{,}`, `[,1]`, `{"a":1,}`, "[\"\xff\"]", "\u00a0{}",
		`"a \" b"`, `["\\", " x "]`} {
		f.Add(s)
	}
	f.Fuzz(check)
}

func TestDepth(t *testing.T) {
	for _, n := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		check(t, strings.Repeat("[", n)+strings.Repeat("]", n))
		check(t, strings.Repeat(`{"a":`, n-1)+"{}"+strings.Repeat("}", n-1))
	}
}

// check holds Scan and Valid to json.Valid, and AppendCompact and Compact to json.Compact.
func check(t *testing.T, s string) {
	valid, spaced := Scan(s)
	if valid != json.Valid([]byte(s)) || Valid(s) != valid {
		t.Fatalf("Scan(%q) = %v, json.Valid says %v", s, valid, !valid)
	}
	if !valid {
		return
	}
	var want bytes.Buffer
	if err := json.Compact(&want, []byte(s)); err != nil {
		t.Fatal(err)
	}
	if got := AppendCompact(nil, s); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("AppendCompact(%q) = %s, want %s", s, got, want.Bytes())
	}
	if spaced != (want.Len() != len(s)) {
		t.Fatalf("Scan(%q): spaced %v", s, spaced)
	}
	if trimmed := strings.Trim(s, " \t\n\r"); Compact(trimmed) != want.String() {
		t.Fatalf("Compact(%q) = %s, want %s", trimmed, Compact(trimmed), want.Bytes())
	}
}
