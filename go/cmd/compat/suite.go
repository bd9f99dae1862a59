package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// suite collects the results of one client's scenarios.
type suite struct {
	client    string
	bootstrap string
	runID     string
	ctx       context.Context
	n         int // records to produce

	mu      sync.Mutex
	results []result
}

type result struct {
	scenario string
	err      error
}

// name returns a topic or group name unique to this run and client.
func (s *suite) name(kind string) string {
	return fmt.Sprintf("compat-%s-%s-%s", s.client, kind, s.runID)
}

func (s *suite) logf(format string, args ...any) {
	if *flagVerbose {
		fmt.Fprintf(os.Stderr, "[%s %s] %s\n", time.Now().Format("15:04:05.000"), s.client, fmt.Sprintf(format, args...))
	}
}

// check runs one scenario under its own deadline and records the outcome.
func (s *suite) check(scenario string, limit time.Duration, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(s.ctx, limit)
	defer cancel()
	began := time.Now()
	s.logf("%s: start", scenario)
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		return fn(ctx)
	}()
	if err != nil && ctx.Err() != nil && !errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (scenario deadline %s passed)", err, limit)
	}
	s.logf("%s: done in %s err=%v", scenario, time.Since(began).Round(time.Millisecond), err)
	s.mu.Lock()
	s.results = append(s.results, result{scenario, err})
	s.mu.Unlock()
	return err
}

// ---------------------------------------------------------------------------
// The data set every client produces and reads back.

const numPartitions = 3

func recordKey(i int) string { return fmt.Sprintf("key-%02d", i%61) }

func recordValue(runID string, i int) string {
	// Mildly compressible, varying length.
	return fmt.Sprintf("%s|%06d|%s", runID, i, strings.Repeat(string(rune('a'+i%26)), 20+i%50))
}

const idxHeader = "compat-idx"

// rec is one record as read back from the broker.
type rec struct {
	partition int32
	offset    int64
	key       string
	value     string
	headers   map[string]string
}

// parseIdx extracts the record index from a value produced by recordValue.
func parseIdx(runID, value string) (int, error) {
	parts := strings.SplitN(value, "|", 3)
	if len(parts) != 3 || parts[0] != runID {
		return 0, fmt.Errorf("foreign value %q", trunc(value))
	}
	i, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, fmt.Errorf("bad index in %q", trunc(value))
	}
	if want := recordValue(runID, i); value != want {
		return 0, fmt.Errorf("record %d: value %q, want %q", i, trunc(value), trunc(want))
	}
	return i, nil
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// verifyAll checks that recs is exactly records 0..n-1, each once, with the
// right key, value and header, in produce order within every partition, every
// key in a single partition, and every partition non-empty.
func verifyAll(runID string, n int, recs []rec, checkHeaders bool) error {
	byPart := map[int32][]rec{}
	for _, r := range recs {
		byPart[r.partition] = append(byPart[r.partition], r)
	}
	seen := make([]bool, n)
	keyPart := map[string]int32{}
	count := 0
	for p, rs := range byPart {
		if p < 0 || p >= numPartitions {
			return fmt.Errorf("record in unexpected partition %d", p)
		}
		sort.SliceStable(rs, func(a, b int) bool { return rs[a].offset < rs[b].offset })
		lastIdx, lastOff := -1, int64(-1)
		for _, r := range rs {
			i, err := parseIdx(runID, r.value)
			if err != nil {
				return fmt.Errorf("p%d@%d: %w", p, r.offset, err)
			}
			if i < 0 || i >= n {
				return fmt.Errorf("p%d@%d: index %d out of range", p, r.offset, i)
			}
			if seen[i] {
				return fmt.Errorf("record %d read twice (p%d@%d)", i, p, r.offset)
			}
			seen[i] = true
			count++
			if r.key != recordKey(i) {
				return fmt.Errorf("record %d: key %q, want %q", i, r.key, recordKey(i))
			}
			if checkHeaders {
				if h := r.headers[idxHeader]; h != strconv.Itoa(i) {
					return fmt.Errorf("record %d: header %s=%q, want %d (headers %v)", i, idxHeader, h, i, r.headers)
				}
			}
			if r.offset == lastOff {
				return fmt.Errorf("p%d: offset %d repeated", p, r.offset)
			}
			if i < lastIdx {
				return fmt.Errorf("p%d: record %d at offset %d after record %d at offset %d: produce order lost", p, i, r.offset, lastIdx, lastOff)
			}
			lastIdx, lastOff = i, r.offset
			if q, ok := keyPart[r.key]; ok && q != p {
				return fmt.Errorf("key %q in partitions %d and %d", r.key, q, p)
			}
			keyPart[r.key] = p
		}
	}
	if count != n {
		missing := []int{}
		for i, ok := range seen {
			if !ok && len(missing) < 5 {
				missing = append(missing, i)
			}
		}
		return fmt.Errorf("read %d distinct records, want %d (first missing %v)", count, n, missing)
	}
	for p := int32(0); p < numPartitions; p++ {
		if len(byPart[p]) == 0 {
			return fmt.Errorf("partition %d empty: keys not spread", p)
		}
	}
	return nil
}

func partSummary(recs []rec) string {
	c := map[int32]int{}
	for _, r := range recs {
		c[r.partition]++
	}
	return fmt.Sprintf("p0=%d p1=%d p2=%d", c[0], c[1], c[2])
}

// ---------------------------------------------------------------------------
// Group bookkeeping shared by the clients' group scenarios.

// markerValue is what the second run of a group must see: one record per
// partition produced after the first run committed.
func markerValue(runID string, p int) string { return fmt.Sprintf("%s|marker|%d", runID, p) }

// splitState tracks two members of one group.
type splitState struct {
	mu       sync.Mutex
	assigned [2]map[int32]bool // current assignment per member
	got      map[string]bool   // distinct values consumed by either member
	perMem   [2]int
}

func newSplitState() *splitState {
	return &splitState{got: map[string]bool{}, assigned: [2]map[int32]bool{{}, {}}}
}

func (st *splitState) assign(m int, ps []int32) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, p := range ps {
		st.assigned[m][p] = true
	}
}

func (st *splitState) revoke(m int, ps []int32) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, p := range ps {
		delete(st.assigned[m], p)
	}
}

func (st *splitState) setAssigned(m int, ps []int32) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.assigned[m] = map[int32]bool{}
	for _, p := range ps {
		st.assigned[m][p] = true
	}
}

func (st *splitState) consumed(m int, value string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.got[value] = true
	st.perMem[m]++
}

// done reports whether both members hold disjoint non-empty shares that
// together cover every partition, and want distinct values were consumed.
func (st *splitState) done(want int) bool {
	return st.status(want) == nil
}

func (st *splitState) status(want int) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	a, b := st.assigned[0], st.assigned[1]
	if len(st.got) < want {
		return fmt.Errorf("consumed %d of %d distinct records (member0 %d, member1 %d); assignments %v / %v",
			len(st.got), want, st.perMem[0], st.perMem[1], keys(a), keys(b))
	}
	if len(a) == 0 || len(b) == 0 {
		return fmt.Errorf("a member has no partitions: %v / %v", keys(a), keys(b))
	}
	for p := range a {
		if b[p] {
			return fmt.Errorf("partition %d assigned to both members: %v / %v", p, keys(a), keys(b))
		}
	}
	if len(a)+len(b) != numPartitions {
		return fmt.Errorf("assignments %v / %v do not cover %d partitions", keys(a), keys(b), numPartitions)
	}
	return nil
}

func keys(m map[int32]bool) []int32 {
	out := make([]int32, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// waitUntil polls cond until it holds or ctx ends; the last error is returned.
func waitUntil(ctx context.Context, every time.Duration, cond func() error) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		err := cond()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (gave up: %v)", err, ctx.Err())
		case <-t.C:
		}
	}
}

func errf(format string, args ...any) error { return fmt.Errorf(format, args...) }
