package kgw;

import static kgw.Expect.*;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.*;

/**
 * Why this exists: the per-run state every check needs (bootstrap address, unique run id, the
 * shared Admin client, the broker's node id) plus the client plumbing they all repeat: client
 * configs, topic creation that waits until the topic is served, polling with deadlines, and
 * reflection shims for Admin methods whose names differ across kafka-clients 2.8 / 3.x / 4.x.
 */
final class Support {
    final String bootstrap;
    final String run;
    Admin admin;
    int nodeId = -1;

    Support(String bootstrap, String label) {
        this.bootstrap = bootstrap;
        this.run = label.replaceAll("[^A-Za-z0-9]", "") + "-" + System.currentTimeMillis();
    }

    /** A topic or group name unique to this run. */
    String name(String base) { return "jc-" + base + "-" + run; }

    // ------------------------------------------------------------------ clients

    Properties common() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("request.timeout.ms", "10000");
        p.put("default.api.timeout.ms", "15000");
        p.put("client.id", "jc-" + run);
        return p;
    }

    KafkaProducer<String, String> producer(String codec, Map<String, Object> extra) {
        Properties p = common();
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("compression.type", codec);
        p.put("linger.ms", "20");
        p.put("max.block.ms", "15000");
        p.put("delivery.timeout.ms", "30000");
        p.put("retries", String.valueOf(Integer.MAX_VALUE));
        p.put("max.in.flight.requests.per.connection", "5");
        if (extra != null) p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    KafkaConsumer<String, String> consumer(String group, Map<String, Object> extra) {
        Properties p = common();
        if (group != null) p.put("group.id", group);
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("session.timeout.ms", "6000");
        p.put("heartbeat.interval.ms", "1000");
        p.put("max.poll.interval.ms", "20000");
        p.put("fetch.max.wait.ms", "100");
        if (extra != null) p.putAll(extra);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    // ------------------------------------------------------------------ topics and records

    void createTopic(String topic, int partitions, Map<String, String> configs) throws Exception {
        NewTopic nt = new NewTopic(topic, partitions, (short) 1);
        if (configs != null) nt.configs(configs);
        admin.createTopics(List.of(nt)).all().get(15, TimeUnit.SECONDS);
        awaitTopic(topic, partitions);
    }

    /** Kafka acknowledges CreateTopics before every broker has the topic: wait until it is served. */
    void awaitTopic(String topic, int partitions) throws Exception {
        waitFor(() -> {
            try {
                TopicDescription d = describeTopics(List.of(topic)).get(topic);
                return d != null && d.partitions().size() == partitions
                        && d.partitions().stream().allMatch(pi -> pi.leader() != null && pi.leader().id() >= 0);
            } catch (Exception e) {
                return false;
            }
        }, 10000, "topic " + topic + " to have leaders");
    }

    /** DescribeTopicsResult.all() is gone in 4.x and allTopicNames() is absent in 2.8. */
    @SuppressWarnings("unchecked")
    Map<String, TopicDescription> describeTopics(Collection<String> names) throws Exception {
        DescribeTopicsResult r = admin.describeTopics(names);
        Method m;
        try {
            m = DescribeTopicsResult.class.getMethod("allTopicNames");
        } catch (NoSuchMethodException e) {
            m = DescribeTopicsResult.class.getMethod("all");
        }
        try {
            return ((KafkaFuture<Map<String, TopicDescription>>) m.invoke(r)).get(15, TimeUnit.SECONDS);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    static List<TopicPartition> tps(String topic, int n) {
        List<TopicPartition> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(new TopicPartition(topic, i));
        return l;
    }

    static List<String> seq(String prefix, int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(prefix + i);
        return l;
    }

    /** Sends values to one partition and returns their offsets (waits for each ack). */
    List<Long> produceTo(String topic, int partition, List<String> values, List<Long> timestamps) throws Exception {
        List<Future<RecordMetadata>> fs = new ArrayList<>();
        try (KafkaProducer<String, String> p = producer("none", null)) {
            for (int i = 0; i < values.size(); i++) {
                Long ts = timestamps == null ? null : timestamps.get(i);
                fs.add(p.send(new ProducerRecord<>(topic, partition, ts, "k" + i, values.get(i))));
            }
            p.flush();
            List<Long> offs = new ArrayList<>();
            for (Future<RecordMetadata> f : fs) offs.add(f.get(20, TimeUnit.SECONDS).offset());
            return offs;
        }
    }

    /** Polls until at least n records arrived, or fails after ms. */
    static <K, V> List<ConsumerRecord<K, V>> pollUntil(Consumer<K, V> c, int n, long ms) {
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long end = System.currentTimeMillis() + ms;
        while (out.size() < n && System.currentTimeMillis() < end) {
            for (ConsumerRecord<K, V> r : c.poll(Duration.ofMillis(100))) out.add(r);
        }
        if (out.size() < n) throw new Mismatch("expected " + n + " records within " + ms + "ms, got " + out.size());
        return out;
    }

    // ------------------------------------------------------------------ topic configs

    Config topicConfig(String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(15, TimeUnit.SECONDS).get(r);
    }

    /**
     * Kafka applies config changes through its metadata log, so a describe right after an alter
     * may still show the old values: poll until `cond` holds (or 10s), return the last seen.
     */
    Config awaitTopicConfig(String topic, Predicate<Config> cond) throws Exception {
        long end = System.currentTimeMillis() + 10000;
        Config c = topicConfig(topic);
        while (!cond.test(c) && System.currentTimeMillis() < end) {
            Thread.sleep(50);
            c = topicConfig(topic);
        }
        return c;
    }

    static boolean has(Config c, String name, String value, ConfigEntry.ConfigSource src) {
        ConfigEntry e = c.get(name);
        return e != null && value.equals(e.value()) && e.source() == src;
    }

    // ------------------------------------------------------------------ consumer groups

    /** Creates an empty group owning the given committed offsets on the topic. */
    void commitOffsets(String group, Map<TopicPartition, OffsetAndMetadata> offsets) {
        try (KafkaConsumer<String, String> c = consumer(group, null)) {
            c.commitSync(offsets);
        }
    }

    Map<TopicPartition, OffsetAndMetadata> groupOffsets(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(15, TimeUnit.SECONDS);
    }

    /** Runs a consumer that has joined `group` with all of `topic`, until `body` returns. */
    void withActiveMember(String topic, String group, Check body) throws Exception {
        try (KafkaConsumer<String, String> c = consumer(group, Map.of(
                "partition.assignment.strategy", RangeAssignor.class.getName(),
                "client.id", "member-" + run))) {
            c.subscribe(List.of(topic));
            long end = System.currentTimeMillis() + 20000;
            while (c.assignment().isEmpty() && System.currentTimeMillis() < end) c.poll(Duration.ofMillis(100));
            check(!c.assignment().isEmpty(), "member never got an assignment");
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<?> f = ex.submit(() -> { body.run(); return null; });
                while (!f.isDone()) c.poll(Duration.ofMillis(50));
                f.get();
            } finally {
                ex.shutdownNow();
            }
        }
    }
}
