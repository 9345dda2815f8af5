package main

import (
	"math"
	"math/bits"
	"time"
)

// subBucketBits sets the histogram's precision: every power-of-two range of
// durations is cut into 2^subBucketBits equal buckets, so a recorded value is
// known to within 1/128 of itself (HDR histogram style, "2 significant
// digits"), and a reported percentile (a bucket's middle) to within 0.4 %.
const (
	subBucketBits  = 7
	subBucketCount = 1 << subBucketBits
	// bucketCount covers every non-negative int64 nanosecond count.
	bucketCount = (64 - subBucketBits + 1) * subBucketCount
)

// Histogram records latencies without losing any sample: every recorded
// duration lands in one of a fixed set of log-linear buckets (58 × 128
// counters, 59 KiB, whatever the number of samples), alongside the exact
// count, sum, minimum and maximum. The zero value is ready to use; it is not
// safe for concurrent use (each worker keeps its own and they are merged).
type Histogram struct {
	counts []uint64
	n      uint64
	sum    time.Duration
	min    time.Duration
	max    time.Duration
}

// bucketOf returns the bucket that holds v nanoseconds (v >= 0).
func bucketOf(v int64) int {
	if v < 2*subBucketCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - (subBucketBits + 1)
	return shift*subBucketCount + int(v>>shift)
}

// bucketBounds returns the smallest and largest value bucket i holds.
func bucketBounds(i int) (lo, hi int64) {
	if i < 2*subBucketCount {
		return int64(i), int64(i)
	}
	shift := i/subBucketCount - 1
	m := int64(i - shift*subBucketCount)
	lo = m << shift
	hi = lo + (int64(1) << shift) - 1
	if hi < lo { // the last bucket reaches past MaxInt64
		hi = math.MaxInt64
	}
	return lo, hi
}

// Record adds one sample; a negative duration counts as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	if h.counts == nil {
		h.counts = make([]uint64, bucketCount)
	}
	h.counts[bucketOf(int64(d))]++
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.sum += d
}

// Merge adds every sample of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.n == 0 {
		return
	}
	if h.counts == nil {
		h.counts = make([]uint64, bucketCount)
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.n += o.n
	h.sum += o.sum
}

// Count is the number of samples.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest sample, exactly.
func (h *Histogram) Max() time.Duration { return h.max }

// Min is the smallest sample, exactly.
func (h *Histogram) Min() time.Duration { return h.min }

// Mean is the exact average of the samples.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return h.sum / time.Duration(h.n)
}

// Quantile returns the q-quantile (0 <= q <= 1) by the nearest-rank method:
// the sample of rank ceil(q·n), reported as the middle of its bucket and
// clamped to the exact minimum and maximum. Quantile(1) is the exact maximum.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketBounds(i)
			v := time.Duration(lo + (hi-lo)/2)
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
