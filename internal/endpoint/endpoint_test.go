package endpoint

import (
	"errors"
	"strings"
	"testing"
)

func TestTraceURL(t *testing.T) {
	for _, tt := range []struct {
		base       string
		allowPlain bool
		want       string // URL, or a fragment of the error
		err        bool
	}{
		{"https://api-prod.neuraltrust.ai", false, "https://api-prod.neuraltrust.ai/v1/trace", false},
		{" https://api.neuraltrust.ai/v1/ ", false, "https://api.neuraltrust.ai/v1/trace", false},
		{"https://h/prefix?x=1#f", false, "https://h/prefix/v1/trace", false},
		{"http://127.0.0.1:8400", false, "http://127.0.0.1:8400/v1/trace", false},
		{"http://localhost:8400/", false, "http://localhost:8400/v1/trace", false},
		{"http://collector.internal:8400", true, "http://collector.internal:8400/v1/trace", false},
		{"http://collector.internal:8400", false, "plain http://", true},
		{"localhost:8400", false, "want http(s)://", true},
		{"ftp://x", false, "want http(s)://", true},
		{"https://user:hunter2@h", false, "credentials", true},
	} {
		got, err := TraceURL(tt.base, tt.allowPlain)
		if tt.err {
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("TraceURL(%q) error = %v, want one containing %q", tt.base, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("TraceURL(%q) error shows the password: %v", tt.base, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("TraceURL(%q) = %q, %v; want %q", tt.base, got, err, tt.want)
		}
	}
	if _, err := TraceURL("http://10.0.0.1", false); !errors.Is(err, ErrPlainHTTP) {
		t.Errorf("plain http to a remote host: error %v does not wrap ErrPlainHTTP", err)
	}
}
