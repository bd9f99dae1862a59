// segmentio/kafka-go admin checks through kafka.Client, one result line per
// admin API.

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	kafka "github.com/segmentio/kafka-go"
)

func (k *kgoRun) admin() {
	s := k.s
	const short = 15 * time.Second
	tA, tB := s.name("adm-a"), s.name("adm-b")
	grp := s.name("adm-grp")
	broker := -1

	s.check("admin.CreateTopics", short, func(ctx context.Context) error {
		if err := k.createTopics(ctx,
			kafka.TopicConfig{Topic: tA, NumPartitions: numPartitions, ReplicationFactor: 1, ConfigEntries: []kafka.ConfigEntry{{ConfigName: "retention.ms", ConfigValue: "86400000"}}},
			kafka.TopicConfig{Topic: tB, NumPartitions: 1, ReplicationFactor: 1},
		); err != nil {
			return err
		}
		err := k.createTopics(ctx, kafka.TopicConfig{Topic: tA, NumPartitions: numPartitions, ReplicationFactor: 1})
		if !errors.Is(err, kafka.TopicAlreadyExists) {
			return fmt.Errorf("re-create: err %v, want TOPIC_ALREADY_EXISTS", err)
		}
		return nil
	})

	s.check("admin.Metadata", short, func(ctx context.Context) error {
		return waitUntil(ctx, 100*time.Millisecond, func() error {
			md, err := k.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{tA, tB}})
			if err != nil {
				return err
			}
			if len(md.Brokers) != 1 {
				return fmt.Errorf("%d brokers", len(md.Brokers))
			}
			broker = md.Brokers[0].ID
			host, port, _ := net.SplitHostPort(s.bootstrap)
			if md.Brokers[0].Host != host || strconv.Itoa(md.Brokers[0].Port) != port {
				return fmt.Errorf("broker advertised as %s:%d", md.Brokers[0].Host, md.Brokers[0].Port)
			}
			if md.Controller.ID != broker {
				return fmt.Errorf("controller %d, broker %d", md.Controller.ID, broker)
			}
			if md.ClusterID == "" {
				return fmt.Errorf("empty cluster id")
			}
			if len(md.Topics) != 2 {
				return fmt.Errorf("%d topics", len(md.Topics))
			}
			for _, t := range md.Topics {
				want := numPartitions
				if t.Name == tB {
					want = 1
				}
				if t.Error != nil || len(t.Partitions) != want {
					return fmt.Errorf("%s: err %v, %d partitions", t.Name, t.Error, len(t.Partitions))
				}
				for _, p := range t.Partitions {
					if p.Error != nil || p.Leader.ID != broker || len(p.Replicas) != 1 || len(p.Isr) != 1 {
						return fmt.Errorf("%s/%d: %+v", t.Name, p.ID, p)
					}
				}
			}
			return nil
		})
	})

	s.check("admin.ListOffsets", short, func(ctx context.Context) error {
		w := k.writer(tA, 0)
		var ms []kafka.Message
		for i := 0; i < 10; i++ {
			ms = append(ms, kafka.Message{Key: []byte("p0"), Value: []byte(strconv.Itoa(i))})
		}
		err := w.WriteMessages(ctx, ms...)
		w.Close()
		if err != nil {
			return fmt.Errorf("produce: %w", kafkaErr(err))
		}
		first, last, err := k.offsets(ctx, tA, numPartitions)
		if err != nil {
			return err
		}
		for p := 0; p < numPartitions; p++ {
			want := int64(0)
			if p == 0 {
				want = 10
			}
			if first[p] != 0 || last[p] != want {
				return fmt.Errorf("p%d first %d last %d, want 0 and %d", p, first[p], last[p], want)
			}
		}
		return nil
	})

	describe := func(ctx context.Context, t string) (map[string]kafka.DescribeConfigResponseConfigEntry, error) {
		r, err := k.client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{ResourceType: kafka.ResourceTypeTopic, ResourceName: t}}})
		if err != nil {
			return nil, err
		}
		if len(r.Resources) != 1 {
			return nil, fmt.Errorf("%d resources", len(r.Resources))
		}
		if err := r.Resources[0].Error; err != nil {
			return nil, kafkaErr(err)
		}
		m := map[string]kafka.DescribeConfigResponseConfigEntry{}
		for _, e := range r.Resources[0].ConfigEntries {
			m[e.ConfigName] = e
		}
		return m, nil
	}
	const sourceTopic = 1 // DYNAMIC_TOPIC_CONFIG

	s.check("admin.DescribeConfigs", short, func(ctx context.Context) error {
		m, err := describe(ctx, tA)
		if err != nil {
			return err
		}
		if e := m["retention.ms"]; e.ConfigValue != "86400000" || e.ConfigSource != sourceTopic {
			return fmt.Errorf("retention.ms %+v", e)
		}
		if e := m["cleanup.policy"]; e.ConfigValue != "delete" || e.ConfigSource != 5 {
			return fmt.Errorf("cleanup.policy %+v", e)
		}
		r, err := k.client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{
			{ResourceType: kafka.ResourceTypeBroker, ResourceName: strconv.Itoa(broker), ConfigNames: []string{"num.partitions"}},
		}})
		if err != nil {
			return fmt.Errorf("broker: %w", err)
		}
		if len(r.Resources) != 1 || r.Resources[0].Error != nil || len(r.Resources[0].ConfigEntries) != 1 {
			return fmt.Errorf("broker num.partitions: %+v", r.Resources)
		}
		return nil
	})

	s.check("admin.IncrementalAlterConfigs", short, func(ctx context.Context) error {
		r, err := k.client.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{Resources: []kafka.IncrementalAlterConfigsRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: tA,
			Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: "retention.ms", Value: "3600000", ConfigOperation: kafka.ConfigOperationSet}},
		}}})
		if err != nil {
			return err
		}
		for _, res := range r.Resources {
			if res.Error != nil {
				return kafkaErr(res.Error)
			}
		}
		return waitUntil(ctx, 50*time.Millisecond, func() error {
			m, err := describe(ctx, tA)
			if err != nil {
				return err
			}
			if e := m["retention.ms"]; e.ConfigValue != "3600000" || e.ConfigSource != sourceTopic {
				return fmt.Errorf("after alter retention.ms %+v", e)
			}
			return nil
		})
	})

	s.check("admin.AlterConfigs", short, func(ctx context.Context) error {
		r, err := k.client.AlterConfigs(ctx, &kafka.AlterConfigsRequest{Resources: []kafka.AlterConfigRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: tA,
			Configs: []kafka.AlterConfigRequestConfig{{Name: "retention.ms", Value: "7200000"}},
		}}})
		if err != nil {
			return err
		}
		for res, e := range r.Errors {
			if e != nil {
				return fmt.Errorf("%s: %w", res.Name, kafkaErr(e))
			}
		}
		return waitUntil(ctx, 50*time.Millisecond, func() error {
			m, err := describe(ctx, tA)
			if err != nil {
				return err
			}
			if e := m["retention.ms"]; e.ConfigValue != "7200000" || e.ConfigSource != sourceTopic {
				return fmt.Errorf("after alter retention.ms %+v", e)
			}
			return nil
		})
	})

	s.check("admin.OffsetCommit", short, func(ctx context.Context) error {
		r, err := k.client.OffsetCommit(ctx, &kafka.OffsetCommitRequest{GroupID: grp, GenerationID: -1,
			Topics: map[string][]kafka.OffsetCommit{tA: {{Partition: 0, Offset: 9}, {Partition: 1, Offset: 0}}}})
		if err != nil {
			return err
		}
		for _, ps := range r.Topics {
			for _, p := range ps {
				if p.Error != nil {
					return fmt.Errorf("p%d: %w", p.Partition, kafkaErr(p.Error))
				}
			}
		}
		return nil
	})

	s.check("admin.OffsetFetch", short, func(ctx context.Context) error {
		r, err := k.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: grp, Topics: map[string][]int{tA: {0, 1, 2}}})
		if err != nil {
			return err
		}
		if r.Error != nil {
			return kafkaErr(r.Error)
		}
		want := map[int]int64{0: 9, 1: 0, 2: -1}
		ps := r.Topics[tA]
		if len(ps) != 3 {
			return fmt.Errorf("%d partitions in answer", len(ps))
		}
		for _, p := range ps {
			if p.Error != nil || p.CommittedOffset != want[p.Partition] {
				return fmt.Errorf("p%d committed %d (%v), want %d", p.Partition, p.CommittedOffset, p.Error, want[p.Partition])
			}
		}
		return nil
	})

	s.check("admin.ListGroups", short, func(ctx context.Context) error {
		r, err := k.client.ListGroups(ctx, &kafka.ListGroupsRequest{})
		if err != nil {
			return err
		}
		if r.Error != nil {
			return kafkaErr(r.Error)
		}
		for _, g := range r.Groups {
			if g.GroupID == grp {
				if g.Coordinator != broker {
					return fmt.Errorf("coordinator %d, want %d", g.Coordinator, broker)
				}
				return nil
			}
		}
		return fmt.Errorf("%s not among %d groups", grp, len(r.Groups))
	})

	s.check("admin.DescribeGroups", short, func(ctx context.Context) error {
		r, err := k.client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{grp}})
		if err != nil {
			return err
		}
		if len(r.Groups) != 1 {
			return fmt.Errorf("%d groups", len(r.Groups))
		}
		g := r.Groups[0]
		if g.Error != nil || g.GroupID != grp || g.GroupState != "Empty" || len(g.Members) != 0 {
			return fmt.Errorf("described %+v", g)
		}
		return nil
	})

	s.check("admin.DeleteTopics", short, func(ctx context.Context) error {
		r, err := k.client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{tA, tB}})
		if err != nil {
			return err
		}
		for t, e := range r.Errors {
			if e != nil {
				return fmt.Errorf("%s: %w", t, kafkaErr(e))
			}
		}
		if err := waitUntil(ctx, 100*time.Millisecond, func() error {
			md, err := k.client.Metadata(ctx, &kafka.MetadataRequest{})
			if err != nil {
				return err
			}
			for _, t := range md.Topics {
				if t.Name == tA || t.Name == tB {
					return fmt.Errorf("%s still in metadata", t.Name)
				}
			}
			return nil
		}); err != nil {
			return err
		}
		r, err = k.client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{tA}})
		if err == nil {
			err = r.Errors[tA]
		}
		if !errors.Is(err, kafka.UnknownTopicOrPartition) {
			return fmt.Errorf("delete again: err %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
		return nil
	})
}
