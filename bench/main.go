// Command bench compares tracebridge with its peers in one run, alternating the two sides
// of each pair, and prints the ratios against the targets of the performance issue:
//
//	go run ./bench            # all comparisons, ~2 minutes
//	go run ./bench -only b,c  # some of them
//
// Sinks run in a child process, so their CPU is not counted against either side; CPU is
// this process's user+system time (getrusage), allocations are runtime.MemStats.Mallocs.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"
)

func main() {
	sinkMode := flag.Bool("sink", false, "run as the sink child process")
	latency := flag.Duration("latency", 0, "sink: latency before answering")
	only := flag.String("only", "a,b,c,d,e", "comparisons to run")
	rounds := flag.Int("rounds", 3, "alternations per pair (medians are reported)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *sinkMode {
		if err := runSink(*latency); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	run := map[string]func(int) []result{"a": compareOTLP, "b": compareCeiling, "c": compareVendorSDK, "d": compareBridge, "e": deadAPIHeap}
	fmt.Printf("tracebridge benchmarks — %s\n\n", machine())
	var all []result
	for _, k := range strings.Split(*only, ",") {
		f := run[strings.TrimSpace(k)]
		if f == nil {
			fmt.Fprintf(os.Stderr, "unknown comparison %q\n", k)
			os.Exit(2)
		}
		start := time.Now()
		rs := f(*rounds)
		for _, r := range rs {
			fmt.Println(r)
		}
		fmt.Printf("   (%s took %v)\n\n", k, time.Since(start).Round(time.Second))
		all = append(all, rs...)
	}
	missed := 0
	for _, r := range all {
		if !r.ok {
			missed++
		}
	}
	fmt.Printf("%d of %d targets met\n", len(all)-missed, len(all))
}

// result is one measured figure against its target.
type result struct {
	id, what string
	value    float64
	unit     string
	target   string
	ok       bool
	detail   string
}

func (r result) String() string {
	mark := "met   "
	if !r.ok {
		mark = "MISSED"
	}
	return fmt.Sprintf("(%s) %-58s %8.2f%-3s target %-8s %s  %s", r.id, r.what, r.value, r.unit, r.target, mark, r.detail)
}
