package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.*;

/**
 * Why this exists: consumer behaviour that needs no rebalancing: offset commits (sync and async,
 * with metadata), seek / seekToBeginning / seekToEnd, offsetsForTimes and pause/resume. Each
 * scenario works on its own fresh topic so the scenarios can run in any order or alone.
 */
final class ConsumerChecks {
    private final Support s;

    ConsumerChecks(Support s) { this.s = s; }

    void commitSync() throws Exception {
        String topic = s.name("csync");
        String group = s.name("g-csync");
        s.createTopic(topic, 3, null);
        for (int p = 0; p < 3; p++) s.produceTo(topic, p, seq("p" + p + "-", 4), null);
        List<TopicPartition> all = tps(topic, 3);
        try (KafkaConsumer<String, String> c = s.consumer(group, null)) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 12, 20000);
            eq(12, got.size(), "records consumed");
            c.commitSync();
            Map<TopicPartition, OffsetAndMetadata> com = c.committed(new HashSet<>(all));
            for (TopicPartition tp : all) eq(4L, com.get(tp) == null ? null : com.get(tp).offset(), "committed " + tp);
            c.commitSync(Map.of(all.get(0), new OffsetAndMetadata(2, "rewind")));
            com = c.committed(Set.of(all.get(0)));
            eq(2L, com.get(all.get(0)).offset(), "committed p0 after explicit commit");
            eq("rewind", com.get(all.get(0)).metadata(), "commit metadata");
        }
        s.produceTo(topic, 1, List.of("late"), null);
        try (KafkaConsumer<String, String> c = s.consumer(group, null)) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 3, 20000);
            List<ConsumerRecord<String, String>> extra = new ArrayList<>();
            c.poll(Duration.ofMillis(300)).forEach(extra::add);
            check(extra.isEmpty(), "unexpected extra records %s", extra.size());
            got.sort(Comparator.comparingInt((ConsumerRecord<String, String> r) -> r.partition()).thenComparingLong(ConsumerRecord::offset));
            List<String> seen = new ArrayList<>();
            for (ConsumerRecord<String, String> r : got) seen.add(r.partition() + "@" + r.offset() + "=" + r.value());
            eq(List.of("0@2=p0-2", "0@3=p0-3", "1@4=late"), seen, "records after rejoin");
        }
    }

    void commitAsync() throws Exception {
        String topic = s.name("casync");
        String group = s.name("g-casync");
        s.createTopic(topic, 2, null);
        s.produceTo(topic, 0, seq("a", 5), null);
        s.produceTo(topic, 1, seq("b", 3), null);
        List<TopicPartition> all = tps(topic, 2);
        try (KafkaConsumer<String, String> c = s.consumer(group, null)) {
            c.assign(all);
            pollUntil(c, 8, 15000);
            CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> done = new CompletableFuture<>();
            Map<TopicPartition, OffsetAndMetadata> want = Map.of(
                    all.get(0), new OffsetAndMetadata(5, "async-0"),
                    all.get(1), new OffsetAndMetadata(1, "async-1"));
            c.commitAsync(want, (offsets, ex) -> {
                if (ex != null) done.completeExceptionally(ex); else done.complete(offsets);
            });
            long end = System.currentTimeMillis() + 10000;
            while (!done.isDone() && System.currentTimeMillis() < end) c.poll(Duration.ofMillis(100));
            check(done.isDone(), "commitAsync callback not invoked");
            eq(want, done.get(), "offsets passed to callback");
            // also the no-arg form, which commits current positions
            CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> done2 = new CompletableFuture<>();
            c.commitAsync((offsets, ex) -> {
                if (ex != null) done2.completeExceptionally(ex); else done2.complete(offsets);
            });
            end = System.currentTimeMillis() + 10000;
            while (!done2.isDone() && System.currentTimeMillis() < end) c.poll(Duration.ofMillis(100));
            check(done2.isDone(), "second commitAsync callback not invoked");
            Map<TopicPartition, OffsetAndMetadata> positions = done2.get();
            eq(5L, positions.get(all.get(0)).offset(), "callback offset p0");
            eq(3L, positions.get(all.get(1)).offset(), "callback offset p1");
            Map<TopicPartition, OffsetAndMetadata> com = c.committed(new HashSet<>(all));
            eq(5L, com.get(all.get(0)).offset(), "committed p0");
            eq(3L, com.get(all.get(1)).offset(), "committed p1");
        }
    }

    void seek() throws Exception {
        String topic = s.name("seek");
        s.createTopic(topic, 1, null);
        s.produceTo(topic, 0, seq("s", 10), null);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = s.consumer(null, null)) {
            c.assign(List.of(tp));
            c.seek(tp, 6);
            List<ConsumerRecord<String, String>> got = pollUntil(c, 4, 10000);
            eq(6L, got.get(0).offset(), "first offset after seek(6)");
            eq("s6", got.get(0).value(), "first value after seek(6)");
            eq("s9", got.get(3).value(), "last value");
            eq(10L, c.position(tp), "position at end");
            c.seek(tp, 2);
            eq(2L, c.position(tp), "position after seek(2)");
            got = pollUntil(c, 8, 10000);
            eq("s2", got.get(0).value(), "value after seek(2)");
        }
    }

    void seekToBeginning() throws Exception {
        String topic = s.name("seekbeg");
        s.createTopic(topic, 2, null);
        s.produceTo(topic, 0, seq("x", 3), null);
        s.produceTo(topic, 1, seq("y", 2), null);
        List<TopicPartition> all = tps(topic, 2);
        try (KafkaConsumer<String, String> c = s.consumer(null, Map.of("auto.offset.reset", "latest"))) {
            c.assign(all);
            eq(3L, c.position(all.get(0)), "initial position p0 with reset=latest");
            c.seekToBeginning(all);
            eq(0L, c.position(all.get(0)), "position p0 after seekToBeginning");
            eq(0L, c.position(all.get(1)), "position p1 after seekToBeginning");
            List<ConsumerRecord<String, String>> got = pollUntil(c, 5, 10000);
            List<String> p0 = new ArrayList<>();
            for (ConsumerRecord<String, String> r : got) if (r.partition() == 0) p0.add(r.value());
            eq(List.of("x0", "x1", "x2"), p0, "p0 values");
        }
    }

    void seekToEnd() throws Exception {
        String topic = s.name("seekend");
        s.createTopic(topic, 1, null);
        s.produceTo(topic, 0, seq("e", 7), null);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = s.consumer(null, null)) {
            c.assign(List.of(tp));
            c.seekToEnd(List.of(tp));
            eq(7L, c.position(tp), "position after seekToEnd");
            ConsumerRecords<String, String> none = c.poll(Duration.ofMillis(300));
            eq(0, none.count(), "records after seekToEnd");
            s.produceTo(topic, 0, List.of("fresh"), null);
            List<ConsumerRecord<String, String>> got = pollUntil(c, 1, 10000);
            eq(7L, got.get(0).offset(), "offset of fresh record");
            eq("fresh", got.get(0).value(), "value of fresh record");
            eq(Map.of(tp, 8L), c.endOffsets(List.of(tp)), "endOffsets");
            eq(Map.of(tp, 0L), c.beginningOffsets(List.of(tp)), "beginningOffsets");
        }
    }

    void offsetsForTimes() throws Exception {
        String topic = s.name("oft");
        s.createTopic(topic, 1, null);
        long base = System.currentTimeMillis() - 600_000;
        List<Long> ts = List.of(base, base + 1000, base + 2000, base + 3000, base + 4000);
        s.produceTo(topic, 0, seq("t", 5), ts);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = s.consumer(null, null)) {
            Map<TopicPartition, OffsetAndTimestamp> r = c.offsetsForTimes(Map.of(tp, base + 1500));
            eq(2L, r.get(tp).offset(), "offset for base+1500");
            eq(base + 2000, r.get(tp).timestamp(), "timestamp for base+1500");
            r = c.offsetsForTimes(Map.of(tp, base + 3000));
            eq(3L, r.get(tp).offset(), "offset for exact base+3000");
            r = c.offsetsForTimes(Map.of(tp, base - 10_000));
            eq(0L, r.get(tp).offset(), "offset for time before first");
            eq(base, r.get(tp).timestamp(), "timestamp for time before first");
            r = c.offsetsForTimes(Map.of(tp, base + 10_000));
            check(r.containsKey(tp) && r.get(tp) == null, "time after last: expected null entry, got %s", r);
            // and the record fetched from that offset carries the produced timestamp
            c.assign(List.of(tp));
            c.seek(tp, 2);
            ConsumerRecord<String, String> rec = pollUntil(c, 1, 10000).get(0);
            eq(base + 2000, rec.timestamp(), "fetched timestamp");
        }
    }

    void pauseResume() throws Exception {
        String topic = s.name("pause");
        s.createTopic(topic, 2, null);
        s.produceTo(topic, 0, seq("a", 5), null);
        s.produceTo(topic, 1, seq("b", 5), null);
        List<TopicPartition> all = tps(topic, 2);
        try (KafkaConsumer<String, String> c = s.consumer(null, null)) {
            c.assign(all);
            c.pause(List.of(all.get(1)));
            eq(Set.of(all.get(1)), c.paused(), "paused()");
            List<String> a = new ArrayList<>();
            long end = System.currentTimeMillis() + 10000;
            while (a.size() < 5 && System.currentTimeMillis() < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(100))) {
                    check(r.partition() == 0, "record from paused partition: %s", r.value());
                    a.add(r.value());
                }
            }
            eq(seq("a", 5), a, "records from unpaused partition");
            for (int i = 0; i < 3; i++)
                eq(0, c.poll(Duration.ofMillis(100)).count(), "records while p1 paused");
            eq(0L, c.position(all.get(1)), "paused partition position");
            c.resume(List.of(all.get(1)));
            eq(Set.of(), c.paused(), "paused() after resume");
            List<String> b = new ArrayList<>();
            for (ConsumerRecord<String, String> r : pollUntil(c, 5, 10000)) {
                eq(1, r.partition(), "partition after resume");
                b.add(r.value());
            }
            eq(seq("b", 5), b, "records after resume");
        }
    }
}
