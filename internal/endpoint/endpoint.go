// Package endpoint turns a trace API base URL into the address records are posted to, and
// names the header the API key travels in. The SDK exporter and the Collector component
// share it, so both accept the same URLs and send the key the same way.
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// TracePath is appended to the base URL: records go to POST {base}/v1/trace.
const TracePath = "/v1/trace"

// TokenHeader carries the API key (the v1 API wants the bare key, no "Bearer").
const TokenHeader = "token"

// ErrPlainHTTP is wrapped by TraceURL's error for an http:// URL to a host that is not
// loopback, so that callers can name their own way to allow it.
var ErrPlainHTTP = errors.New("plain http:// to a host that is not loopback would send the API key and the content unencrypted; use https://")

// TraceURL is the address records are posted to: base with a trailing "/v1" (as older SDKs
// take it) or "/" removed, plus TracePath. Plain http:// is refused for a host that is not
// loopback unless allowPlain. Errors quote base with any credentials redacted, and never
// more than that.
func TraceURL(base string, allowPlain bool) (string, error) {
	u, err := Base(base, allowPlain, "/v1")
	if err != nil {
		return "", err
	}
	u.Path += TracePath
	return u.String(), nil
}

// Base checks a base URL as TraceURL does and returns it without query, fragment, trailing
// "/" or the trailing version segment (such as "/v1"), ready for a path to be appended.
func Base(base string, allowPlain bool, version string) (*url.URL, error) {
	base = strings.TrimSpace(base)
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%q: want http(s)://host[:port][/path]", Redact(base))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: credentials in the URL are not supported, use the API key", Redact(base))
	}
	if u.Scheme == "http" && !allowPlain && !IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%q: %w", Redact(base), ErrPlainHTTP)
	}
	p := strings.TrimRight(u.Path, "/")
	if version != "" {
		p = strings.TrimSuffix(p, version)
	}
	u.Path, u.RawPath = p, ""
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// IsLoopback reports whether host is localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Redact replaces the user information of a URL, if any, so it can be shown.
func Redact(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User("REDACTED")
		return u.String()
	}
	return s
}
