// franz-go (kadm) config checks: DescribeTopicConfigs, AlterTopicConfigs
// (IncrementalAlterConfigs) and DescribeBrokerConfigs.

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (a *franzAdmin) configChecks() {
	s, adm, tA, broker := a.s, a.adm, a.tA, a.broker
	const short = franzAdminLimit

	describeTopic := func(ctx context.Context, t string) (map[string]kadm.Config, error) {
		rcs, err := adm.DescribeTopicConfigs(ctx, t)
		if err != nil {
			return nil, err
		}
		rc, err := rcs.On(t, nil)
		if err != nil {
			return nil, err
		}
		if err := kadmErr(rc.Err, rc.ErrMessage); err != nil {
			return nil, err
		}
		m := map[string]kadm.Config{}
		for _, c := range rc.Configs {
			m[c.Key] = c
		}
		return m, nil
	}

	s.check("admin.DescribeTopicConfigs", short, func(ctx context.Context) error {
		m, err := describeTopic(ctx, tA)
		if err != nil {
			return err
		}
		if c := m["retention.ms"]; c.MaybeValue() != "86400000" || c.Source != kmsg.ConfigSourceDynamicTopicConfig {
			return fmt.Errorf("retention.ms = %q source %v, want 86400000 DYNAMIC_TOPIC_CONFIG", c.MaybeValue(), c.Source)
		}
		if c := m["cleanup.policy"]; c.MaybeValue() != "delete" || c.Source != kmsg.ConfigSourceDefaultConfig {
			return fmt.Errorf("cleanup.policy = %q source %v, want delete DEFAULT_CONFIG", c.MaybeValue(), c.Source)
		}
		if len(m) < 20 {
			return fmt.Errorf("only %d configs described", len(m))
		}
		rcs, err := adm.DescribeTopicConfigs(ctx, s.name("no-such-topic"))
		if err == nil && len(rcs) == 1 {
			err = rcs[0].Err
		}
		if !errors.Is(err, kerr.UnknownTopicOrPartition) {
			return fmt.Errorf("unknown topic: err %v, want UNKNOWN_TOPIC_OR_PARTITION", err)
		}
		return nil
	})

	s.check("admin.AlterTopicConfigs", short, func(ctx context.Context) error {
		v1, v2 := "3600000", "2000000"
		rs, err := adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{
			{Op: kadm.SetConfig, Name: "retention.ms", Value: &v1},
			{Op: kadm.SetConfig, Name: "max.message.bytes", Value: &v2},
		}, tA)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := kadmErr(r.Err, r.ErrMessage); err != nil {
				return fmt.Errorf("set: %w", err)
			}
		}
		// Kafka applies config changes through its metadata log: poll.
		if err := waitUntil(ctx, 50*time.Millisecond, func() error {
			m, err := describeTopic(ctx, tA)
			if err != nil {
				return err
			}
			if c := m["retention.ms"]; c.MaybeValue() != v1 || c.Source != kmsg.ConfigSourceDynamicTopicConfig {
				return fmt.Errorf("after set retention.ms = %q source %v", c.MaybeValue(), c.Source)
			}
			if c := m["max.message.bytes"]; c.MaybeValue() != v2 {
				return fmt.Errorf("after set max.message.bytes = %q", c.MaybeValue())
			}
			return nil
		}); err != nil {
			return err
		}
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.DeleteConfig, Name: "max.message.bytes"}}, tA)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if err := kadmErr(r.Err, r.ErrMessage); err != nil {
				return fmt.Errorf("delete: %w", err)
			}
		}
		if err := waitUntil(ctx, 50*time.Millisecond, func() error {
			m, err := describeTopic(ctx, tA)
			if err != nil {
				return err
			}
			if c := m["max.message.bytes"]; c.Source == kmsg.ConfigSourceDynamicTopicConfig {
				return fmt.Errorf("max.message.bytes still a topic override (%q) after delete", c.MaybeValue())
			}
			if c := m["retention.ms"]; c.MaybeValue() != v1 {
				return fmt.Errorf("retention.ms changed to %q by deleting another key", c.MaybeValue())
			}
			return nil
		}); err != nil {
			return err
		}
		bad := "not-a-number"
		rs, err = adm.AlterTopicConfigs(ctx, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "retention.ms", Value: &bad}}, tA)
		if err == nil && len(rs) == 1 {
			err = rs[0].Err
		}
		if !errors.Is(err, kerr.InvalidConfig) {
			return fmt.Errorf("invalid value: err %v, want INVALID_CONFIG", err)
		}
		return nil
	})

	s.check("admin.DescribeBrokerConfigs", short, func(ctx context.Context) error {
		rcs, err := adm.DescribeBrokerConfigs(ctx, broker)
		if err != nil {
			return err
		}
		if len(rcs) != 1 {
			return fmt.Errorf("%d resources", len(rcs))
		}
		rc := rcs[0]
		if err := kadmErr(rc.Err, rc.ErrMessage); err != nil {
			return err
		}
		if rc.Name != strconv.Itoa(int(broker)) {
			return fmt.Errorf("resource name %q, want %d", rc.Name, broker)
		}
		have := map[string]kadm.Config{}
		for _, c := range rc.Configs {
			have[c.Key] = c
		}
		var missing, bad []string
		for _, w := range brokerConfigsWanted {
			c, ok := have[w.key]
			if !ok {
				missing = append(missing, w.key)
				continue
			}
			if err := w.check(c); err != nil {
				bad = append(bad, err.Error())
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("broker configs not described: %v (%d configs described)", missing, len(rc.Configs))
		}
		if len(bad) > 0 {
			return fmt.Errorf("%s", strings.Join(bad, "; "))
		}
		return nil
	})
}

// brokerConfigWant is one broker config DescribeBrokerConfigs must report.
type brokerConfigWant struct {
	key string
	def *string // Kafka's built-in default (nil: Kafka reports null)
	min int64   // smallest well-formed value; the bool config ignores it
}

func strp(v string) *string { return &v }

// brokerConfigsWanted are broker configs a single-node log store genuinely
// has: the broker-level defaults of topic configs (retention.ms,
// retention.bytes, segment.bytes, max.message.bytes) and the defaults of topic
// creation. Kafka 4.4 reports the values below with source DEFAULT_CONFIG
// unless the operator set them; log.retention.ms is null by default because
// log.retention.hours (168) governs.
var brokerConfigsWanted = []brokerConfigWant{
	{"log.retention.ms", nil, -1},
	{"log.retention.bytes", strp("-1"), -1},
	{"log.segment.bytes", strp("1073741824"), 1},
	{"message.max.bytes", strp("1048588"), 0},
	{"num.partitions", strp("1"), 1},
	{"auto.create.topics.enable", strp("true"), 0},
	{"default.replication.factor", strp("1"), 1},
	{"min.insync.replicas", strp("1"), 1},
}

// check accepts c when its source is a broker-level one and its value is
// Kafka's default under DEFAULT_CONFIG, or well-formed when operator-set.
func (w brokerConfigWant) check(c kadm.Config) error {
	show := func(v *string) string {
		if v == nil {
			return "null"
		}
		return strconv.Quote(*v)
	}
	switch c.Source {
	case kmsg.ConfigSourceDefaultConfig:
		if (c.Value == nil) != (w.def == nil) || (c.Value != nil && *c.Value != *w.def) {
			return fmt.Errorf("%s = %s with source DEFAULT_CONFIG, Kafka's default is %s", w.key, show(c.Value), show(w.def))
		}
		return nil
	case kmsg.ConfigSourceStaticBrokerConfig, kmsg.ConfigSourceDynamicBrokerConfig, kmsg.ConfigSourceDynamicDefaultBrokerConfig:
	default:
		return fmt.Errorf("%s has source %v, want a broker-level source", w.key, c.Source)
	}
	if c.Value == nil {
		return fmt.Errorf("%s is null though set (source %v)", w.key, c.Source)
	}
	if w.key == "auto.create.topics.enable" {
		if _, err := strconv.ParseBool(*c.Value); err != nil {
			return fmt.Errorf("%s = %q, not a boolean", w.key, *c.Value)
		}
		return nil
	}
	if n, err := strconv.ParseInt(*c.Value, 10, 64); err != nil || n < w.min {
		return fmt.Errorf("%s = %q (source %v), want an integer >= %d", w.key, *c.Value, c.Source, w.min)
	}
	return nil
}
