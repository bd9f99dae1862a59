// IBM/sarama consumer-group scenario: commit/resume across two runs of one
// group, then two members splitting the partitions.

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

// groupHandler feeds a consumer group session's messages to onMsg and reports
// assignment changes.
type groupHandler struct {
	topic    string
	onAssign func(ps []int32)
	onRevoke func()
	onMsg    func(sarama.ConsumerGroupSession, *sarama.ConsumerMessage)
}

func (h *groupHandler) Setup(sess sarama.ConsumerGroupSession) error {
	if h.onAssign != nil {
		h.onAssign(sess.Claims()[h.topic])
	}
	return nil
}

func (h *groupHandler) Cleanup(sarama.ConsumerGroupSession) error {
	if h.onRevoke != nil {
		h.onRevoke()
	}
	return nil
}

func (h *groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for {
		select {
		case m, ok := <-claim.Messages():
			if !ok {
				return nil
			}
			h.onMsg(sess, m)
		case <-sess.Context().Done():
			return nil
		}
	}
}

// consumeGroup runs one member of group until ctx ends.
func (sr *saramaRun) consumeGroup(ctx context.Context, group string, h *groupHandler) (sarama.ConsumerGroup, <-chan error, error) {
	cfg := sr.config()
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	cfg.Consumer.Offsets.AutoCommit.Enable = false
	cfg.Consumer.Group.Heartbeat.Interval = 500 * time.Millisecond
	cfg.Consumer.Group.Rebalance.Timeout = 10 * time.Second
	cg, err := sarama.NewConsumerGroup(sr.addrs(), group, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("NewConsumerGroup: %w", err)
	}
	done := make(chan error, 1)
	go func() {
		var last error
		for ctx.Err() == nil {
			if err := cg.Consume(ctx, []string{sr.topic}, h); err != nil && ctx.Err() == nil {
				last = err
				if errors.Is(err, sarama.ErrClosedConsumerGroup) {
					break
				}
			}
		}
		done <- last
	}()
	return cg, done, nil
}

func (sr *saramaRun) group(ctx context.Context) error {
	if !sr.produced {
		return errors.New("prerequisite: produce scenario did not produce the data")
	}
	n := sr.s.n
	g1 := sr.s.name("g1")

	// Run 1: consume all, commit, leave.
	var mu sync.Mutex
	var got []rec
	seen := map[string]bool{}
	full := make(chan struct{})
	var once sync.Once
	cctx, cancel := context.WithCancel(ctx)
	cg, done, err := sr.consumeGroup(cctx, g1, &groupHandler{topic: sr.topic, onMsg: func(sess sarama.ConsumerGroupSession, m *sarama.ConsumerMessage) {
		mu.Lock()
		defer mu.Unlock()
		if !seen[string(m.Value)] {
			seen[string(m.Value)] = true
			got = append(got, saramaRec(m))
		}
		sess.MarkMessage(m, "")
		if len(got) == n {
			sess.Commit()
			once.Do(func() { close(full) })
		}
	}})
	if err != nil {
		cancel()
		return err
	}
	select {
	case <-full:
	case <-ctx.Done():
	}
	cancel()
	cerr := cg.Close()
	derr := <-done
	mu.Lock()
	if len(got) < n {
		defer mu.Unlock()
		return fmt.Errorf("run 1 consumed %d of %d (%s); consume err %v; %v", len(got), n, partSummary(got), derr, ctx.Err())
	}
	if err := verifyAll(sr.s.runID, n, got, true); err != nil {
		mu.Unlock()
		return fmt.Errorf("run 1: %w", err)
	}
	mu.Unlock()
	if cerr != nil {
		return fmt.Errorf("run 1 close: %w", cerr)
	}

	adm, err := sarama.NewClusterAdmin(sr.addrs(), sr.config())
	if err != nil {
		return err
	}
	defer adm.Close()
	client, err := sarama.NewClient(sr.addrs(), sr.config())
	if err != nil {
		return err
	}
	defer client.Close()
	offs, err := adm.ListConsumerGroupOffsets(g1, map[string][]int32{sr.topic: {0, 1, 2}})
	if err != nil {
		return fmt.Errorf("ListConsumerGroupOffsets: %w", err)
	}
	for p := int32(0); p < numPartitions; p++ {
		end, err := client.GetOffset(sr.topic, p, sarama.OffsetNewest)
		if err != nil {
			return err
		}
		b := offs.GetBlock(sr.topic, p)
		if b == nil || b.Err != sarama.ErrNoError || b.Offset != end {
			return fmt.Errorf("p%d committed %+v, end offset %d", p, b, end)
		}
	}

	// Markers, one per partition, then run 2 must see only them.
	cfg := sr.config()
	cfg.Producer.Return.Successes = true
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	mp, err := sarama.NewSyncProducer(sr.addrs(), cfg)
	if err != nil {
		return err
	}
	var markers []*sarama.ProducerMessage
	for q := 0; q < numPartitions; q++ {
		markers = append(markers, &sarama.ProducerMessage{Topic: sr.topic, Partition: int32(q), Key: sarama.StringEncoder("marker"), Value: sarama.StringEncoder(markerValue(sr.s.runID, q))})
	}
	err = mp.SendMessages(markers)
	mp.Close()
	if err != nil {
		return fmt.Errorf("produce markers: %w", err)
	}
	var bad error
	got2 := map[int32]bool{}
	all := make(chan struct{})
	var once2 sync.Once
	cctx, cancel = context.WithCancel(ctx)
	cg, done, err = sr.consumeGroup(cctx, g1, &groupHandler{topic: sr.topic, onMsg: func(_ sarama.ConsumerGroupSession, m *sarama.ConsumerMessage) {
		mu.Lock()
		defer mu.Unlock()
		if string(m.Value) != markerValue(sr.s.runID, int(m.Partition)) && bad == nil {
			bad = fmt.Errorf("run 2 re-read an already committed record p%d@%d %q", m.Partition, m.Offset, trunc(string(m.Value)))
		}
		got2[m.Partition] = true
		if len(got2) == numPartitions || bad != nil {
			once2.Do(func() { close(all) })
		}
	}})
	if err != nil {
		cancel()
		return err
	}
	select {
	case <-all:
	case <-ctx.Done():
	}
	cancel()
	cg.Close()
	<-done
	mu.Lock()
	if bad != nil {
		mu.Unlock()
		return bad
	}
	if len(got2) < numPartitions {
		mu.Unlock()
		return fmt.Errorf("run 2 saw markers of %d of %d partitions: %v", len(got2), numPartitions, ctx.Err())
	}
	mu.Unlock()

	// Two members split a fresh group.
	g2 := sr.s.name("g2")
	st := newSplitState()
	mctx, mcancel := context.WithCancel(ctx)
	defer mcancel()
	var groups []sarama.ConsumerGroup
	var dones []<-chan error
	for m := 0; m < 2; m++ {
		m := m
		cg, done, err := sr.consumeGroup(mctx, g2, &groupHandler{
			topic:    sr.topic,
			onAssign: func(ps []int32) { st.setAssigned(m, ps) },
			onRevoke: func() { st.setAssigned(m, nil) },
			onMsg:    func(_ sarama.ConsumerGroupSession, msg *sarama.ConsumerMessage) { st.consumed(m, string(msg.Value)) },
		})
		if err != nil {
			return err
		}
		groups = append(groups, cg)
		dones = append(dones, done)
	}
	werr := waitUntil(ctx, 50*time.Millisecond, func() error { return st.status(n + numPartitions) })
	mcancel()
	for i, cg := range groups {
		cg.Close()
		<-dones[i]
	}
	if werr != nil {
		return fmt.Errorf("two members: %w", werr)
	}
	return nil
}
