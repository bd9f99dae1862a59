// Command compat runs client-library compatibility scenarios (franz-go, sarama,
// kafka-go) against one Kafka-protocol broker and prints one line per
// (client, scenario), then the summary line "go: N ok, M failed". It exits 1
// when any scenario fails (or none ran).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

var (
	flagBootstrap     = flag.String("bootstrap", "127.0.0.1:9092", "broker address host:port")
	flagClients       = flag.String("clients", "franz-go,sarama,kafka-go", "comma-separated clients to run")
	flagRecords       = flag.Int("records", 2000, "records produced per client")
	flagSerial        = flag.Bool("serial", false, "run clients one after another instead of concurrently")
	flagVerbose       = flag.Bool("v", false, "log progress to stderr")
	flagDeadline      = flag.Duration("deadline", 110*time.Second, "overall deadline for the run")
	flagSaramaVersion = flag.String("sarama-version", "4.0.0", "protocol version sarama is configured with")
)

// runner is one client's sequence of scenarios.
type runner struct {
	name string
	run  func(s *suite)
}

func main() {
	flag.Parse()
	runID := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff)
	all := []runner{
		{"franz-go", runFranz},
		{"sarama", runSarama},
		{"kafka-go", runKafkaGo},
	}
	want := map[string]bool{}
	for _, c := range strings.Split(*flagClients, ",") {
		want[strings.TrimSpace(c)] = true
	}

	ctx, cancel := context.WithTimeout(context.Background(), *flagDeadline)
	defer cancel()

	if err := loadAdvertised(ctx, *flagBootstrap); err != nil {
		fmt.Fprintf(os.Stderr, "ApiVersions against %s failed: %v\n", *flagBootstrap, err)
	}

	start := time.Now()
	var suites []*suite
	var wg sync.WaitGroup
	for _, r := range all {
		if !want[r.name] {
			continue
		}
		s := &suite{client: r.name, bootstrap: *flagBootstrap, runID: runID, ctx: ctx, n: *flagRecords}
		suites = append(suites, s)
		if *flagSerial {
			r.run(s)
			continue
		}
		wg.Add(1)
		go func(r runner, s *suite) {
			defer wg.Done()
			r.run(s)
		}(r, s)
	}
	wg.Wait()

	var ok, failed int
	for _, s := range suites {
		for _, res := range s.results {
			if res.err == nil {
				ok++
				fmt.Printf("%s %s ok\n", s.client, res.scenario)
			} else {
				failed++
				fmt.Printf("%s %s FAIL %s%s\n", s.client, res.scenario, oneLine(res.err.Error()), apiNote(s.client, res.scenario))
			}
		}
	}
	// The last stdout line is the CI summary; run details go to stderr.
	fmt.Fprintf(os.Stderr, "run %s against %s: %d scenarios in %.1fs\n",
		runID, *flagBootstrap, ok+failed, time.Since(start).Seconds())
	fmt.Printf("go: %d ok, %d failed\n", ok, failed)
	if failed > 0 || ok == 0 {
		os.Exit(1)
	}
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " | ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
