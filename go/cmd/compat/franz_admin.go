// franz-go admin (kadm) checks: the driver that runs every admin check in a
// fixed order, plus the topic, offset and delete-topic checks. Config, group
// and cluster-level checks are in franz_configs.go, franz_groups.go and
// franz_cluster.go.

package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// franzAdminLimit bounds each admin check.
const franzAdminLimit = 15 * time.Second

// p0Records is how many records ListOffsets produces to partition 0 of tA;
// DeleteRecords and DescribeProducers rely on it.
const p0Records = 10

// franzAdmin is the state the admin checks share.
type franzAdmin struct {
	f      *franz
	s      *suite
	adm    *kadm.Client
	tA, tB string
	grp    string
	broker int32 // node id from ApiVersions or metadata; -1 if unknown
}

func (f *franz) admin() {
	s := f.s
	adm, cl, err := f.adminClient()
	if err != nil {
		s.check("admin", time.Second, func(context.Context) error { return err })
		return
	}
	defer cl.Close()
	a := &franzAdmin{f: f, s: s, adm: adm, tA: s.name("adm-a"), tB: s.name("adm-b"), grp: s.name("adm-grp"), broker: -1}
	a.topicChecks()
	a.configChecks()
	a.offsetChecks()
	a.groupChecks()
	a.clusterChecks()
	a.deleteTopics()
}

// topicChecks: ApiVersions (which also learns the broker id), CreateTopics,
// ListTopics, CreatePartitions.
func (a *franzAdmin) topicChecks() {
	s, adm, tA, tB, broker := a.s, a.adm, a.tA, a.tB, a.broker
	const short = franzAdminLimit

	s.check("admin.ApiVersions", short, func(ctx context.Context) error {
		vs, err := adm.ApiVersions(ctx)
		if err != nil {
			return err
		}
		if len(vs) != 1 {
			return fmt.Errorf("%d brokers answered, want 1", len(vs))
		}
		for _, v := range vs {
			if v.Err != nil {
				return v.Err
			}
			broker = v.NodeID
			raw := v.Raw()
			seen := map[int16]bool{}
			for _, k := range raw.ApiKeys {
				if seen[k.ApiKey] {
					return fmt.Errorf("key %d listed twice", k.ApiKey)
				}
				seen[k.ApiKey] = true
				if k.MinVersion < 0 || k.MaxVersion < k.MinVersion {
					return fmt.Errorf("key %d: versions %d..%d", k.ApiKey, k.MinVersion, k.MaxVersion)
				}
			}
			// Every broker a modern client can use must have these, with at
			// least these max versions (all Kafka 3.x/4.x brokers qualify).
			need := map[int16]int16{
				0: 3, 1: 4, 2: 1, 3: 4, 8: 2, 9: 1, 10: 1, 11: 2, 12: 1, 13: 1, 14: 1, 15: 1,
				16: 1, 17: 1, 18: 3, 19: 2, 20: 1, 22: 1, 32: 1, 37: 1, 42: 1,
			}
			var bad []string
			for key, mx := range need {
				lo, hi, ok := v.KeyVersions(key)
				switch {
				case !ok:
					bad = append(bad, fmt.Sprintf("%s(%d) missing", kmsg.NameForKey(key), key))
				case hi < mx:
					bad = append(bad, fmt.Sprintf("%s(%d) max v%d < v%d", kmsg.NameForKey(key), key, hi, mx))
				case lo > mx:
					bad = append(bad, fmt.Sprintf("%s(%d) min v%d > v%d", kmsg.NameForKey(key), key, lo, mx))
				}
			}
			sort.Strings(bad)
			if len(bad) > 0 {
				return fmt.Errorf("%v", bad)
			}
			// ApiVersions itself: v0 must always be accepted (clients fall back to it).
			if lo, _, _ := v.KeyVersions(18); lo != 0 {
				return fmt.Errorf("ApiVersions min version %d, want 0", lo)
			}
		}
		return nil
	})
	if broker < 0 {
		if md, err := adm.BrokerMetadata(s.ctx); err == nil && len(md.Brokers) > 0 {
			broker = md.Brokers[0].NodeID
		}
	}

	s.check("admin.CreateTopics", short, func(ctx context.Context) error {
		ret := "86400000"
		rs, err := adm.CreateTopics(ctx, numPartitions, 1, map[string]*string{"retention.ms": &ret}, tA)
		if err != nil {
			return err
		}
		r, ok := rs[tA]
		if !ok {
			return fmt.Errorf("no result for %s", tA)
		}
		if err := kadmErr(r.Err, r.ErrMessage); err != nil {
			return err
		}
		if r.NumPartitions != numPartitions || r.ReplicationFactor != 1 {
			return fmt.Errorf("created with %d partitions rf %d", r.NumPartitions, r.ReplicationFactor)
		}
		if c, ok := r.Configs["retention.ms"]; !ok || c.MaybeValue() != ret {
			return fmt.Errorf("create response retention.ms = %q", c.MaybeValue())
		}
		rs, err = adm.CreateTopics(ctx, 1, 1, nil, tB)
		if err != nil {
			return err
		}
		if err := kadmErr(rs[tB].Err, rs[tB].ErrMessage); err != nil {
			return fmt.Errorf("%s: %w", tB, err)
		}
		rs, err = adm.CreateTopics(ctx, numPartitions, 1, nil, tA)
		if err != nil {
			return err
		}
		if !errors.Is(rs[tA].Err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("re-create: err %v, want TOPIC_ALREADY_EXISTS", rs[tA].Err)
		}
		// -1/-1 means broker defaults.
		tD := s.name("adm-d")
		rs, err = adm.CreateTopics(ctx, -1, -1, nil, tD)
		if err != nil {
			return err
		}
		if err := kadmErr(rs[tD].Err, rs[tD].ErrMessage); err != nil {
			return fmt.Errorf("defaults: %w", err)
		}
		if _, err := adm.DeleteTopics(ctx, tD); err != nil {
			return err
		}
		return nil
	})

	s.check("admin.ListTopics", short, func(ctx context.Context) error {
		return waitUntil(ctx, 100*time.Millisecond, func() error {
			td, err := adm.ListTopics(ctx)
			if err != nil {
				return err
			}
			a, ok := td[tA]
			if !ok {
				return fmt.Errorf("%s not listed", tA)
			}
			if _, ok := td[tB]; !ok {
				return fmt.Errorf("%s not listed", tB)
			}
			if a.Err != nil || a.IsInternal || len(a.Partitions) != numPartitions {
				return fmt.Errorf("%s: err %v internal %v partitions %d", tA, a.Err, a.IsInternal, len(a.Partitions))
			}
			for _, p := range a.Partitions {
				if p.Err != nil || p.Leader != broker || fmt.Sprint(p.Replicas) != fmt.Sprint([]int32{broker}) || fmt.Sprint(p.ISR) != fmt.Sprint([]int32{broker}) {
					return fmt.Errorf("p%d: err %v leader %d replicas %v isr %v (broker %d)", p.Partition, p.Err, p.Leader, p.Replicas, p.ISR, broker)
				}
			}
			for name, t := range td {
				if t.IsInternal {
					return fmt.Errorf("internal topic %s listed without ListTopicsWithInternal", name)
				}
			}
			return nil
		})
	})

	s.check("admin.CreatePartitions", short, func(ctx context.Context) error {
		rs, err := adm.CreatePartitions(ctx, 2, tB)
		if err != nil {
			return err
		}
		if err := kadmErr(rs[tB].Err, rs[tB].ErrMessage); err != nil {
			return err
		}
		if err := waitUntil(ctx, 100*time.Millisecond, func() error {
			td, err := adm.ListTopics(ctx, tB)
			if err != nil {
				return err
			}
			if n := len(td[tB].Partitions); n != 3 {
				return fmt.Errorf("%d partitions after adding 2 to 1", n)
			}
			return nil
		}); err != nil {
			return err
		}
		rs, err = adm.UpdatePartitions(ctx, 2, tB)
		if err != nil {
			return err
		}
		if !errors.Is(rs[tB].Err, kerr.InvalidPartitions) {
			return fmt.Errorf("shrinking 3 -> 2: err %v, want INVALID_PARTITIONS", rs[tB].Err)
		}
		return nil
	})
	a.broker = broker
}

// offsetChecks: ListOffsets (produces p0Records to tA/0), DeleteRecords.
func (a *franzAdmin) offsetChecks() {
	s, adm, f, tA := a.s, a.adm, a.f, a.tA
	const short = franzAdminLimit

	s.check("admin.ListOffsets", short, func(ctx context.Context) error {
		pcl, err := f.client(kgo.DefaultProduceTopic(tA), kgo.RecordPartitioner(kgo.ManualPartitioner()))
		if err != nil {
			return err
		}
		defer pcl.Close()
		var rs []*kgo.Record
		for i := 0; i < p0Records; i++ {
			rs = append(rs, &kgo.Record{Partition: 0, Value: []byte(strconv.Itoa(i))})
		}
		if err := pcl.ProduceSync(ctx, rs...).FirstErr(); err != nil {
			return fmt.Errorf("produce: %w", err)
		}
		st, err := adm.ListStartOffsets(ctx, tA)
		if err != nil {
			return err
		}
		en, err := adm.ListEndOffsets(ctx, tA)
		if err != nil {
			return err
		}
		for p := int32(0); p < numPartitions; p++ {
			s, _ := st.Lookup(tA, p)
			e, _ := en.Lookup(tA, p)
			want := int64(0)
			if p == 0 {
				want = p0Records
			}
			if s.Err != nil || e.Err != nil || s.Offset != 0 || e.Offset != want {
				return fmt.Errorf("p%d: start %d (%v) end %d (%v), want 0 and %d", p, s.Offset, s.Err, e.Offset, e.Err, want)
			}
		}
		return nil
	})

	s.check("admin.DeleteRecords", short, func(ctx context.Context) error {
		var os kadm.Offsets
		os.AddOffset(tA, 0, 4, -1)
		rs, err := adm.DeleteRecords(ctx, os)
		if err != nil {
			return err
		}
		r, ok := rs.Lookup(tA, 0)
		if !ok || r.Err != nil || r.LowWatermark != 4 {
			return fmt.Errorf("p0: low watermark %d err %v (found %v), want 4", r.LowWatermark, r.Err, ok)
		}
		st, err := adm.ListStartOffsets(ctx, tA)
		if err != nil {
			return err
		}
		if o, _ := st.Lookup(tA, 0); o.Offset != 4 {
			return fmt.Errorf("start offset after delete %d, want 4", o.Offset)
		}
		var past kadm.Offsets
		past.AddOffset(tA, 0, p0Records+5, -1)
		rs, err = adm.DeleteRecords(ctx, past)
		if err == nil {
			r, _ = rs.Lookup(tA, 0)
			err = r.Err
		}
		if !errors.Is(err, kerr.OffsetOutOfRange) {
			return fmt.Errorf("delete past the high watermark: err %v, want OFFSET_OUT_OF_RANGE", err)
		}
		return nil
	})
}

// deleteTopics deletes the admin topics; it runs last.
func (a *franzAdmin) deleteTopics() {
	s, adm, tA, tB := a.s, a.adm, a.tA, a.tB
	const short = franzAdminLimit

	s.check("admin.DeleteTopics", short, func(ctx context.Context) error {
		rs, err := adm.DeleteTopics(ctx, tA, tB)
		if err != nil {
			return err
		}
		for _, t := range []string{tA, tB} {
			if err := kadmErr(rs[t].Err, rs[t].ErrMessage); err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
		}
		if err := waitUntil(ctx, 100*time.Millisecond, func() error {
			td, err := adm.ListTopics(ctx)
			if err != nil {
				return err
			}
			if td.Has(tA) || td.Has(tB) {
				return fmt.Errorf("deleted topics still listed")
			}
			return nil
		}); err != nil {
			return err
		}
		rs, err = adm.DeleteTopics(ctx, tA)
		if err == nil {
			err = rs[tA].Err
		}
		if !errors.Is(err, kerr.UnknownTopicOrPartition) {
			return fmt.Errorf("delete again: err %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
		return nil
	})
}
