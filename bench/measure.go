package main

import (
	"runtime"
	"sort"
	"syscall"
	"time"
)

// cost is what one run used in this process.
type cost struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	allocs uint64
	n      int // units (spans or records) processed
}

func (c cost) cpuPer() float64    { return float64(c.cpu.Nanoseconds()) / float64(c.n) }
func (c cost) allocsPer() float64 { return float64(c.allocs) / float64(c.n) }
func (c cost) rate() float64      { return float64(c.n) / c.wall.Seconds() }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs f, which processes n units, and returns its cost.
func measure(n int, f func()) cost {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, t0 := cpuTime(), time.Now()
	f()
	wall, cpu := time.Since(t0), cpuTime()-c0
	runtime.ReadMemStats(&m1)
	return cost{wall: wall, cpu: cpu, allocs: m1.Mallocs - m0.Mallocs, n: n}
}

// median of the costs by the given metric.
func median(cs []cost, metric func(cost) float64) float64 {
	v := make([]float64, len(cs))
	for i, c := range cs {
		v[i] = metric(c)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

// pair runs a and b alternately, rounds times each, and returns their costs.
func pair(rounds int, a, b func() cost) (as, bs []cost) {
	for i := 0; i < rounds; i++ {
		as = append(as, a())
		bs = append(bs, b())
	}
	return as, bs
}
