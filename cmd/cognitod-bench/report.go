package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Scenario statuses.
const (
	statusOK             = "ok"
	statusNotImplemented = "not-implemented" // the server answered NotImplementedException
	statusSetupFailed    = "setup-failed"
	statusAborted        = "aborted" // the generator failed mid-run
	statusInterrupted    = "interrupted"
)

// Report is the whole run; --json prints it as it is.
type Report struct {
	Tool        string           `json:"tool"`
	Started     time.Time        `json:"started"`
	Endpoint    string           `json:"endpoint"`
	Region      string           `json:"region"`
	Concurrency int              `json:"concurrency"`
	WarmupS     float64          `json:"warmup_s"`
	DurationS   float64          `json:"duration_s,omitempty"`
	Requests    int64            `json:"requests,omitempty"`
	Machine     Machine          `json:"machine"`
	Ceiling     *CeilingInfo     `json:"ceiling,omitempty"`
	Scenarios   []ScenarioReport `json:"scenarios"`
	Notes       []string         `json:"notes"`
}

// Machine is where the run happened.
type Machine struct {
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	GoVersion  string `json:"go_version"`
}

// CeilingInfo says how the ceiling was measured.
type CeilingInfo struct {
	Mode      string  `json:"mode"`
	What      string  `json:"what"`
	DurationS float64 `json:"duration_s,omitempty"`
	Requests  int64   `json:"requests,omitempty"`
}

// ScenarioReport is one scenario's figures.
type ScenarioReport struct {
	Name       string     `json:"name"`
	Summary    string     `json:"summary"`
	Status     string     `json:"status"`
	Error      string     `json:"error,omitempty"`
	Warning    string     `json:"warning,omitempty"`
	Setup      string     `json:"setup,omitempty"`
	SetupS     float64    `json:"setup_s"`
	WindowS    float64    `json:"window_s"`
	CPU        *CPU       `json:"cpu_cores,omitempty"`
	Operations []OpReport `json:"operations"`
	Ceiling    *OpReport  `json:"ceiling,omitempty"`
	CeilingCPU *CPU       `json:"ceiling_cpu_cores,omitempty"`
}

// CPU is the cores used on average over a measured window (CPU seconds per
// second); a member is left out where it could not be read.
type CPU struct {
	LoadTool *float64 `json:"load_tool,omitempty"`
	Server   *float64 `json:"server,omitempty"`
	// Machine is every process together: what it has beyond the load tool
	// and the server is other work on the machine.
	Machine *float64 `json:"machine,omitempty"`
}

func cpuOf(r *loadResult) *CPU {
	return &CPU{LoadTool: cores(r.clientCPU), Server: cores(r.serverCPU), Machine: cores(r.machineCPU)}
}

func (c *CPU) String() string {
	s := "load tool " + fmtCores(c.LoadTool) + ", server " + fmtCores(c.Server) + ", whole machine " + fmtCores(c.Machine)
	if c.LoadTool != nil && c.Server != nil && c.Machine != nil {
		s += fmt.Sprintf(" (other processes %.2f)", max(0, *c.Machine-*c.LoadTool-*c.Server))
	}
	return s
}

// OpReport is one operation (or label) of a scenario.
type OpReport struct {
	Label        string       `json:"label"`
	Operation    string       `json:"operation"`
	OK           uint64       `json:"ok"`
	Failed       uint64       `json:"failed"`
	OpsPerSec    float64      `json:"ops_per_sec"`
	PctOfCeiling *float64     `json:"pct_of_ceiling,omitempty"`
	LatencyMS    Latency      `json:"latency_ms"`
	Errors       []ErrorCount `json:"errors,omitempty"`
}

// Latency of the successful calls, in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// ErrorCount is one error type's failures, with one message as an example.
type ErrorCount struct {
	Type    string `json:"type"`
	Count   uint64 `json:"count"`
	Message string `json:"message,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func cores(v float64) *float64 {
	if v < 0 {
		return nil
	}
	return &v
}

// opReports turns a phase's statistics into report lines, the main label first.
func opReports(res *loadResult, main string) []OpReport {
	var out []OpReport
	for _, label := range res.labels(main) {
		s := res.stats[label]
		r := OpReport{Label: label, Operation: s.op, OK: s.ok, Failed: s.failures()}
		if res.window > 0 {
			r.OpsPerSec = float64(s.ok) / res.window.Seconds()
		}
		h := &s.hist
		r.LatencyMS = Latency{P50: ms(h.Quantile(0.50)), P90: ms(h.Quantile(0.90)), P99: ms(h.Quantile(0.99)),
			Max: ms(h.Max()), Mean: ms(h.Mean())}
		for typ, n := range s.errs {
			r.Errors = append(r.Errors, ErrorCount{Type: typ, Count: n, Message: s.messages[typ]})
		}
		slices.SortFunc(r.Errors, func(a, b ErrorCount) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Type, b.Type))
		})
		out = append(out, r)
	}
	return out
}

func fmtMS(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 100:
		return fmt.Sprintf("%.1fms", v)
	}
	return fmt.Sprintf("%.0fms", v)
}

func fmtCores(v *float64) string {
	if v == nil {
		return "?"
	}
	return fmt.Sprintf("%.2f", *v)
}

// table prints rows in columns: the first two left-aligned, the rest right-aligned.
func table(w io.Writer, rows [][]string) {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < 2 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// writeText prints the report for people.
func writeText(w io.Writer, r *Report) error {
	run := fmt.Sprintf("%s per scenario", time.Duration(r.DurationS*float64(time.Second)))
	if r.Requests > 0 {
		run = fmt.Sprintf("%d requests per scenario", r.Requests)
	}
	fmt.Fprintf(w, "cognitod-bench → %s: %d concurrent connections, %s after a %s warm-up\n",
		r.Endpoint, r.Concurrency, run, time.Duration(r.WarmupS*float64(time.Second)))
	fmt.Fprintf(w, "machine: %d CPUs (GOMAXPROCS %d), %s/%s, %s\n",
		r.Machine.NumCPU, r.Machine.GOMAXPROCS, r.Machine.OS, r.Machine.Arch, r.Machine.GoVersion)
	if r.Ceiling != nil {
		fmt.Fprintf(w, "ceiling: %s; ceiling server in %s mode\n", r.Ceiling.What, r.Ceiling.Mode)
	}
	fmt.Fprintln(w)

	rows := [][]string{{"scenario", "operation", "ops/s", "% ceiling", "p50", "p90", "p99", "max", "ok", "failed"}}
	line := func(scenario string, o OpReport) {
		pct := "-"
		if o.PctOfCeiling != nil {
			pct = fmt.Sprintf("%.1f%%", *o.PctOfCeiling)
		}
		rows = append(rows, []string{scenario, o.Label, fmt.Sprintf("%.0f", o.OpsPerSec), pct,
			fmtMS(o.LatencyMS.P50), fmtMS(o.LatencyMS.P90), fmtMS(o.LatencyMS.P99), fmtMS(o.LatencyMS.Max),
			fmt.Sprint(o.OK), fmt.Sprint(o.Failed)})
	}
	var problems []string
	for _, s := range r.Scenarios {
		if s.Status != statusOK && len(s.Operations) == 0 {
			rows = append(rows, []string{s.Name, "(" + s.Status + ")"})
			problems = append(problems, fmt.Sprintf("%s: %s: %s", s.Name, s.Status, s.Error))
			continue
		}
		for i, o := range s.Operations {
			name := ""
			if i == 0 {
				name = s.Name
			}
			line(name, o)
			for _, e := range o.Errors {
				problems = append(problems, fmt.Sprintf("%s: %s: %d × %s: %s", s.Name, o.Label, e.Count, e.Type, e.Message))
			}
		}
		if s.Ceiling != nil {
			line("", *s.Ceiling)
		}
		if s.Status != statusOK {
			problems = append(problems, fmt.Sprintf("%s: %s: %s", s.Name, s.Status, s.Error))
		}
		if s.Warning != "" {
			problems = append(problems, fmt.Sprintf("%s: warning: %s", s.Name, s.Warning))
		}
	}
	table(w, rows)
	if len(problems) > 0 {
		fmt.Fprintln(w, "\nnot run, failed calls, warnings:")
		for _, p := range problems {
			fmt.Fprintln(w, "  "+p)
		}
	}
	fmt.Fprintf(w, "\nCPU used in the measured window (cores, of %d):\n", r.Machine.NumCPU)
	for _, s := range r.Scenarios {
		if s.CPU == nil {
			continue
		}
		fmt.Fprintf(w, "  %s: %s\n", s.Name, s.CPU)
		if s.CeilingCPU != nil {
			fmt.Fprintf(w, "  %s, its ceiling run: %s\n", s.Name, s.CeilingCPU)
		}
	}
	fmt.Fprintln(w)
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+strings.TrimSpace(n))
	}
	return nil
}
