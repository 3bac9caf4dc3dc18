package transport

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPost is one v1 request through Client.Do (retryablehttp, pause, metrics hooks)
// against the same request from a bare net/http client: the difference is the per-request
// overhead tracebridge adds on top of the protocol.
func BenchmarkPost(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"status":200}`)
	}))
	defer srv.Close()
	body := []byte(`{"type":"traces","task":"generation","input":"` + strings.Repeat("x", 2800) + `"}`)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	hc := &http.Client{Transport: tr}
	b.Run("tracebridge", func(b *testing.B) {
		c := New(Config{URL: srv.URL, HTTPClient: hc, Header: http.Header{"Token": {"k"}},
			Retry: RetryConfig{Enabled: true, InitialInterval: time.Millisecond, MaxInterval: time.Second, MaxElapsedTime: time.Minute}})
		b.ReportAllocs()
		b.SetParallelism(8)
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := c.Post(context.Background(), body); err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("net-http", func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(8)
		defer reportCPU(b)()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Token", "k")
				resp, err := hc.Do(req)
				if err != nil {
					b.Error(err)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	})
}

// reportCPU reports the process's CPU time (user+system) per operation, which other load
// on the machine disturbs less than wall time; the server's share is the same on both sides.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
