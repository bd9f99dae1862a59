// IBM/sarama: client entry point, shared config/helpers and the produce
// scenario. sarama.go was split by area into this file, sarama_groups.go
// (consumer-group scenario) and sarama_admin.go (ClusterAdmin checks).

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/IBM/sarama"
)

func runSarama(s *suite) {
	sr := &saramaRun{s: s, topic: s.name("data")}
	v, err := sarama.ParseKafkaVersion(*flagSaramaVersion)
	if err != nil {
		s.check("setup", time.Second, func(context.Context) error { return err })
		return
	}
	sr.version = v
	s.check("produce", 40*time.Second, sr.produce)
	s.check("consumer-group", 45*time.Second, sr.group)
	sr.admin()
}

type saramaRun struct {
	s        *suite
	topic    string
	version  sarama.KafkaVersion
	produced bool
}

func (sr *saramaRun) config() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = sr.version
	c.ClientID = "compat-sarama"
	c.Net.DialTimeout = 5 * time.Second
	c.Net.ReadTimeout = 15 * time.Second
	c.Net.WriteTimeout = 5 * time.Second
	c.Metadata.Retry.Backoff = 100 * time.Millisecond
	c.Consumer.MaxWaitTime = 250 * time.Millisecond
	c.Consumer.Return.Errors = true
	c.Admin.Timeout = 10 * time.Second
	return c
}

func (sr *saramaRun) addrs() []string { return []string{sr.s.bootstrap} }

// asyncErr runs fn in a goroutine and gives up when ctx ends (sarama calls
// block without a context).
func asyncErr(ctx context.Context, fn func() error) error {
	ch := make(chan error, 1)
	go func() { ch <- fn() }()
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (sr *saramaRun) produce(ctx context.Context) error {
	adm, err := sarama.NewClusterAdmin(sr.addrs(), sr.config())
	if err != nil {
		return fmt.Errorf("NewClusterAdmin: %w", err)
	}
	defer adm.Close()
	if err := adm.CreateTopic(sr.topic, &sarama.TopicDetail{NumPartitions: numPartitions, ReplicationFactor: 1}, false); err != nil {
		return fmt.Errorf("CreateTopic: %w", err)
	}

	codecs := []struct {
		name  string
		codec sarama.CompressionCodec
	}{
		{"none", sarama.CompressionNone},
		{"gzip", sarama.CompressionGZIP},
		{"snappy", sarama.CompressionSnappy},
		{"lz4", sarama.CompressionLZ4},
		{"zstd", sarama.CompressionZSTD},
	}
	n := sr.s.n
	chunk := (n + len(codecs) - 1) / len(codecs)
	for ci, c := range codecs {
		lo, hi := ci*chunk, min((ci+1)*chunk, n)
		if lo >= hi {
			break
		}
		cfg := sr.config()
		cfg.Producer.Idempotent = true
		cfg.Producer.RequiredAcks = sarama.WaitForAll
		cfg.Net.MaxOpenRequests = 1
		cfg.Producer.Retry.Max = 5
		cfg.Producer.Return.Successes = true
		cfg.Producer.Compression = c.codec
		cfg.Producer.Flush.Messages = 100
		cfg.Producer.Flush.Frequency = 5 * time.Millisecond
		err := asyncErr(ctx, func() error {
			p, err := sarama.NewSyncProducer(sr.addrs(), cfg)
			if err != nil {
				return fmt.Errorf("NewSyncProducer: %w", err)
			}
			defer p.Close()
			msgs := make([]*sarama.ProducerMessage, 0, hi-lo)
			for i := lo; i < hi; i++ {
				msgs = append(msgs, &sarama.ProducerMessage{
					Topic:   sr.topic,
					Key:     sarama.StringEncoder(recordKey(i)),
					Value:   sarama.StringEncoder(recordValue(sr.s.runID, i)),
					Headers: []sarama.RecordHeader{{Key: []byte(idxHeader), Value: []byte(strconv.Itoa(i))}},
				})
			}
			return p.SendMessages(msgs)
		})
		if err != nil {
			var pe sarama.ProducerErrors
			if errors.As(err, &pe) && len(pe) > 0 {
				err = fmt.Errorf("%d failed, first: %w", len(pe), pe[0].Err)
			}
			return fmt.Errorf("produce %s chunk [%d,%d) idempotent: %w", c.name, lo, hi, err)
		}
	}
	sr.produced = true

	// Read back by explicit partition consumption up to each high watermark.
	client, err := sarama.NewClient(sr.addrs(), sr.config())
	if err != nil {
		return err
	}
	defer client.Close()
	ends := map[int32]int64{}
	var total int64
	for p := int32(0); p < numPartitions; p++ {
		o, err := client.GetOffset(sr.topic, p, sarama.OffsetNewest)
		if err != nil {
			return fmt.Errorf("GetOffset p%d: %w", p, err)
		}
		ends[p] = o
		total += o
	}
	if total != int64(n) {
		return fmt.Errorf("high watermarks %v sum to %d, want %d", ends, total, n)
	}
	got, err := sr.readPartitions(ctx, client, ends)
	if err != nil {
		return err
	}
	return verifyAll(sr.s.runID, n, got, true)
}

func (sr *saramaRun) readPartitions(ctx context.Context, client sarama.Client, ends map[int32]int64) ([]rec, error) {
	consumer, err := sarama.NewConsumerFromClient(client)
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	var mu sync.Mutex
	var got []rec
	var wg sync.WaitGroup
	errs := make(chan error, numPartitions)
	for p, end := range ends {
		if end == 0 {
			continue
		}
		pc, err := consumer.ConsumePartition(sr.topic, p, sarama.OffsetOldest)
		if err != nil {
			return nil, fmt.Errorf("ConsumePartition p%d: %w", p, err)
		}
		wg.Add(1)
		go func(p int32, end int64, pc sarama.PartitionConsumer) {
			defer wg.Done()
			defer pc.AsyncClose()
			for {
				select {
				case m := <-pc.Messages():
					mu.Lock()
					got = append(got, saramaRec(m))
					mu.Unlock()
					if m.Offset >= end-1 {
						return
					}
				case e := <-pc.Errors():
					errs <- fmt.Errorf("p%d: %w", p, e)
					return
				case <-ctx.Done():
					errs <- fmt.Errorf("p%d: not at offset %d: %w", p, end-1, ctx.Err())
					return
				}
			}
		}(p, end, pc)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("read back %d records (%s): %w", len(got), partSummary(got), err)
	}
	return got, nil
}

func saramaRec(m *sarama.ConsumerMessage) rec {
	h := map[string]string{}
	for _, x := range m.Headers {
		h[string(x.Key)] = string(x.Value)
	}
	return rec{partition: m.Partition, offset: m.Offset, key: string(m.Key), value: string(m.Value), headers: h}
}
