// franz-go consumer-group scenario (commit/resume and a two-member split)
// and the kadm group admin checks (CommitOffsets through DeleteGroups).

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

func (f *franz) group(ctx context.Context) error {
	if !f.produced {
		return errors.New("prerequisite: produce scenario did not produce the data")
	}
	n := f.s.n
	g1 := f.s.name("g1")

	// Run 1: consume everything, commit, leave.
	c1, err := f.client(kgo.ConsumerGroup(g1), kgo.ConsumeTopics(f.topic), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		return err
	}
	var got []rec
	for len(got) < n && ctx.Err() == nil {
		fs := c1.PollFetches(ctx)
		fs.EachRecord(func(r *kgo.Record) { got = append(got, franzRec(r)) })
	}
	if len(got) < n {
		c1.Close()
		return fmt.Errorf("run 1 consumed %d of %d (%s): %v", len(got), n, partSummary(got), ctx.Err())
	}
	if err := verifyAll(f.s.runID, n, got, true); err != nil {
		c1.Close()
		return fmt.Errorf("run 1: %w", err)
	}
	if err := c1.CommitUncommittedOffsets(ctx); err != nil {
		c1.Close()
		return fmt.Errorf("run 1 commit: %w", err)
	}
	c1.Close()

	adm, acl, err := f.adminClient()
	if err != nil {
		return err
	}
	defer acl.Close()
	committed, err := adm.FetchOffsets(ctx, g1)
	if err != nil {
		return fmt.Errorf("FetchOffsets after run 1: %w", err)
	}
	ends, err := adm.ListEndOffsets(ctx, f.topic)
	if err != nil {
		return fmt.Errorf("ListEndOffsets: %w", err)
	}
	for p := int32(0); p < numPartitions; p++ {
		c, _ := committed.Lookup(f.topic, p)
		e, _ := ends.Lookup(f.topic, p)
		if c.Err != nil || c.At != e.Offset {
			return fmt.Errorf("p%d committed %d (err %v), end offset %d", p, c.At, c.Err, e.Offset)
		}
	}

	// One marker per partition, then run 2 must see exactly the markers.
	pcl, err := f.client(kgo.DefaultProduceTopic(f.topic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		return err
	}
	var markers []*kgo.Record
	for p := 0; p < numPartitions; p++ {
		markers = append(markers, &kgo.Record{Partition: int32(p), Key: []byte("marker"), Value: []byte(markerValue(f.s.runID, p))})
	}
	err = pcl.ProduceSync(ctx, markers...).FirstErr()
	pcl.Close()
	if err != nil {
		return fmt.Errorf("produce markers: %w", err)
	}
	c2, err := f.client(kgo.ConsumerGroup(g1), kgo.ConsumeTopics(f.topic), kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(500*time.Millisecond))
	if err != nil {
		return err
	}
	seen := map[int32]bool{}
	for len(seen) < numPartitions && ctx.Err() == nil {
		fs := c2.PollFetches(ctx)
		var bad error
		fs.EachRecord(func(r *kgo.Record) {
			if string(r.Value) != markerValue(f.s.runID, int(r.Partition)) {
				bad = fmt.Errorf("run 2 re-read an already committed record p%d@%d %q", r.Partition, r.Offset, trunc(string(r.Value)))
			}
			seen[r.Partition] = true
		})
		if bad != nil {
			c2.Close()
			return bad
		}
	}
	c2.Close()
	if len(seen) < numPartitions {
		return fmt.Errorf("run 2 saw markers of %d of %d partitions: %v", len(seen), numPartitions, ctx.Err())
	}

	// Two members of a fresh group split the partitions.
	g2 := f.s.name("g2")
	st := newSplitState()
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var members []*kgo.Client
	for m := 0; m < 2; m++ {
		m := m
		cl, err := f.client(kgo.ConsumerGroup(g2), kgo.ConsumeTopics(f.topic),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.FetchMaxWait(500*time.Millisecond),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, a map[string][]int32) { st.assign(m, a[f.topic]) }),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, r map[string][]int32) { st.revoke(m, r[f.topic]) }),
			kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, r map[string][]int32) { st.revoke(m, r[f.topic]) }),
		)
		if err != nil {
			return err
		}
		members = append(members, cl)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for mctx.Err() == nil {
				fs := cl.PollFetches(mctx)
				fs.EachRecord(func(r *kgo.Record) { st.consumed(m, string(r.Value)) })
			}
		}()
	}
	werr := waitUntil(ctx, 50*time.Millisecond, func() error { return st.status(n + numPartitions) })
	cancel()
	wg.Wait()
	for _, cl := range members {
		cl.Close()
	}
	if werr != nil {
		return fmt.Errorf("two members: %w", werr)
	}
	return nil
}

// groupChecks runs the group admin checks against the admin topic tA.
func (a *franzAdmin) groupChecks() {
	s, adm, tA, grp, broker := a.s, a.adm, a.tA, a.grp, a.broker
	const short = franzAdminLimit

	s.check("admin.CommitOffsets", short, func(ctx context.Context) error {
		var os kadm.Offsets
		os.AddOffset(tA, 0, 7, -1)
		os.AddOffset(tA, 1, 0, -1)
		rs, err := adm.CommitOffsets(ctx, grp, os)
		if err != nil {
			return err
		}
		return rs.Error()
	})

	s.check("admin.FetchOffsets", short, func(ctx context.Context) error {
		rs, err := adm.FetchOffsets(ctx, grp)
		if err != nil {
			return err
		}
		if err := rs.Error(); err != nil {
			return err
		}
		o0, ok0 := rs.Lookup(tA, 0)
		o1, ok1 := rs.Lookup(tA, 1)
		if !ok0 || !ok1 || o0.At != 7 || o1.At != 0 {
			return fmt.Errorf("fetched p0=%d (%v) p1=%d (%v), want 7 and 0", o0.At, ok0, o1.At, ok1)
		}
		if _, ok := rs.Lookup(tA, 2); ok {
			return fmt.Errorf("p2 reported though never committed")
		}
		return nil
	})

	s.check("admin.ListGroups", short, func(ctx context.Context) error {
		ls, err := adm.ListGroups(ctx)
		if err != nil {
			return err
		}
		g, ok := ls[grp]
		if !ok {
			return fmt.Errorf("group %s not listed (%d groups)", grp, len(ls))
		}
		if g.Coordinator != broker || g.State != "Empty" {
			return fmt.Errorf("listed coordinator %d state %q, want %d Empty", g.Coordinator, g.State, broker)
		}
		return nil
	})

	s.check("admin.DescribeGroups", short, func(ctx context.Context) error {
		ds, err := adm.DescribeGroups(ctx, grp)
		if err != nil {
			return err
		}
		d, ok := ds[grp]
		if !ok {
			return fmt.Errorf("no description")
		}
		if err := kadmErr(d.Err, d.ErrMessage); err != nil {
			return err
		}
		if d.State != "Empty" || len(d.Members) != 0 || d.Coordinator.NodeID != broker {
			return fmt.Errorf("state %q members %d coordinator %d", d.State, len(d.Members), d.Coordinator.NodeID)
		}
		return nil
	})

	s.check("admin.DeleteGroups", short, func(ctx context.Context) error {
		rs, err := adm.DeleteGroups(ctx, grp)
		if err != nil {
			return err
		}
		if err := kadmErr(rs[grp].Err, rs[grp].ErrMessage); err != nil {
			return err
		}
		ls, err := adm.ListGroups(ctx)
		if err != nil {
			return err
		}
		if _, ok := ls[grp]; ok {
			return fmt.Errorf("group still listed after delete")
		}
		os, err := adm.FetchOffsets(ctx, grp)
		if err == nil && len(os) > 0 {
			if o, ok := os.Lookup(tA, 0); ok && o.At >= 0 {
				return fmt.Errorf("offsets survive deletion: %v", os)
			}
		}
		rs, err = adm.DeleteGroups(ctx, grp)
		if err == nil {
			err = rs[grp].Err
		}
		if !errors.Is(err, kerr.GroupIDNotFound) {
			return fmt.Errorf("delete again: err %v, want GROUP_ID_NOT_FOUND", err)
		}
		return nil
	})
}
