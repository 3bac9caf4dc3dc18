package jsontext

import (
	"strings"
	"testing"
)

// plain is the byte-by-byte rule Run applies a word at a time.
func plain(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }

// reference is where Run must stop: at the first word holding a byte that is not plain.
func reference(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		for j := i; j < i+8; j++ {
			if !plain(s[j]) {
				return i
			}
		}
	}
	return i
}

// Every byte value at every position of a word, after runs of plain words.
func TestRunEveryByte(t *testing.T) {
	base := strings.Repeat("plain te", 4)
	for c := 0; c < 256; c++ {
		for pos := 0; pos < len(base); pos++ {
			s := base[:pos] + string(rune(0)) + base[pos+1:]
			s = s[:pos] + string([]byte{byte(c)}) + s[pos+1:]
			for start := 0; start < 3; start++ {
				if got, want := Run(s, start), reference(s, start); got != want {
					t.Fatalf("Run(%q, %d) = %d, want %d", s, start, got, want)
				}
			}
		}
	}
}

func FuzzRun(f *testing.F) {
	f.Add("plain text \"quoted\" \\ \x00 \x7f é", 0)
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 || i > len(s) {
			return
		}
		if got, want := Run(s, i), reference(s, i); got != want {
			t.Fatalf("Run(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}
