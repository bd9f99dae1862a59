package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// scenarioAPIs names the API keys each scenario depends on, so that a failure
// can say which of them the broker does not advertise.
var scenarioAPIs = map[string][]int16{
	"produce":        {19, 3, 22, 0, 2, 1},
	"consumer-group": {10, 11, 14, 12, 13, 8, 9, 1, 2, 15},

	// franz-go (kadm)
	"franz-go admin.ApiVersions":                {18},
	"franz-go admin.CreateTopics":               {19, 20},
	"franz-go admin.ListTopics":                 {3},
	"franz-go admin.CreatePartitions":           {37, 3},
	"franz-go admin.DescribeTopicConfigs":       {32},
	"franz-go admin.AlterTopicConfigs":          {44, 32},
	"franz-go admin.DescribeBrokerConfigs":      {32},
	"franz-go admin.ListOffsets":                {0, 22, 2},
	"franz-go admin.DeleteRecords":              {21, 2},
	"franz-go admin.CommitOffsets":              {10, 8},
	"franz-go admin.FetchOffsets":               {10, 9},
	"franz-go admin.ListGroups":                 {16},
	"franz-go admin.DescribeGroups":             {10, 15},
	"franz-go admin.DeleteGroups":               {10, 42, 16, 9},
	"franz-go admin.ACLs":                       {30, 29, 31},
	"franz-go admin.DescribeAllLogDirs":         {35},
	"franz-go admin.DescribeProducers":          {61},
	"franz-go admin.UserSCRAMs":                 {51, 50},
	"franz-go admin.ClientQuotas":               {49, 48},
	"franz-go admin.ListPartitionReassignments": {46},
	"franz-go admin.ElectLeaders":               {43},
	"franz-go admin.DeleteTopics":               {20, 3},

	// sarama (ClusterAdmin)
	"sarama admin.DescribeCluster":           {3},
	"sarama admin.CreateTopic":               {19},
	"sarama admin.ListTopics":                {3, 32},
	"sarama admin.DescribeTopics":            {3},
	"sarama admin.DescribeConfig":            {32},
	"sarama admin.AlterConfig":               {33, 32},
	"sarama admin.IncrementalAlterConfig":    {44, 32},
	"sarama admin.CreatePartitions":          {37, 3},
	"sarama admin.DeleteRecords":             {0, 21, 2},
	"sarama admin.DescribeLogDirs":           {35},
	"sarama admin.AlterConsumerGroupOffsets": {10, 8},
	"sarama admin.ListConsumerGroups":        {16},
	"sarama admin.DescribeConsumerGroups":    {10, 15},
	"sarama admin.ListConsumerGroupOffsets":  {10, 9},
	"sarama admin.DeleteConsumerGroup":       {10, 42, 16},
	"sarama admin.DeleteTopic":               {20},

	// kafka-go (Client)
	"kafka-go admin.CreateTopics":            {19},
	"kafka-go admin.Metadata":                {3},
	"kafka-go admin.ListOffsets":             {0, 2},
	"kafka-go admin.DescribeConfigs":         {32},
	"kafka-go admin.IncrementalAlterConfigs": {44, 32},
	"kafka-go admin.AlterConfigs":            {33, 32},
	"kafka-go admin.OffsetCommit":            {10, 8},
	"kafka-go admin.OffsetFetch":             {10, 9},
	"kafka-go admin.ListGroups":              {16},
	"kafka-go admin.DescribeGroups":          {10, 15},
	"kafka-go admin.DeleteTopics":            {20, 3},
}

// advertised holds the broker's ApiVersions answer: key -> [min, max].
var advertised map[int16][2]int16

func loadAdvertised(ctx context.Context, bootstrap string) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	resp, err := kmsg.NewPtrApiVersionsRequest().RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	advertised = map[int16][2]int16{}
	for _, k := range resp.ApiKeys {
		advertised[k.ApiKey] = [2]int16{k.MinVersion, k.MaxVersion}
	}
	return nil
}

// apiNote says which of a failed scenario's API keys the broker lacks.
func apiNote(client, scenario string) string {
	if advertised == nil {
		return ""
	}
	keys, ok := scenarioAPIs[client+" "+scenario]
	if !ok {
		keys = scenarioAPIs[scenario]
	}
	var missing []string
	for _, k := range keys {
		if _, ok := advertised[k]; !ok {
			missing = append(missing, fmt.Sprintf("%s(%d)", kmsg.NameForKey(k), k))
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return " [broker does not advertise " + strings.Join(missing, ", ") + "]"
}
