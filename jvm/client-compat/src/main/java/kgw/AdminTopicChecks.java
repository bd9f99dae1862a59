package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.lang.reflect.Method;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.errors.*;

/**
 * Why this exists: Admin calls that manage topics and their data: create/list/describe/delete
 * topics, add partitions, deleteRecords and listOffsets (earliest/latest/by time/maxTimestamp),
 * including the error each gives for missing topics or invalid requests.
 */
final class AdminTopicChecks {
    private final Support s;

    AdminTopicChecks(Support s) { this.s = s; }

    void createTopics() throws Exception {
        String topic = s.name("ct");
        s.admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1)
                .configs(Map.of("retention.ms", "3600000", "max.message.bytes", "200000"))))
                .all().get(15, TimeUnit.SECONDS);
        s.awaitTopic(topic, 2);
        Config cfg = s.topicConfig(topic);
        eq("3600000", cfg.get("retention.ms").value(), "retention.ms");
        eq(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, cfg.get("retention.ms").source(), "retention.ms source");
        eq("200000", cfg.get("max.message.bytes").value(), "max.message.bytes");
        eq(2, s.describeTopics(List.of(topic)).get(topic).partitions().size(), "partition count");
        expectFailure(TopicExistsException.class,
                () -> s.admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(15, TimeUnit.SECONDS),
                "second create");
        expectFailure(InvalidConfigurationException.class,
                () -> s.admin.createTopics(List.of(new NewTopic(s.name("ct-bad"), 1, (short) 1)
                        .configs(Map.of("retention.ms", "not-a-number")))).all().get(15, TimeUnit.SECONDS),
                "create with invalid config");
        // validateOnly does not create
        String vo = s.name("ct-vo");
        s.admin.createTopics(List.of(new NewTopic(vo, 1, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get(15, TimeUnit.SECONDS);
        check(!s.admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(vo), "validateOnly created the topic");
    }

    void listTopics() throws Exception {
        String topic = s.name("lt");
        s.createTopic(topic, 1, null);
        Set<String> names = s.admin.listTopics().names().get(15, TimeUnit.SECONDS);
        check(names.contains(topic), "created topic not listed");
        Map<String, TopicListing> listings = s.admin.listTopics().namesToListings().get(15, TimeUnit.SECONDS);
        eq(false, listings.get(topic).isInternal(), "isInternal");
        for (TopicListing l : listings.values()) check(!l.isInternal(), "internal topic %s listed by default", l.name());
    }

    void describeTopicsCheck() throws Exception {
        String topic = s.name("dt");
        s.createTopic(topic, 3, null);
        TopicDescription d = s.describeTopics(List.of(topic)).get(topic);
        eq(topic, d.name(), "name");
        eq(false, d.isInternal(), "internal");
        eq(3, d.partitions().size(), "partitions");
        for (int i = 0; i < 3; i++) {
            TopicPartitionInfo pi = d.partitions().get(i);
            eq(i, pi.partition(), "partition index");
            eq(s.nodeId, pi.leader().id(), "leader of p" + i);
            eq(1, pi.replicas().size(), "replicas of p" + i);
            eq(s.nodeId, pi.replicas().get(0).id(), "replica of p" + i);
            eq(1, pi.isr().size(), "isr of p" + i);
        }
        expectFailure(UnknownTopicOrPartitionException.class,
                () -> s.describeTopics(List.of(s.name("dt-missing"))), "describe missing topic");
    }

    void deleteTopics() throws Exception {
        String topic = s.name("del");
        s.createTopic(topic, 2, null);
        s.admin.deleteTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS);
        waitFor(() -> {
            try {
                return !s.admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(topic);
            } catch (Exception e) {
                return false;
            }
        }, 10000, "deleted topic to vanish from listTopics");
        expectFailure(UnknownTopicOrPartitionException.class,
                () -> s.describeTopics(List.of(topic)), "describe deleted topic");
        expectFailure(UnknownTopicOrPartitionException.class,
                () -> s.admin.deleteTopics(List.of(topic)).all().get(15, TimeUnit.SECONDS), "delete again");
    }

    void createPartitions() throws Exception {
        String topic = s.name("cp");
        s.createTopic(topic, 3, null);
        s.admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(5))).all().get(15, TimeUnit.SECONDS);
        waitFor(() -> {
            try {
                return s.describeTopics(List.of(topic)).get(topic).partitions().size() == 5;
            } catch (Exception e) {
                return false;
            }
        }, 10000, "5 partitions");
        // the new partition is writable and readable
        List<Long> offs = s.produceTo(topic, 4, List.of("in-new-partition"), null);
        eq(List.of(0L), offs, "offset in new partition");
        expectFailure(InvalidPartitionsException.class,
                () -> s.admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get(15, TimeUnit.SECONDS),
                "decrease partitions");
    }

    void deleteRecords() throws Exception {
        String topic = s.name("dr");
        s.createTopic(topic, 1, null);
        s.produceTo(topic, 0, seq("r", 10), null);
        TopicPartition tp = new TopicPartition(topic, 0);
        DeletedRecords dr = s.admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4)))
                .lowWatermarks().get(tp).get(15, TimeUnit.SECONDS);
        eq(4L, dr.lowWatermark(), "low watermark");
        eq(4L, s.admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)
                .get(15, TimeUnit.SECONDS).offset(), "earliest after deleteRecords");
        try (KafkaConsumer<String, String> c = s.consumer(null, null)) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            ConsumerRecord<String, String> r = pollUntil(c, 1, 10000).get(0);
            eq(4L, r.offset(), "first offset consumed");
            eq("r4", r.value(), "first value consumed");
        }
        expectFailure(org.apache.kafka.common.errors.OffsetOutOfRangeException.class,
                () -> s.admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get(15, TimeUnit.SECONDS),
                "delete beyond high watermark");
    }

    void listOffsets() throws Exception {
        String topic = s.name("lo");
        s.createTopic(topic, 1, null);
        long base = System.currentTimeMillis() - 600_000;
        // timestamps deliberately out of order
        s.produceTo(topic, 0, seq("o", 5), List.of(base, base + 4000, base + 1000, base + 2000, base + 3000));
        TopicPartition tp = new TopicPartition(topic, 0);
        java.util.function.Function<OffsetSpec, ListOffsetsResult.ListOffsetsResultInfo> lo = spec -> {
            try {
                return s.admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        };
        eq(0L, lo.apply(OffsetSpec.earliest()).offset(), "earliest");
        eq(5L, lo.apply(OffsetSpec.latest()).offset(), "latest");
        ListOffsetsResult.ListOffsetsResultInfo t = lo.apply(OffsetSpec.forTimestamp(base + 2500));
        eq(1L, t.offset(), "first offset with timestamp >= base+2500");
        eq(base + 4000, t.timestamp(), "its timestamp");
        t = lo.apply(OffsetSpec.forTimestamp(base + 1000));
        eq(1L, t.offset(), "first offset with timestamp >= base+1000");
        eq(-1L, lo.apply(OffsetSpec.forTimestamp(base + 99_000)).offset(), "timestamp after all records");
        try {
            Method m = OffsetSpec.class.getMethod("maxTimestamp");
            t = lo.apply((OffsetSpec) m.invoke(null));
            eq(1L, t.offset(), "maxTimestamp offset");
            eq(base + 4000, t.timestamp(), "maxTimestamp timestamp");
        } catch (NoSuchMethodException e) {
            // OffsetSpec.maxTimestamp() arrived in 3.0; 2.8 checks the rest
        }
    }
}
