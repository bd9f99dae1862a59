// segmentio/kafka-go: client entry point, shared helpers, and the produce
// and consumer-group scenarios. kafkago.go was split by area; the admin
// (kafka.Client) checks are in kafkago_admin.go.

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

func runKafkaGo(s *suite) {
	k := &kgoRun{s: s, topic: s.name("data"), client: &kafka.Client{Addr: kafka.TCP(s.bootstrap), Timeout: 15 * time.Second}}
	s.check("produce", 40*time.Second, k.produce)
	s.check("consumer-group", 50*time.Second, k.group)
	k.admin()
}

type kgoRun struct {
	s        *suite
	topic    string
	client   *kafka.Client
	produced bool
}

// partitionFromKey sends "p<N>"-keyed messages to partition N and hashes the
// rest like the default Hash balancer.
type partitionFromKey struct{ hash kafka.Hash }

func (b *partitionFromKey) Balance(m kafka.Message, ps ...int) int {
	if k := string(m.Key); strings.HasPrefix(k, "p") {
		if n, err := strconv.Atoi(k[1:]); err == nil {
			return n
		}
	}
	return b.hash.Balance(m, ps...)
}

func (k *kgoRun) writer(topic string, codec kafka.Compression) *kafka.Writer {
	return &kafka.Writer{
		Addr:         kafka.TCP(k.s.bootstrap),
		Topic:        topic,
		Balancer:     &partitionFromKey{},
		RequiredAcks: kafka.RequireAll,
		Compression:  codec,
		BatchSize:    100,
		BatchTimeout: 5 * time.Millisecond,
		MaxAttempts:  5,
		WriteTimeout: 10 * time.Second,
		ReadTimeout:  10 * time.Second,
	}
}

func kafkaErr(err error) error {
	if err == nil {
		return nil
	}
	var ke kafka.Error
	if errors.As(err, &ke) {
		return fmt.Errorf("%w (code %d)", err, int(ke))
	}
	return err
}

func (k *kgoRun) createTopics(ctx context.Context, topics ...kafka.TopicConfig) error {
	r, err := k.client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: topics})
	if err != nil {
		return err
	}
	for _, t := range topics {
		if err := r.Errors[t.Topic]; err != nil {
			return fmt.Errorf("%s: %w", t.Topic, kafkaErr(err))
		}
	}
	return nil
}

// offsets returns the first and last offsets of every partition of topic,
// retrying while the broker answers with a retriable error (a new topic's
// leadership can lag its creation on Kafka).
func (k *kgoRun) offsets(ctx context.Context, topic string, parts int) (first, last map[int]int64, err error) {
	for {
		first, last, err = k.offsetsOnce(ctx, topic, parts)
		var ke kafka.Error
		if err == nil || !errors.As(err, &ke) || !ke.Temporary() || ctx.Err() != nil {
			return first, last, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (k *kgoRun) offsetsOnce(ctx context.Context, topic string, parts int) (first, last map[int]int64, err error) {
	var reqs []kafka.OffsetRequest
	for p := 0; p < parts; p++ {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	r, err := k.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, nil, err
	}
	first, last = map[int]int64{}, map[int]int64{}
	for _, po := range r.Topics[topic] {
		if po.Error != nil {
			return nil, nil, fmt.Errorf("p%d: %w", po.Partition, kafkaErr(po.Error))
		}
		first[po.Partition] = po.FirstOffset
		last[po.Partition] = po.LastOffset
	}
	if len(last) != parts {
		return nil, nil, fmt.Errorf("offsets for %d of %d partitions: %+v", len(last), parts, r.Topics)
	}
	return first, last, nil
}

func (k *kgoRun) produce(ctx context.Context) error {
	if err := k.createTopics(ctx, kafka.TopicConfig{Topic: k.topic, NumPartitions: numPartitions, ReplicationFactor: 1}); err != nil {
		return fmt.Errorf("CreateTopics: %w", err)
	}
	codecs := []struct {
		name  string
		codec kafka.Compression
	}{{"none", 0}, {"gzip", kafka.Gzip}, {"snappy", kafka.Snappy}, {"lz4", kafka.Lz4}, {"zstd", kafka.Zstd}}
	n := k.s.n
	chunk := (n + len(codecs) - 1) / len(codecs)
	for ci, c := range codecs {
		lo, hi := ci*chunk, min((ci+1)*chunk, n)
		if lo >= hi {
			break
		}
		msgs := make([]kafka.Message, 0, hi-lo)
		for i := lo; i < hi; i++ {
			msgs = append(msgs, kafka.Message{
				Key:     []byte(recordKey(i)),
				Value:   []byte(recordValue(k.s.runID, i)),
				Headers: []kafka.Header{{Key: idxHeader, Value: []byte(strconv.Itoa(i))}},
			})
		}
		w := k.writer(k.topic, c.codec)
		// One WriteMessages call per partition batch keeps per-partition
		// order: the writer may run batches of different calls concurrently.
		err := w.WriteMessages(ctx, msgs...)
		w.Close()
		if err != nil {
			return fmt.Errorf("produce %s chunk [%d,%d): %w", c.name, lo, hi, kafkaErr(err))
		}
	}
	k.produced = true

	first, last, err := k.offsets(ctx, k.topic, numPartitions)
	if err != nil {
		return fmt.Errorf("ListOffsets: %w", err)
	}
	var total int64
	for p := 0; p < numPartitions; p++ {
		total += last[p] - first[p]
	}
	if total != int64(n) {
		return fmt.Errorf("offsets first %v last %v hold %d records, want %d", first, last, total, n)
	}

	var mu sync.Mutex
	var got []rec
	var wg sync.WaitGroup
	errs := make(chan error, numPartitions)
	for p := 0; p < numPartitions; p++ {
		if last[p] == 0 {
			continue
		}
		wg.Add(1)
		go func(p int, end int64) {
			defer wg.Done()
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{k.s.bootstrap}, Topic: k.topic, Partition: p, MinBytes: 1, MaxBytes: 4 << 20, MaxWait: 250 * time.Millisecond})
			defer r.Close()
			if err := r.SetOffset(kafka.FirstOffset); err != nil {
				errs <- err
				return
			}
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					errs <- fmt.Errorf("p%d: %w", p, kafkaErr(err))
					return
				}
				mu.Lock()
				got = append(got, kgoRec(m))
				mu.Unlock()
				if m.Offset >= end-1 {
					return
				}
			}
		}(p, last[p])
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("read back %d records (%s): %w", len(got), partSummary(got), err)
	}
	return verifyAll(k.s.runID, n, got, true)
}

func kgoRec(m kafka.Message) rec {
	h := map[string]string{}
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	return rec{partition: int32(m.Partition), offset: m.Offset, key: string(m.Key), value: string(m.Value), headers: h}
}

func (k *kgoRun) groupReader(group string) *kafka.Reader {
	return kafka.NewReader(kafka.ReaderConfig{
		Brokers:           []string{k.s.bootstrap},
		GroupID:           group,
		Topic:             k.topic,
		StartOffset:       kafka.FirstOffset,
		MinBytes:          1,
		MaxBytes:          4 << 20,
		MaxWait:           250 * time.Millisecond,
		HeartbeatInterval: 500 * time.Millisecond,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  250 * time.Millisecond,
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    250 * time.Millisecond,
		CommitInterval:    0, // synchronous commits
	})
}

func (k *kgoRun) group(ctx context.Context) error {
	if !k.produced {
		return errors.New("prerequisite: produce scenario did not produce the data")
	}
	n := k.s.n
	g1 := k.s.name("g1")

	// Run 1: consume all, commit, leave.
	r := k.groupReader(g1)
	var got []rec
	lastPer := map[int]kafka.Message{}
	for len(got) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			r.Close()
			return fmt.Errorf("run 1 after %d of %d (%s): %w", len(got), n, partSummary(got), kafkaErr(err))
		}
		got = append(got, kgoRec(m))
		lastPer[m.Partition] = m
	}
	if err := verifyAll(k.s.runID, n, got, true); err != nil {
		r.Close()
		return fmt.Errorf("run 1: %w", err)
	}
	var commit []kafka.Message
	for _, m := range lastPer {
		commit = append(commit, m)
	}
	if err := r.CommitMessages(ctx, commit...); err != nil {
		r.Close()
		return fmt.Errorf("run 1 commit: %w", kafkaErr(err))
	}
	if err := r.Close(); err != nil {
		return fmt.Errorf("run 1 close: %w", err)
	}

	of, err := k.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: g1, Topics: map[string][]int{k.topic: {0, 1, 2}}})
	if err != nil {
		return fmt.Errorf("OffsetFetch: %w", err)
	}
	_, last, err := k.offsets(ctx, k.topic, numPartitions)
	if err != nil {
		return err
	}
	for _, p := range of.Topics[k.topic] {
		if p.Error != nil || p.CommittedOffset != last[p.Partition] {
			return fmt.Errorf("p%d committed %d (%v), end offset %d", p.Partition, p.CommittedOffset, p.Error, last[p.Partition])
		}
	}

	// Markers, then run 2 must read only them.
	w := k.writer(k.topic, 0)
	var markers []kafka.Message
	for p := 0; p < numPartitions; p++ {
		markers = append(markers, kafka.Message{Key: []byte("p" + strconv.Itoa(p)), Value: []byte(markerValue(k.s.runID, p))})
	}
	err = w.WriteMessages(ctx, markers...)
	w.Close()
	if err != nil {
		return fmt.Errorf("produce markers: %w", kafkaErr(err))
	}
	r = k.groupReader(g1)
	seen := map[int]bool{}
	for len(seen) < numPartitions {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			r.Close()
			return fmt.Errorf("run 2 saw markers of %d partitions: %w", len(seen), kafkaErr(err))
		}
		if string(m.Value) != markerValue(k.s.runID, m.Partition) {
			r.Close()
			return fmt.Errorf("run 2 re-read an already committed record p%d@%d %q", m.Partition, m.Offset, trunc(string(m.Value)))
		}
		seen[m.Partition] = true
	}
	r.Close()

	// Two members of a fresh group; the split is read back from the
	// coordinator with DescribeGroups (kafka-go readers do not expose their
	// assignment).
	g2 := k.s.name("g2")
	st := newSplitState()
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var readers []*kafka.Reader
	for m := 0; m < 2; m++ {
		rd := k.groupReader(g2)
		readers = append(readers, rd)
		wg.Add(1)
		go func(m int, rd *kafka.Reader) {
			defer wg.Done()
			for {
				msg, err := rd.FetchMessage(mctx)
				if err != nil {
					return
				}
				st.consumed(m, string(msg.Value))
			}
		}(m, rd)
	}
	werr := waitUntil(ctx, 100*time.Millisecond, func() error {
		d, err := k.client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{g2}})
		if err != nil {
			return err
		}
		if len(d.Groups) != 1 {
			return fmt.Errorf("%d groups described", len(d.Groups))
		}
		g := d.Groups[0]
		if g.Error != nil || g.GroupState != "Stable" || len(g.Members) != 2 {
			return fmt.Errorf("group state %q members %d err %v", g.GroupState, len(g.Members), g.Error)
		}
		for i, mem := range g.Members {
			var ps []int32
			for _, t := range mem.MemberAssignments.Topics {
				if t.Topic == k.topic {
					for _, p := range t.Partitions {
						ps = append(ps, int32(p))
					}
				}
			}
			st.setAssigned(i, ps)
		}
		return st.status(n + numPartitions)
	})
	cancel()
	wg.Wait()
	for _, rd := range readers {
		rd.Close()
	}
	if werr != nil {
		return fmt.Errorf("two members: %w", werr)
	}
	return nil
}
