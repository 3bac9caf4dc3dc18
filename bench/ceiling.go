package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// records maps n traces to their v1 records once, outside any measurement.
func records(traces int) []record.Record {
	spans := genAITraces(traces)
	return semconv.Map(fromSDK(spans), semconv.Options{})
}

func newExporter(url string, opts ...exporter.Option) *exporter.Exporter {
	opts = append([]exporter.Option{exporter.WithEndpoint(url), exporter.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	exp, err := exporter.New(context.Background(), opts...)
	if err != nil {
		panic(err)
	}
	return exp
}

// minimalPost is the ceiling: a bare net/http client posting pre-encoded bodies at the given
// concurrency over kept-alive connections, no retries, no mapping, no encoding.
func minimalPost(url string, bodies [][]byte, concurrency int) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	next := make(chan []byte)
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					panic(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	for _, b := range bodies {
		next <- b
	}
	close(next)
	wg.Wait()
}

// compareCeiling is (b): tracebridge's v1 delivery (encoding, retryablehttp, accounting)
// against the minimal client, same records, same sink, same concurrency.
func compareCeiling(rounds int) []result {
	s, err := startSink(0)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	recs := records(5000) // 20,000 records
	bodies := make([][]byte, len(recs))
	for i := range recs {
		bodies[i] = recs[i].AppendJSON(nil)
	}
	const concurrency = 32
	exp := newExporter(s.URL, exporter.WithConcurrency(concurrency))
	defer exp.Shutdown(context.Background())
	tb, base := pair(max(rounds, 5),
		func() cost {
			return measure(len(recs), func() {
				if err := exp.Send(context.Background(), recs); err != nil {
					panic(err)
				}
			})
		},
		func() cost {
			return measure(len(bodies), func() { minimalPost(s.URL+"/v1/trace", bodies, concurrency) })
		})
	out := ceilingResults("v1", tb, base)

	// Adaline: one request per trace (interaction), the bodies pre-encoded by the same
	// destination code for the minimal client.
	const project = "bench-project-0000000000000000"
	ad, err := destination.New(destination.Settings{Name: destination.Adaline, BaseURL: s.URL, ProjectID: project, AllowPlainHTTP: true})
	if err != nil {
		panic(err)
	}
	var abodies [][]byte
	for _, req := range ad.Encode(recs) {
		abodies = append(abodies, req.Body)
	}
	aexp := newExporter(s.URL, exporter.WithConcurrency(concurrency), exporter.WithDestination(exporter.Adaline(project)), exporter.WithAPIKey("bench"))
	defer aexp.Shutdown(context.Background())
	ta, abase := pair(max(rounds, 5),
		func() cost {
			return measure(len(recs), func() {
				if err := aexp.Send(context.Background(), recs); err != nil {
					panic(err)
				}
			})
		},
		func() cost {
			return measure(len(recs), func() { minimalPost(s.URL+"/logs/trace", abodies, concurrency) })
		})
	return append(out, ceilingResults("Adaline", ta, abase)...)
}

func ceilingResults(dest string, tb, base []cost) []result {
	rate := median(tb, cost.rate) / median(base, cost.rate)
	cpu := median(tb, cost.cpuPer) / median(base, cost.cpuPer)
	return []result{
		{id: "b", what: dest + " records/s vs minimal client (concurrency 32)", value: rate, unit: "×", target: "≥ 0.8", ok: rate >= 0.8,
			detail: fmt.Sprintf("%.0f vs %.0f records/s", median(tb, cost.rate), median(base, cost.rate))},
		{id: "b", what: dest + " CPU per record vs minimal client", value: cpu, unit: "×", target: "≤ 1.25", ok: cpu <= 1.25,
			detail: fmt.Sprintf("%.1f vs %.1f µs/record, %.0f vs %.0f allocs", median(tb, cost.cpuPer)/1e3, median(base, cost.cpuPer)/1e3, median(tb, cost.allocsPer), median(base, cost.allocsPer))},
	}
}
