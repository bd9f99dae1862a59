package gwcheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Runs a stateless Kafka Streams topology against a broker and checks its output.
 *
 * <p>Usage: {@code StatelessCheck BOOTSTRAP [RECORDS] [TIMEOUT_SECONDS]}. Writes RECORDS records
 * {@code k<i> -> "event-<i>"} to a fresh input topic; the topology keeps the records whose number
 * is even and upper-cases their values into a fresh output topic. The check reads the output
 * topic until every expected record is there (or the time is up) and compares it record by record.
 * Prints {@code streams stateless ok} or {@code streams stateless FAIL <reason>}; the exit status
 * follows.
 */
public final class StatelessCheck {
    private static final String NAME = "streams stateless";

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: StatelessCheck BOOTSTRAP [RECORDS] [TIMEOUT_SECONDS]");
            System.exit(2);
        }
        String bootstrap = args[0];
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Duration timeout = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 60);

        String failure;
        try {
            failure = run(bootstrap, records, timeout);
        } catch (Exception e) {
            failure = describe(e);
        }
        if (failure == null) {
            System.out.println(NAME + " ok");
            System.exit(0);
        }
        System.out.println(NAME + " FAIL " + failure);
        System.exit(1);
    }

    /** The topology under test: filter, mapValues, to. */
    static Topology topology(String input, String output) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(input, Consumed.with(Serdes.String(), Serdes.String()))
                .filter((key, value) -> value != null && number(value) % 2 == 0)
                .mapValues(value -> value.toUpperCase(Locale.ROOT))
                .to(output, Produced.with(Serdes.String(), Serdes.String()));
        return builder.build();
    }

    private static long number(String value) {
        int dash = value.lastIndexOf('-');
        try {
            return Long.parseLong(value.substring(dash + 1));
        } catch (NumberFormatException e) {
            return 1; // odd: dropped
        }
    }

    /** Returns null on success, else the reason for failing. */
    static String run(String bootstrap, int records, Duration timeout) throws Exception {
        String run = Long.toString(System.currentTimeMillis(), 36);
        String input = "streams-in-" + run;
        String output = "streams-out-" + run;
        String appId = "streams-check-" + run;

        String step = "creating topics";
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000))) {
            try {
                admin.createTopics(List.of(
                        new NewTopic(input, 3, (short) 1),
                        new NewTopic(output, 3, (short) 1))).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    return step + ": " + describe(e);
                }
            }
        }

        // What the topology must write: key -> upper-cased value for every even record.
        Map<String, String> expected = new TreeMap<>();
        step = "producing " + records + " records to " + input;
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        pp.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                String key = "k" + i;
                String value = "event-" + i;
                producer.send(new ProducerRecord<>(input, key, value));
                if (i % 2 == 0) {
                    expected.put(key, value.toUpperCase(Locale.ROOT));
                }
            }
            producer.flush();
        } catch (Exception e) {
            return step + ": " + describe(e);
        }

        Path stateDir = Files.createTempDirectory("streams-check-state");
        Properties sp = new Properties();
        sp.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        sp.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        sp.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        sp.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        sp.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        sp.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        sp.put(StreamsConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        sp.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        sp.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        sp.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        sp.put("processing.exception.handler.global.enabled", true); // quiets a 4.4 notice

        AtomicReference<Throwable> crashed = new AtomicReference<>();
        AtomicReference<KafkaStreams.State> lastState = new AtomicReference<>(KafkaStreams.State.CREATED);
        Map<String, String> seen = new TreeMap<>();
        Map<String, Integer> copies = new HashMap<>();
        List<String> unexpected = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();

        KafkaStreams streams = new KafkaStreams(topology(input, output), sp);
        streams.setUncaughtExceptionHandler(e -> {
            crashed.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> lastState.set(now));
        try {
            streams.start();

            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, appId + "-verifier");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(output));
                while (seen.size() < expected.size() && System.nanoTime() < deadline) {
                    if (crashed.get() != null) {
                        return "stream thread died: " + describe(crashed.get());
                    }
                    KafkaStreams.State state = lastState.get();
                    if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
                        return "Kafka Streams went to " + state;
                    }
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(250))) {
                        String want = expected.get(r.key());
                        if (want == null || !want.equals(r.value())) {
                            unexpected.add(r.key() + "=" + r.value());
                        } else {
                            seen.put(r.key(), r.value());
                            copies.merge(r.key(), 1, Integer::sum);
                        }
                    }
                }
            }
        } finally {
            streams.close(Duration.ofSeconds(10));
            deleteTree(stateDir);
        }

        if (crashed.get() != null) {
            return "stream thread died: " + describe(crashed.get());
        }
        if (!unexpected.isEmpty()) {
            return unexpected.size() + " unexpected output records, first " + unexpected.get(0);
        }
        if (seen.size() < expected.size()) {
            String missing = expected.keySet().stream().filter(k -> !seen.containsKey(k)).findFirst().orElse("?");
            return "after " + timeout.toSeconds() + " s the output has " + seen.size() + " of "
                    + expected.size() + " expected records (first missing " + missing
                    + "); streams state " + lastState.get();
        }
        // at_least_once may repeat records after a failure, but this run has none.
        long repeated = copies.values().stream().filter(c -> c > 1).count();
        if (repeated > 0) {
            return repeated + " records written more than once in a run without failures";
        }
        return null;
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t.getCause() != null && t.getMessage() == null)
                && t.getCause() != null) {
            t = t.getCause();
        }
        StringBuilder s = new StringBuilder(t.getClass().getName() + ": " + t.getMessage());
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            s.append(" / caused by ").append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return s.toString();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // a temp dir left behind is harmless
        }
    }
}
