package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/record"
)

// vendorSDK reproduces the NeuralTrust Python SDK's delivery in Go: a pool of 5 workers,
// one POST per record, no batching, no retry, errors dropped.
func vendorSDK(url string, recs []record.Record) {
	client := &http.Client{}
	jobs := make(chan *record.Record)
	var wg sync.WaitGroup
	for w := 0; w < 5; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range jobs {
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(r.AppendJSON(nil)))
				req.Header.Set("Content-Type", "application/json")
				if resp, err := client.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	for i := range recs {
		jobs <- &recs[i]
	}
	close(jobs)
	wg.Wait()
}

// compareVendorSDK is (c): records/s at 20 ms server latency, tracebridge with its
// defaults and with the high-volume setting the README recommends, against the vendor SDK's
// design.
func compareVendorSDK(rounds int) []result {
	s, err := startSink(20e6)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	recs := records(500) // 2,000 records
	def := newExporter(s.URL)
	high := newExporter(s.URL, exporter.WithConcurrency(256))
	defer def.Shutdown(context.Background())
	defer high.Shutdown(context.Background())
	send := func(e *exporter.Exporter) func() cost {
		return func() cost {
			return measure(len(recs), func() {
				if err := e.Send(context.Background(), recs); err != nil {
					panic(err)
				}
			})
		}
	}
	vendor := func() cost { return measure(len(recs), func() { vendorSDK(s.URL+"/v1/trace", recs) }) }
	d, v1 := pair(rounds, send(def), vendor)
	h, v2 := pair(rounds, send(high), vendor)
	vRate := median(append(v1, v2...), cost.rate)
	dr, hr := median(d, cost.rate)/vRate, median(h, cost.rate)/vRate
	return []result{
		{id: "c", what: "records/s at 20ms latency, defaults vs vendor SDK design", value: dr, unit: "×", target: "≥ 4", ok: dr >= 4,
			detail: fmt.Sprintf("%.0f vs %.0f records/s", median(d, cost.rate), vRate)},
		{id: "c", what: "records/s at 20ms latency, WithConcurrency(256) vs vendor", value: hr, unit: "×", target: "≥ 10", ok: hr >= 10,
			detail: fmt.Sprintf("%.0f vs %.0f records/s", median(h, cost.rate), vRate)},
	}
}
