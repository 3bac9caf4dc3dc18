package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun runs the example offline and checks the tree it prints: the seed flow's records
// under the message, and the later feedback on it.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"received 6 records",
		"\nmessage ",
		"├─ generation \"chat gpt-4o-mini\" model=gpt-4o-mini tokens=84+19",
		"├─ router     \"router\" 0ms",
		"│  └─ retrieval  \"retrieval policies\"",
		"│     └─ agent      \"invoke_agent summariser\"",
		"└─ feedback   \"feedback\" 0ms",
		`feedback on the message: positive "Clear answer, thanks"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
