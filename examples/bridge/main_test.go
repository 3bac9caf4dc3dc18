package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun runs the example offline and checks the tree it prints: the seed flow's records
// under the message, the later feedback on it, and the viewer's URL.
func TestRun(t *testing.T) {
	t.Setenv("NEURALTRUST_BASE_URL", "") // the in-process server, whatever the environment
	t.Setenv("NEURALTRUST_API_KEY", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out, false); err != nil {
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
		"See it in the viewer: http://127.0.0.1:",
		"/#c=conversation-bridge&i=",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
