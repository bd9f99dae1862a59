// franz-go (twmb/franz-go + kadm): the client entry point, its shared
// helpers and the produce scenario. franz.go was split by area; the other
// parts are franz_groups.go, franz_admin.go, franz_configs.go, franz_cluster.go.

package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

func runFranz(s *suite) {
	f := &franz{s: s, topic: s.name("data")}
	s.check("produce", 40*time.Second, f.produce)
	s.check("consumer-group", 45*time.Second, f.group)
	f.admin()
}

type franz struct {
	s        *suite
	topic    string
	produced bool
}

func (f *franz) client(opts ...kgo.Opt) (*kgo.Client, error) {
	base := []kgo.Opt{kgo.SeedBrokers(f.s.bootstrap), kgo.ClientID("compat-franz-go")}
	return kgo.NewClient(append(base, opts...)...)
}

func (f *franz) adminClient() (*kadm.Client, *kgo.Client, error) {
	cl, err := f.client()
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl, nil
}

// kadmErr folds a kadm per-item error and its message into one error.
func kadmErr(err error, msg string) error {
	if err == nil {
		return nil
	}
	if msg != "" {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

func (f *franz) produce(ctx context.Context) error {
	adm, cl, err := f.adminClient()
	if err != nil {
		return err
	}
	defer cl.Close()
	resp, err := adm.CreateTopic(ctx, numPartitions, 1, nil, f.topic)
	if err != nil {
		return fmt.Errorf("CreateTopics: %w", err)
	}
	if err := kadmErr(resp.Err, resp.ErrMessage); err != nil {
		return fmt.Errorf("CreateTopics: %w", err)
	}

	// Several codecs, one producer each, one after the other so per-partition
	// order is the index order. The first chunk uses the client's defaults
	// (idempotent, snappy).
	codecs := []struct {
		name string
		opt  []kgo.Opt
	}{
		{"default(snappy)", nil},
		{"none", []kgo.Opt{kgo.ProducerBatchCompression(kgo.NoCompression())}},
		{"gzip", []kgo.Opt{kgo.ProducerBatchCompression(kgo.GzipCompression())}},
		{"lz4", []kgo.Opt{kgo.ProducerBatchCompression(kgo.Lz4Compression())}},
		{"zstd", []kgo.Opt{kgo.ProducerBatchCompression(kgo.ZstdCompression())}},
	}
	n := f.s.n
	chunk := (n + len(codecs) - 1) / len(codecs)
	for ci, c := range codecs {
		lo, hi := ci*chunk, min((ci+1)*chunk, n)
		if lo >= hi {
			break
		}
		pcl, err := f.client(append([]kgo.Opt{kgo.DefaultProduceTopic(f.topic), kgo.ProducerLinger(5 * time.Millisecond)}, c.opt...)...)
		if err != nil {
			return err
		}
		recs := make([]*kgo.Record, 0, hi-lo)
		for i := lo; i < hi; i++ {
			recs = append(recs, &kgo.Record{
				Key:     []byte(recordKey(i)),
				Value:   []byte(recordValue(f.s.runID, i)),
				Headers: []kgo.RecordHeader{{Key: idxHeader, Value: []byte(strconv.Itoa(i))}},
			})
		}
		err = pcl.ProduceSync(ctx, recs...).FirstErr()
		pcl.Close()
		if err != nil {
			return fmt.Errorf("produce %s chunk [%d,%d): %w", c.name, lo, hi, err)
		}
	}
	f.produced = true

	// Read back by explicit partition assignment.
	parts := map[int32]kgo.Offset{}
	for p := int32(0); p < numPartitions; p++ {
		parts[p] = kgo.NewOffset().AtStart()
	}
	ccl, err := f.client(kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{f.topic: parts}), kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		return err
	}
	defer ccl.Close()
	var got []rec
	for len(got) < n {
		fs := ccl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("read back %d of %d records (%s): %w", len(got), n, partSummary(got), err)
		}
		var ferr error
		fs.EachError(func(t string, p int32, err error) { ferr = fmt.Errorf("fetch %s/%d: %w", t, p, err) })
		if ferr != nil {
			return ferr
		}
		fs.EachRecord(func(r *kgo.Record) { got = append(got, franzRec(r)) })
	}
	if err := verifyAll(f.s.runID, n, got, true); err != nil {
		return err
	}

	// High watermarks must match what was read.
	ends, err := adm.ListEndOffsets(ctx, f.topic)
	if err != nil {
		return fmt.Errorf("ListEndOffsets: %w", err)
	}
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	if total != int64(n) {
		return fmt.Errorf("end offsets sum to %d, want %d", total, n)
	}
	return nil
}

func franzRec(r *kgo.Record) rec {
	h := map[string]string{}
	for _, x := range r.Headers {
		h[x.Key] = string(x.Value)
	}
	return rec{partition: r.Partition, offset: r.Offset, key: string(r.Key), value: string(r.Value), headers: h}
}
