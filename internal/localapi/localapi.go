// Package localapi is what the examples need of a running tracebridge serve: telling it
// apart from a vendor's API, reading back the records it received, and the viewer's URL.
package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

// ServeBase is the base URL in NEURALTRUST_BASE_URL, without a trailing /v1.
func ServeBase(env string) string {
	return strings.TrimSuffix(strings.TrimSuffix(env, "/"), "/v1")
}

// IsServe reports whether base answers as tracebridge serve does (GET /healthz).
func IsServe(ctx context.Context, base string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16))
	return resp.StatusCode == http.StatusOK && string(b) == "ok"
}

// ViewerURL opens the viewer on one interaction.
func ViewerURL(base, conversation, interaction string) string {
	return base + "/#" + url.Values{"c": {conversation}, "i": {interaction}}.Encode()
}

// Fetch reads back the records of one interaction, exactly as the API stored them.
func Fetch(ctx context.Context, base, interactionID string) ([]record.Record, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/records?interaction_id="+url.QueryEscape(interactionID), nil)
	if err != nil {
		return nil, err
	}
	if key := os.Getenv("NEURALTRUST_API_KEY"); key != "" {
		req.Header.Set("token", key) // the token of a tracebridge serve that requires one
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /v1/records: %s", resp.Status)
	}
	var recs []record.Record
	return recs, json.NewDecoder(resp.Body).Decode(&recs)
}
