package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.*;

/**
 * Why this exists: group-membership protocol checks that need two live consumers: the
 * cooperative-sticky incremental handover, and static membership (a static leader leaving and
 * rejoining with the same group.instance.id must get its partitions back without making the
 * other member rebalance). The two static scenarios share one expensive run of the same
 * sequence, so this class keeps state between them and must be used as one instance per run.
 */
final class GroupChecks {
    private final Support s;

    GroupChecks(Support s) { this.s = s; }

    /** Rebalance listener that records what happened. */
    static final class Recorder implements ConsumerRebalanceListener {
        final Set<TopicPartition> revokedEver = ConcurrentHashMap.newKeySet();
        final Set<TopicPartition> lostEver = ConcurrentHashMap.newKeySet();
        volatile int calls;
        public void onPartitionsRevoked(Collection<TopicPartition> p) { revokedEver.addAll(p); calls++; }
        public void onPartitionsAssigned(Collection<TopicPartition> p) { calls++; }
        public void onPartitionsLost(Collection<TopicPartition> p) { lostEver.addAll(p); calls++; }
    }

    void cooperativeSticky() throws Exception {
        String topic = s.name("coop");
        String group = s.name("g-coop");
        s.createTopic(topic, 4, null);
        Map<String, Object> cfg = Map.of("partition.assignment.strategy",
                CooperativeStickyAssignor.class.getName());
        Set<TopicPartition> all = new HashSet<>(tps(topic, 4));
        try (KafkaConsumer<String, String> a = s.consumer(group, cfg)) {
            Recorder ra = new Recorder();
            a.subscribe(List.of(topic), ra);
            long end = System.currentTimeMillis() + 20000;
            while (!a.assignment().equals(all) && System.currentTimeMillis() < end) a.poll(Duration.ofMillis(100));
            eq(all, a.assignment(), "single member assignment");
            Set<TopicPartition> revokedBefore = new HashSet<>(ra.revokedEver);
            KafkaConsumer<String, String> b = s.consumer(group, cfg);
            Recorder rb = new Recorder();
            try {
                b.subscribe(List.of(topic), rb);
                end = System.currentTimeMillis() + 25000;
                while (System.currentTimeMillis() < end) {
                    a.poll(Duration.ofMillis(50));
                    b.poll(Duration.ofMillis(50));
                    if (a.assignment().size() == 2 && b.assignment().size() == 2) break;
                }
                eq(2, a.assignment().size(), "first member share after join");
                eq(2, b.assignment().size(), "second member share after join");
                Set<TopicPartition> union = new HashSet<>(a.assignment());
                union.addAll(b.assignment());
                eq(all, union, "union of assignments");
                Set<TopicPartition> revoked = new HashSet<>(ra.revokedEver);
                revoked.removeAll(revokedBefore);
                // cooperative: only the two partitions handed over are revoked, the kept ones never are
                eq(b.assignment(), revoked, "partitions revoked from first member");
                check(ra.lostEver.isEmpty(), "partitions lost: %s", ra.lostEver);
            } finally {
                b.close(Duration.ofSeconds(5));
            }
            Set<TopicPartition> keptBefore = new HashSet<>(a.assignment());
            Set<TopicPartition> revokedSnapshot = new HashSet<>(ra.revokedEver);
            end = System.currentTimeMillis() + 20000;
            while (!a.assignment().equals(all) && System.currentTimeMillis() < end) a.poll(Duration.ofMillis(100));
            eq(all, a.assignment(), "assignment after second member left");
            eq(revokedSnapshot, new HashSet<>(ra.revokedEver), "revocations when member left (kept " + keptBefore + ")");
        }
    }

    /** State for the two static-membership checks, computed once per s.run. */
    private String staticResult; // null = ok
    private String staticRebalanceResult;
    private boolean staticDone;

    void staticMembership() throws Exception {
        if (staticDone) {
            if (staticResult != null) throw new Mismatch(staticResult);
            return;
        }
        staticDone = true;
        try {
            doStatic();
        } catch (Mismatch m) {
            staticResult = m.getMessage();
            staticRebalanceResult = "not reached: " + m.getMessage();
            throw m;
        }
    }

    void staticNoRebalance() throws Exception {
        if (!staticDone) {
            try { staticMembership(); } catch (Mismatch ignored) { }
        }
        if (staticRebalanceResult != null) throw new Mismatch(staticRebalanceResult);
    }

    /** Whether the consumer's position is `end` on every partition it owns. */
    static boolean atEnd(Consumer<?, ?> c, long end) {
        for (TopicPartition tp : c.assignment()) if (c.position(tp) != end) return false;
        return true;
    }

    private void doStatic() throws Exception {
        String topic = s.name("static");
        String group = s.name("g-static");
        s.createTopic(topic, 4, null);
        for (int p = 0; p < 4; p++) s.produceTo(topic, p, seq("p" + p + "-", 2), null);
        Map<String, Object> ca = Map.of("group.instance.id", "inst-a-" + s.run,
                "partition.assignment.strategy", RangeAssignor.class.getName());
        Map<String, Object> cb = Map.of("group.instance.id", "inst-b-" + s.run,
                "partition.assignment.strategy", RangeAssignor.class.getName());
        Set<TopicPartition> all = new HashSet<>(tps(topic, 4));
        KafkaConsumer<String, String> b = s.consumer(group, cb);
        Recorder rb = new Recorder();
        try {
            Set<TopicPartition> aAssigned;
            Set<String> consumed = new HashSet<>();
            try (KafkaConsumer<String, String> a = s.consumer(group, ca)) {
                // a joins alone first so that it is the group leader: the rejoin below is then
                // the harder case of a static *leader* coming back
                a.subscribe(List.of(topic));
                long end = System.currentTimeMillis() + 20000;
                while (a.assignment().size() != 4 && System.currentTimeMillis() < end)
                    a.poll(Duration.ofMillis(50)).forEach(r -> consumed.add(r.partition() + "@" + r.offset()));
                eq(4, a.assignment().size(), "member a alone");
                b.subscribe(List.of(topic), rb);
                end = System.currentTimeMillis() + 25000;
                while (System.currentTimeMillis() < end) {
                    // a may consume some records alone before b joins, and b re-reads them
                    a.poll(Duration.ofMillis(50)).forEach(r -> consumed.add(r.partition() + "@" + r.offset()));
                    b.poll(Duration.ofMillis(50)).forEach(r -> consumed.add(r.partition() + "@" + r.offset()));
                    if (a.assignment().size() == 2 && b.assignment().size() == 2 && consumed.size() >= 8
                            && atEnd(a, 2) && atEnd(b, 2)) break;
                }
                eq(2, a.assignment().size(), "member a share");
                eq(2, b.assignment().size(), "member b share");
                eq(8, consumed.size(), "distinct records consumed by both");
                a.commitSync();
                b.commitSync();
                aAssigned = new HashSet<>(a.assignment());
            } // static member: close() does not leave the group
            int bCalls = rb.calls;
            for (int p = 0; p < 4; p++) s.produceTo(topic, p, List.of("p" + p + "-new"), null);
            try (KafkaConsumer<String, String> a2 = s.consumer(group, ca)) {
                a2.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> a2got = new ArrayList<>();
                long end = System.currentTimeMillis() + 15000;
                while (System.currentTimeMillis() < end && a2got.size() < 2) {
                    a2.poll(Duration.ofMillis(50)).forEach(a2got::add);
                    b.poll(Duration.ofMillis(50));
                }
                eq(aAssigned, a2.assignment(), "rejoined member's partitions");
                a2got.sort(Comparator.comparingInt((ConsumerRecord<String, String> r) -> r.partition()));
                List<String> got = new ArrayList<>();
                for (ConsumerRecord<String, String> r : a2got) got.add(r.partition() + "@" + r.offset() + "=" + r.value());
                List<String> want = new ArrayList<>();
                aAssigned.stream().mapToInt(TopicPartition::partition).sorted()
                        .forEach(p -> want.add(p + "@2=p" + p + "-new"));
                eq(want, got, "records after rejoin (resume from committed)");
                // keep both polling a little so a rebalance, if any, would reach b
                end = System.currentTimeMillis() + 1500;
                while (System.currentTimeMillis() < end) {
                    a2.poll(Duration.ofMillis(50));
                    b.poll(Duration.ofMillis(50));
                }
                if (rb.calls != bCalls)
                    staticRebalanceResult = "other member was rebalanced on static rejoin (listener calls "
                            + bCalls + " -> " + rb.calls + ", revoked " + rb.revokedEver + ")";
                Set<TopicPartition> union = new HashSet<>(a2.assignment());
                union.addAll(b.assignment());
                eq(all, union, "union after rejoin");
            }
        } finally {
            b.close(Duration.ofSeconds(5));
        }
    }
}
