package loadgen

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Report is what a run measured.
type Report struct {
	Started, Ended time.Time
	// WarmUp is how long signing everyone in took, before the steps.
	WarmUp time.Duration
	Steps  []StepReport
	// Acked are the submissions the server acknowledged.
	Acked []Ack
	// Unknown are drafts whose submission was never acknowledged, even
	// when tried again at the end: the server may or may not have kept
	// them, and the caller reads the store to tell.
	Unknown []Unknown
	// Doubled counts the drafts submitted a second time after an
	// acknowledgement; Mismatched lists those that led to another
	// response than the first (a duplicate).
	Doubled    int
	Mismatched []string
	// Server is the server's use of memory and CPU, sampled every second.
	Server []Usage
}

// Ack is a submission the server acknowledged with its response id.
type Ack struct {
	Email    string
	Response string
	Round    string // the round answered, or "" for a personal assessment
	Badge    bool   // the server said it offered a badge for it
	Tries    int    // submits sent before this acknowledgement
}

// Unknown is a draft whose submission was never acknowledged.
type Unknown struct {
	Email string
	Draft string
	Tries int
}

// Usage is a process's resident memory and CPU time used so far, at a
// moment of the run.
type Usage struct {
	At  time.Duration // since the run started
	RSS int64         // bytes
	CPU time.Duration // user and system time since the process started
}

// StepReport is what one constant rate measured.
type StepReport struct {
	Rate     int
	Duration time.Duration
	// Began and Ended are the step's times since the run started.
	Began, Ended time.Duration
	Requests     int
	// Errors are requests that failed or got an answer the user would
	// see as an error (a status of 400 or more, or no answer in time).
	Errors     int
	ErrorCodes map[string]int
	Routes     map[string]Latency
	Classes    map[string]Latency
	// Throughput is the rate of answered requests per second.
	Throughput float64
}

// ErrorRate is the share of requests that were errors.
func (s StepReport) ErrorRate() float64 {
	if s.Requests == 0 {
		return 0
	}
	return float64(s.Errors) / float64(s.Requests)
}

// Latency summarises the latencies of a group of requests.
type Latency struct {
	Requests, Errors   int
	P50, P95, P99, Max time.Duration
}

// stepMetrics collects a step's results with vegeta's metrics, per route
// and per class.
type stepMetrics struct {
	step    Step
	all     vegeta.Metrics
	routes  map[string]*vegeta.Metrics
	classes map[string]*vegeta.Metrics
	errors  map[string]int
}

func newStepMetrics(st Step) *stepMetrics {
	return &stepMetrics{step: st, routes: map[string]*vegeta.Metrics{}, classes: map[string]*vegeta.Metrics{}, errors: map[string]int{}}
}

func (m *stepMetrics) add(o op, res *vegeta.Result) {
	m.all.Add(res)
	for _, x := range []struct {
		into map[string]*vegeta.Metrics
		key  string
	}{{m.routes, routes[o.kind]}, {m.classes, o.kind.class()}} {
		if x.into[x.key] == nil {
			x.into[x.key] = &vegeta.Metrics{}
		}
		x.into[x.key].Add(res)
	}
	if res.Error != "" {
		code := strconv.Itoa(int(res.Code))
		if res.Code == 0 {
			code = "no answer"
		}
		m.errors[code]++
	}
}

func (m *stepMetrics) report() StepReport {
	m.all.Close()
	r := StepReport{Rate: m.step.Rate, Duration: m.step.Duration, Requests: int(m.all.Requests), ErrorCodes: m.errors,
		Routes: map[string]Latency{}, Classes: map[string]Latency{}, Throughput: m.all.Throughput}
	for _, n := range m.errors {
		r.Errors += n
	}
	for _, x := range []struct {
		from map[string]*vegeta.Metrics
		into map[string]Latency
	}{{m.routes, r.Routes}, {m.classes, r.Classes}} {
		for k, v := range x.from {
			v.Close()
			errs := 0
			for code, n := range v.StatusCodes {
				if c, _ := strconv.Atoi(code); c == 0 || c >= 400 {
					errs += n
				}
			}
			x.into[k] = Latency{Requests: int(v.Requests), Errors: errs, P50: v.Latencies.P50, P95: v.Latencies.P95,
				P99: v.Latencies.P99, Max: v.Latencies.Max}
		}
	}
	return r
}

// sample reads the server's usage every second until ctx ends.
func sample(ctx context.Context, read func() (Usage, error), start time.Time) []Usage {
	if read == nil {
		return nil
	}
	var out []Usage
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if u, err := read(); err == nil {
			u.At = time.Since(start)
			out = append(out, u)
		}
		select {
		case <-ctx.Done():
			return out
		case <-t.C:
		}
	}
}

// ProcessSampler returns a reader of the usage of process pid, from
// /proc (Linux): resident memory from status, and CPU time from stat in
// clock ticks of 1/100 s (USER_HZ, 100 on Linux).
func ProcessSampler(pid int) func() (Usage, error) {
	return func() (Usage, error) {
		var u Usage
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return u, err
		}
		for line := range strings.SplitSeq(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if err != nil {
					return u, err
				}
				u.RSS = kb << 10
			}
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return u, err
		}
		// The fields after the command name, which is in parentheses
		// and may hold spaces: utime and stime are the 12th and 13th.
		_, rest, _ := strings.Cut(string(stat), ") ")
		f := strings.Fields(rest)
		if len(f) < 13 {
			return u, fmt.Errorf("/proc/%d/stat: too few fields", pid)
		}
		user, err1 := strconv.ParseInt(f[11], 10, 64)
		sys, err2 := strconv.ParseInt(f[12], 10, 64)
		if err1 != nil || err2 != nil {
			return u, fmt.Errorf("/proc/%d/stat: no CPU times", pid)
		}
		u.CPU = time.Duration(user+sys) * 10 * time.Millisecond
		return u, nil
	}
}

// CPU returns the CPU cores the server used on average during the step,
// from the samples taken in it, or 0 without samples.
func (r *Report) CPU(s StepReport) float64 {
	var first, last *Usage
	for i := range r.Server {
		if u := &r.Server[i]; u.At >= s.Began && u.At <= s.Ended {
			if first == nil {
				first = u
			}
			last = u
		}
	}
	if first == nil || last.At <= first.At || last.CPU < first.CPU {
		return 0 // too few samples, or a restart in between
	}
	return float64(last.CPU-first.CPU) / float64(last.At-first.At)
}

// MemoryTrend fits a line through the memory samples after the first
// tenth of the run (the warm-up) and returns its slope in bytes per
// minute, with the peak.
func (r *Report) MemoryTrend() (slope float64, peak int64) {
	s := r.Server[len(r.Server)/10:]
	var n, sx, sy, sxx, sxy float64
	for _, m := range s {
		x, y := m.At.Minutes(), float64(m.RSS)
		n, sx, sy, sxx, sxy = n+1, sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	for _, m := range r.Server {
		peak = max(peak, m.RSS)
	}
	if d := n*sxx - sx*sx; n >= 2 && d != 0 {
		slope = (n*sxy - sx*sy) / d
	}
	return slope, peak
}

// Print writes the report as tables.
func (r *Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, s := range r.Steps {
		fmt.Fprintf(w, "\n%d requests/s for %v: %d requests, %.1f answered/s, %d errors (%.2f%%) %v",
			s.Rate, s.Duration, s.Requests, s.Throughput, s.Errors, 100*s.ErrorRate(), s.ErrorCodes)
		if cpu := r.CPU(s); cpu > 0 {
			fmt.Fprintf(w, ", server CPU %.2f cores", cpu)
		}
		fmt.Fprintln(w)
		fmt.Fprintln(tw, "route\trequests\terrors\tp50\tp95\tp99\tmax\t")
		names := make([]string, 0, len(s.Routes))
		for k := range s.Routes {
			names = append(names, k)
		}
		slices.Sort(names)
		row := func(name string, l Latency) {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t\n", name, l.Requests, l.Errors, ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max))
		}
		for _, k := range names {
			row(k, s.Routes[k])
		}
		for _, k := range []string{ClassPage, ClassWrite, ClassPDF} {
			if l, ok := s.Classes[k]; ok {
				row("all "+k, l)
			}
		}
		_ = tw.Flush()
	}
	badges := 0
	for _, a := range r.Acked {
		if a.Badge {
			badges++
		}
	}
	fmt.Fprintf(w, "\nsubmissions acknowledged: %d (%d with a badge offered), sent again after acknowledgement: %d, never acknowledged: %d\n",
		len(r.Acked), badges, r.Doubled, len(r.Unknown))
	if len(r.Server) > 0 {
		slope, peak := r.MemoryTrend()
		fmt.Fprintf(w, "server memory: peak %.0f MiB, trend %+.2f MiB/min after warm-up, %d samples\n",
			float64(peak)/(1<<20), slope/(1<<20), len(r.Server))
	}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}
