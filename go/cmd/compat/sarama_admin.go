// IBM/sarama ClusterAdmin checks, one result line per admin API.

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/IBM/sarama"
)

func (sr *saramaRun) admin() {
	s := sr.s
	const short = 15 * time.Second
	adm, err := sarama.NewClusterAdmin(sr.addrs(), sr.config())
	if err != nil {
		s.check("admin", time.Second, func(context.Context) error { return fmt.Errorf("NewClusterAdmin: %w", err) })
		return
	}
	defer adm.Close()
	tA, tB := s.name("adm-a"), s.name("adm-b")
	grp := s.name("adm-grp")
	var broker int32 = -1

	s.check("admin.DescribeCluster", short, func(ctx context.Context) error {
		return asyncErr(ctx, func() error {
			bs, ctrl, err := adm.DescribeCluster()
			if err != nil {
				return err
			}
			if len(bs) != 1 {
				return fmt.Errorf("%d brokers, want 1", len(bs))
			}
			broker = bs[0].ID()
			if bs[0].Addr() != sr.s.bootstrap {
				return fmt.Errorf("broker address %q, want %q", bs[0].Addr(), sr.s.bootstrap)
			}
			if ctrl != broker {
				return fmt.Errorf("controller %d, want the only broker %d", ctrl, broker)
			}
			return nil
		})
	})

	s.check("admin.CreateTopic", short, func(ctx context.Context) error {
		ret := "86400000"
		if err := adm.CreateTopic(tA, &sarama.TopicDetail{NumPartitions: numPartitions, ReplicationFactor: 1, ConfigEntries: map[string]*string{"retention.ms": &ret}}, false); err != nil {
			return err
		}
		if err := adm.CreateTopic(tB, &sarama.TopicDetail{NumPartitions: 1, ReplicationFactor: 1}, false); err != nil {
			return err
		}
		err := adm.CreateTopic(tA, &sarama.TopicDetail{NumPartitions: numPartitions, ReplicationFactor: 1}, false)
		if !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("re-create: err %v, want TOPIC_ALREADY_EXISTS", err)
		}
		if err := adm.CreateTopic(s.name("adm-v"), &sarama.TopicDetail{NumPartitions: 2, ReplicationFactor: 1}, true); err != nil {
			return fmt.Errorf("validate only: %w", err)
		}
		return nil
	})

	s.check("admin.ListTopics", short, func(ctx context.Context) error {
		return waitUntil(ctx, 100*time.Millisecond, func() error {
			ts, err := adm.ListTopics()
			if err != nil {
				return err
			}
			a, ok := ts[tA]
			if !ok {
				return fmt.Errorf("%s not listed", tA)
			}
			if a.NumPartitions != numPartitions || a.ReplicationFactor != 1 {
				return fmt.Errorf("%s: %d partitions rf %d", tA, a.NumPartitions, a.ReplicationFactor)
			}
			if v := a.ConfigEntries["retention.ms"]; v == nil || *v != "86400000" {
				return fmt.Errorf("%s: listed retention.ms %v", tA, v)
			}
			if _, ok := ts[s.name("adm-v")]; ok {
				return fmt.Errorf("validate-only topic was created")
			}
			return nil
		})
	})

	s.check("admin.DescribeTopics", short, func(ctx context.Context) error {
		md, err := adm.DescribeTopics([]string{tA})
		if err != nil {
			return err
		}
		if len(md) != 1 || md[0].Err != sarama.ErrNoError || md[0].Name != tA || len(md[0].Partitions) != numPartitions {
			return fmt.Errorf("described %+v", md)
		}
		for _, p := range md[0].Partitions {
			if p.Err != sarama.ErrNoError || p.Leader != broker || len(p.Replicas) != 1 || len(p.Isr) != 1 {
				return fmt.Errorf("p%d: %+v", p.ID, p)
			}
		}
		return nil
	})

	describe := func(t string) (map[string]sarama.ConfigEntry, error) {
		es, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.TopicResource, Name: t})
		if err != nil {
			return nil, err
		}
		m := map[string]sarama.ConfigEntry{}
		for _, e := range es {
			m[e.Name] = e
		}
		return m, nil
	}

	s.check("admin.DescribeConfig", short, func(ctx context.Context) error {
		m, err := describe(tA)
		if err != nil {
			return err
		}
		if e := m["retention.ms"]; e.Value != "86400000" || e.Source != sarama.SourceTopic || e.Default {
			return fmt.Errorf("retention.ms %+v", e)
		}
		if e := m["cleanup.policy"]; e.Value != "delete" || e.Source != sarama.SourceDefault {
			return fmt.Errorf("cleanup.policy %+v", e)
		}
		es, err := adm.DescribeConfig(sarama.ConfigResource{Type: sarama.BrokerResource, Name: strconv.Itoa(int(broker))})
		if err != nil {
			return fmt.Errorf("broker %d: %w", broker, err)
		}
		if len(es) == 0 {
			return fmt.Errorf("broker %d: no configs", broker)
		}
		return nil
	})

	s.check("admin.AlterConfig", short, func(ctx context.Context) error {
		// Legacy AlterConfigs replaces the topic's whole override set.
		v := "7200000"
		if err := adm.AlterConfig(sarama.TopicResource, tA, map[string]*string{"retention.ms": &v}, false); err != nil {
			return err
		}
		return waitUntil(ctx, 100*time.Millisecond, func() error {
			m, err := describe(tA)
			if err != nil {
				return err
			}
			if e := m["retention.ms"]; e.Value != v || e.Source != sarama.SourceTopic {
				return fmt.Errorf("after alter retention.ms %+v", e)
			}
			return nil
		})
	})

	s.check("admin.IncrementalAlterConfig", short, func(ctx context.Context) error {
		v := "3600000"
		if err := adm.IncrementalAlterConfig(sarama.TopicResource, tA, map[string]sarama.IncrementalAlterConfigsEntry{
			"retention.ms":   {Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v},
			"cleanup.policy": {Operation: sarama.IncrementalAlterConfigsOperationDelete},
		}, false); err != nil {
			return err
		}
		return waitUntil(ctx, 100*time.Millisecond, func() error {
			m, err := describe(tA)
			if err != nil {
				return err
			}
			if e := m["retention.ms"]; e.Value != v || e.Source != sarama.SourceTopic {
				return fmt.Errorf("after incremental alter retention.ms %+v", e)
			}
			return nil
		})
	})

	s.check("admin.CreatePartitions", short, func(ctx context.Context) error {
		if err := adm.CreatePartitions(tB, 3, nil, false); err != nil {
			return err
		}
		if err := waitUntil(ctx, 100*time.Millisecond, func() error {
			md, err := adm.DescribeTopics([]string{tB})
			if err != nil {
				return err
			}
			if len(md) != 1 || len(md[0].Partitions) != 3 {
				return fmt.Errorf("%s has %d partitions after CreatePartitions(3)", tB, len(md[0].Partitions))
			}
			return nil
		}); err != nil {
			return err
		}
		err := adm.CreatePartitions(tB, 2, nil, false)
		if !errors.Is(err, sarama.ErrInvalidPartitions) {
			return fmt.Errorf("shrink to 2: err %v, want INVALID_PARTITIONS", err)
		}
		return nil
	})

	s.check("admin.DeleteRecords", short, func(ctx context.Context) error {
		cfg := sr.config()
		cfg.Producer.Return.Successes = true
		cfg.Producer.Partitioner = sarama.NewManualPartitioner
		p, err := sarama.NewSyncProducer(sr.addrs(), cfg)
		if err != nil {
			return err
		}
		var ms []*sarama.ProducerMessage
		for i := 0; i < 10; i++ {
			ms = append(ms, &sarama.ProducerMessage{Topic: tA, Partition: 0, Value: sarama.StringEncoder(strconv.Itoa(i))})
		}
		err = p.SendMessages(ms)
		p.Close()
		if err != nil {
			return fmt.Errorf("produce: %w", err)
		}
		if err := adm.DeleteRecords(tA, map[int32]int64{0: 6}); err != nil {
			return err
		}
		client, err := sarama.NewClient(sr.addrs(), sr.config())
		if err != nil {
			return err
		}
		defer client.Close()
		o, err := client.GetOffset(tA, 0, sarama.OffsetOldest)
		if err != nil || o != 6 {
			return fmt.Errorf("log start offset after delete %d (%v), want 6", o, err)
		}
		return nil
	})

	s.check("admin.DescribeLogDirs", short, func(ctx context.Context) error {
		ds, err := adm.DescribeLogDirs([]int32{broker})
		if err != nil {
			return err
		}
		dirs := ds[broker]
		if len(dirs) == 0 {
			return fmt.Errorf("no log dirs for broker %d (%v)", broker, ds)
		}
		for _, d := range dirs {
			if d.ErrorCode != sarama.ErrNoError {
				return fmt.Errorf("dir %s: %v", d.Path, d.ErrorCode)
			}
			for _, t := range d.Topics {
				if t.Topic != tA {
					continue
				}
				for _, p := range t.Partitions {
					if p.PartitionID == 0 && p.Size > 0 {
						return nil
					}
				}
			}
		}
		return fmt.Errorf("%s/0 with data not in any log dir", tA)
	})

	s.check("admin.AlterConsumerGroupOffsets", short, func(ctx context.Context) error {
		r, err := adm.AlterConsumerGroupOffsets(grp, map[string]map[int32]sarama.OffsetAndMetadata{tA: {0: {Offset: 8, LeaderEpoch: -1}, 1: {Offset: 0, LeaderEpoch: -1}}}, nil)
		if err != nil {
			return err
		}
		for t, ps := range r.Errors {
			for p, e := range ps {
				if e != sarama.ErrNoError {
					return fmt.Errorf("%s/%d: %w", t, p, e)
				}
			}
		}
		return nil
	})

	s.check("admin.ListConsumerGroups", short, func(ctx context.Context) error {
		gs, err := adm.ListConsumerGroups()
		if err != nil {
			return err
		}
		if _, ok := gs[grp]; !ok {
			return fmt.Errorf("%s not listed among %d", grp, len(gs))
		}
		if pt, ok := gs[s.name("g1")]; ok && pt != "consumer" {
			return fmt.Errorf("group scenario's group listed with protocol type %q", pt)
		}
		return nil
	})

	s.check("admin.DescribeConsumerGroups", short, func(ctx context.Context) error {
		ds, err := adm.DescribeConsumerGroups([]string{grp, s.name("g1")})
		if err != nil {
			return err
		}
		if len(ds) != 2 {
			return fmt.Errorf("%d descriptions", len(ds))
		}
		for _, d := range ds {
			if d.Err != sarama.ErrNoError || d.State != "Empty" || len(d.Members) != 0 {
				return fmt.Errorf("%s: err %v state %q members %d", d.GroupId, d.Err, d.State, len(d.Members))
			}
			if d.GroupId == s.name("g1") && d.ProtocolType != "consumer" {
				return fmt.Errorf("%s: protocol type %q", d.GroupId, d.ProtocolType)
			}
		}
		return nil
	})

	s.check("admin.ListConsumerGroupOffsets", short, func(ctx context.Context) error {
		r, err := adm.ListConsumerGroupOffsets(grp, nil)
		if err != nil {
			return err
		}
		b0, b1 := r.GetBlock(tA, 0), r.GetBlock(tA, 1)
		if b0 == nil || b1 == nil || b0.Offset != 8 || b1.Offset != 0 || b0.Err != sarama.ErrNoError {
			return fmt.Errorf("p0 %+v p1 %+v, want 8 and 0", b0, b1)
		}
		r, err = adm.ListConsumerGroupOffsets(grp, map[string][]int32{tA: {2}})
		if err != nil {
			return err
		}
		if b := r.GetBlock(tA, 2); b == nil || b.Offset != -1 {
			return fmt.Errorf("uncommitted p2: %+v, want offset -1", b)
		}
		return nil
	})

	s.check("admin.DeleteConsumerGroup", short, func(ctx context.Context) error {
		if err := adm.DeleteConsumerGroup(grp); err != nil {
			return err
		}
		gs, err := adm.ListConsumerGroups()
		if err != nil {
			return err
		}
		if _, ok := gs[grp]; ok {
			return fmt.Errorf("still listed after delete")
		}
		err = adm.DeleteConsumerGroup(grp)
		if !errors.Is(err, sarama.ErrGroupIDNotFound) {
			return fmt.Errorf("delete again: err %v, want GROUP_ID_NOT_FOUND", err)
		}
		return nil
	})

	s.check("admin.DeleteTopic", short, func(ctx context.Context) error {
		for _, t := range []string{tA, tB} {
			if err := adm.DeleteTopic(t); err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
		}
		err := adm.DeleteTopic(tA)
		if !errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return fmt.Errorf("delete again: err %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
		return nil
	})
}
