package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exact is the nearest-rank q-quantile of sorted samples.
func exact(sorted []time.Duration, q float64) time.Duration {
	rank := int(math.Ceil(q * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func within(t *testing.T, what string, got, want time.Duration, rel float64) {
	t.Helper()
	if d := math.Abs(float64(got - want)); d > rel*float64(want) {
		t.Errorf("%s = %v, want %v ± %.2f%%", what, got, want, 100*rel)
	}
}

func TestBucketsCoverEveryValue(t *testing.T) {
	prevHi := int64(-1)
	for i := range bucketCount {
		lo, hi := bucketBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, the previous one ended at %d", i, lo, prevHi)
		}
		if hi < lo {
			t.Fatalf("bucket %d: [%d, %d]", i, lo, hi)
		}
		if lo >= subBucketCount && float64(hi-lo+1)/float64(lo) > 1.0/subBucketCount+1e-12 {
			t.Fatalf("bucket %d [%d, %d] is wider than 1/%d of its values", i, lo, hi, subBucketCount)
		}
		prevHi = hi
		if hi == math.MaxInt64 {
			break
		}
	}
	if prevHi != math.MaxInt64 {
		t.Fatalf("the buckets end at %d", prevHi)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		v := r.Int64N(math.MaxInt64 >> r.IntN(63))
		lo, hi := bucketBounds(bucketOf(v))
		if v < lo || v > hi {
			t.Fatalf("%d is in bucket %d [%d, %d]", v, bucketOf(v), lo, hi)
		}
	}
}

func TestQuantilesOfKnownDistributions(t *testing.T) {
	t.Run("constant", func(t *testing.T) {
		var h Histogram
		for range 1000 {
			h.Record(1234567 * time.Nanosecond)
		}
		for _, q := range []float64{0, 0.5, 0.9, 0.99, 1} {
			if got := h.Quantile(q); got != 1234567*time.Nanosecond {
				t.Errorf("q%v = %v, want exactly 1.234567ms (min = max clamps it)", q, got)
			}
		}
	})
	t.Run("uniform 1µs..100ms", func(t *testing.T) {
		var h Histogram
		for i := 1; i <= 100000; i++ {
			h.Record(time.Duration(i) * time.Microsecond)
		}
		if h.Count() != 100000 {
			t.Fatalf("count %d: a sample was lost", h.Count())
		}
		within(t, "p50", h.Quantile(0.50), 50*time.Millisecond, 0.005)
		within(t, "p90", h.Quantile(0.90), 90*time.Millisecond, 0.005)
		within(t, "p99", h.Quantile(0.99), 99*time.Millisecond, 0.005)
		within(t, "p99.9", h.Quantile(0.999), 99900*time.Microsecond, 0.005)
		if h.Max() != 100*time.Millisecond || h.Min() != time.Microsecond {
			t.Errorf("min %v max %v, want exactly 1µs and 100ms", h.Min(), h.Max())
		}
		within(t, "mean", h.Mean(), 50000500*time.Nanosecond, 1e-9)
	})
	t.Run("small integers are exact", func(t *testing.T) {
		var h Histogram
		for i := 1; i <= 100; i++ {
			h.Record(time.Duration(i))
		}
		for _, c := range []struct {
			q    float64
			want time.Duration
		}{{0.01, 1}, {0.5, 50}, {0.9, 90}, {0.99, 99}, {1, 100}} {
			if got := h.Quantile(c.q); got != c.want {
				t.Errorf("q%v = %v, want %v", c.q, got, c.want)
			}
		}
	})
	for _, dist := range []struct {
		name string
		gen  func(r *rand.Rand) time.Duration
	}{
		{"exponential mean 2ms", func(r *rand.Rand) time.Duration {
			return time.Duration(r.ExpFloat64() * float64(2*time.Millisecond))
		}},
		{"lognormal (a long tail)", func(r *rand.Rand) time.Duration {
			return time.Duration(math.Exp(r.NormFloat64()*1.5) * float64(time.Millisecond))
		}},
		{"bimodal 0.5ms / 40ms", func(r *rand.Rand) time.Duration {
			if r.IntN(100) < 95 {
				return time.Duration((0.5 + 0.1*r.NormFloat64()) * float64(time.Millisecond))
			}
			return time.Duration((40 + 5*r.NormFloat64()) * float64(time.Millisecond))
		}},
	} {
		t.Run(dist.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, 11))
			samples := make([]time.Duration, 200000)
			var h Histogram
			for i := range samples {
				samples[i] = max(dist.gen(r), 0)
				h.Record(samples[i])
			}
			slices.Sort(samples)
			for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
				within(t, "quantile", h.Quantile(q), exact(samples, q), 0.005)
			}
			if h.Max() != samples[len(samples)-1] {
				t.Errorf("max %v, want %v", h.Max(), samples[len(samples)-1])
			}
		})
	}
}

func TestMergeIsRecordingEverything(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var all, a, b Histogram
	for i := range 50000 {
		d := time.Duration(r.ExpFloat64() * float64(time.Millisecond))
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	var m Histogram
	m.Merge(&a)
	m.Merge(&b)
	m.Merge(&Histogram{})
	if m.Count() != all.Count() || m.Max() != all.Max() || m.Min() != all.Min() || m.Mean() != all.Mean() {
		t.Fatalf("merged n=%d min=%v max=%v mean=%v, want n=%d min=%v max=%v mean=%v",
			m.Count(), m.Min(), m.Max(), m.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		if m.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%v: merged %v, all %v", q, m.Quantile(q), all.Quantile(q))
		}
	}
}

func TestEmptyAndNegative(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Mean() != 0 || h.Max() != 0 {
		t.Fatal("an empty histogram reports zeros")
	}
	h.Record(-time.Second)
	if h.Count() != 1 || h.Max() != 0 {
		t.Fatalf("a negative duration counts as 0: n=%d max=%v", h.Count(), h.Max())
	}
}
