// The Go contender of the side-by-side benchmark (runtime/benches/compare.rs).
//
// One process measures one run of one shape, the way the Rust contenders do: it
// reads key=value arguments, runs `warmup` untimed iterations and then one timed
// iteration, and prints a single line
//
//	result ns_per_op=… peak_rss_kb=… [bytes_per_task=…] [p99_ns=…]
//
// which the Rust driver parses. GOMAXPROCS is set by the driver (the Rust
// runtimes' worker count). Only the standard library is used, so it builds
// offline with Debian's golang-go 1.19.
//
// The shapes mirror the Rust ones (see compare/shapes.rs for what each measures):
// completion is counted with a sync.WaitGroup (one atomic RMW per goroutine), the
// counterpart of the Rust side's Latch.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// args holds the driver's key=value arguments.
type args struct {
	shape  string
	n, m   int
	warmup int
}

func parseArgs() args {
	a := args{warmup: 1}
	for _, kv := range os.Args[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			fail("argument %q is not key=value", kv)
		}
		switch k {
		case "shape":
			a.shape = v
		case "impl", "workers":
			// The driver passes these to every contender; GOMAXPROCS carries the worker count.
		case "n", "m", "warmup":
			x, err := strconv.Atoi(v)
			if err != nil {
				fail("argument %s=%q is not an integer", k, v)
			}
			switch k {
			case "n":
				a.n = x
			case "m":
				a.m = x
			default:
				a.warmup = x
			}
		default:
			fail("unknown argument %q", k)
		}
	}
	return a
}

func fail(format string, v ...interface{}) {
	fmt.Fprintf(os.Stderr, "compare-go: "+format+"\n", v...)
	os.Exit(2)
}

// statusKB reads one "Vm…:  N kB" line of /proc/self/status.
func statusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			var v int64
			fmt.Sscanf(strings.TrimSpace(l[len(field)+1:]), "%d", &v)
			return v
		}
	}
	return 0
}

// timed runs f warmup times untimed, then once timed.
func timed(warmup int, f func()) time.Duration {
	for i := 0; i < warmup; i++ {
		f()
	}
	t0 := time.Now()
	f()
	return time.Since(t0)
}

func spawnLocal(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
}

func chainedSpawn(n int) {
	var wg sync.WaitGroup
	wg.Add(1)
	var hop func(int)
	hop = func(k int) {
		if k == 0 {
			wg.Done()
			return
		}
		go hop(k - 1)
	}
	go hop(n)
	wg.Wait()
}

func yieldMany(tasks, yields int) {
	var wg sync.WaitGroup
	wg.Add(tasks)
	for i := 0; i < tasks; i++ {
		go func() {
			for j := 0; j < yields; j++ {
				runtime.Gosched()
			}
			wg.Done()
		}()
	}
	wg.Wait()
}

// pingPong is tokio's ping_pong shape: per pair, A is spawned, A spawns B,
// A sends to B over one channel and B answers over another.
func pingPong(pairs, batches int) {
	for b := 0; b < batches; b++ {
		var wg sync.WaitGroup
		wg.Add(pairs)
		for i := 0; i < pairs; i++ {
			go func() {
				c1, c2 := make(chan struct{}, 1), make(chan struct{}, 1)
				go func() { <-c1; c2 <- struct{}{} }()
				c1 <- struct{}{}
				<-c2
				wg.Done()
			}()
		}
		wg.Wait()
	}
}

// fib forks one branch as a goroutine and computes the other inline, with no
// sequential cutoff: the same shape as the Rust spawn-and-await version.
func fib(n int) int {
	if n < 2 {
		return n
	}
	ch := make(chan int, 1)
	go func() { ch <- fib(n - 1) }()
	b := fib(n - 2)
	return <-ch + b
}

// forks counts the spawns fib(n) makes: one per call with n >= 2.
func forks(n int) int {
	if n < 2 {
		return 0
	}
	return 1 + forks(n-1) + forks(n-2)
}

// memParked parks n goroutines on one shared channel and returns the time to
// spawn and park them and the resident bytes each adds.
func memParked(n int) (time.Duration, float64) {
	runtime.GC()
	r0 := statusKB("VmRSS")
	gate := make(chan struct{})
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() { started.Done(); <-gate; finished.Done() }()
	}
	started.Wait()
	d := time.Since(t0)
	time.Sleep(50 * time.Millisecond)
	r1 := statusKB("VmRSS")
	close(gate)
	finished.Wait()
	return d, float64(r1-r0) * 1024 / float64(n)
}

// wakeLatency sends n events, gapUs microseconds apart, from a goroutine locked
// to its OS thread to a goroutine parked on a channel; it returns the p50 and
// p99 of the delay from send to the receiver running.
func wakeLatency(n, gapUs, warmup int) (float64, float64) {
	base := time.Now()
	events := make(chan time.Duration, 1)
	result := make(chan []time.Duration)
	go func() {
		lat := make([]time.Duration, 0, n+warmup)
		for sent := range events {
			lat = append(lat, time.Since(base)-sent)
		}
		result <- lat
	}()
	runtime.LockOSThread()
	for i := 0; i < n+warmup; i++ {
		time.Sleep(time.Duration(gapUs) * time.Microsecond)
		events <- time.Since(base)
	}
	close(events)
	lat := (<-result)[warmup:]
	runtime.UnlockOSThread()
	sortDurations(lat)
	return float64(lat[len(lat)/2]), float64(lat[(len(lat)*99)/100])
}

func sortDurations(v []time.Duration) {
	// Insertion sort: n is at most a few thousand.
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

func main() {
	a := parseArgs()
	var nsPerOp float64
	extra := ""
	switch a.shape {
	case "spawn_local":
		d := timed(a.warmup, func() { spawnLocal(a.n) })
		nsPerOp = float64(d.Nanoseconds()) / float64(a.n)
	case "chained_spawn":
		d := timed(a.warmup, func() { chainedSpawn(a.n) })
		nsPerOp = float64(d.Nanoseconds()) / float64(a.n)
	case "yield_many":
		d := timed(a.warmup, func() { yieldMany(a.n, a.m) })
		nsPerOp = float64(d.Nanoseconds()) / float64(a.n*a.m)
	case "ping_pong":
		d := timed(a.warmup, func() { pingPong(a.n, a.m) })
		nsPerOp = float64(d.Nanoseconds()) / float64(a.n*a.m)
	case "fork_join":
		want := 0
		d := timed(a.warmup, func() { want = fib(a.n) })
		if want != fibSeq(a.n) {
			fail("fib(%d) = %d, expected %d", a.n, want, fibSeq(a.n))
		}
		nsPerOp = float64(d.Nanoseconds()) / float64(forks(a.n))
	case "mem_parked":
		d, perTask := memParked(a.n)
		nsPerOp = float64(d.Nanoseconds()) / float64(a.n)
		extra = fmt.Sprintf(" bytes_per_task=%.1f", perTask)
	case "wake_latency":
		p50, p99 := wakeLatency(a.n, a.m, 10*a.warmup)
		nsPerOp = p50
		extra = fmt.Sprintf(" p99_ns=%.0f", p99)
	default:
		fail("shape %q has no Go version", a.shape)
	}
	fmt.Printf("result ns_per_op=%.3f peak_rss_kb=%d%s\n", nsPerOp, statusKB("VmHWM"), extra)
}

func fibSeq(n int) int {
	a, b := 0, 1
	for i := 0; i < n; i++ {
		a, b = b, a+b
	}
	return a
}
