package kgw;

import static kgw.Expect.*;

import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;

/**
 * Compatibility checks of one kafka-clients version against a Kafka-protocol server.
 * Usage: Compat BOOTSTRAP LABEL [scenario-substring ...]
 *        Compat --list [scenario-substring ...]   (names only, no connection)
 * Prints "LABEL scenario ok|FAIL reason|skip reason", one line per scenario; exit 1 on any FAIL.
 *
 * Why this exists: it is only the entry point: the ordered scenario list, the runner that gives
 * each scenario a 60s budget, and the one-line-per-scenario reporting. The checks themselves
 * live in the *Checks classes, the shared plumbing in Support and Expect.
 */
public final class Compat {
    private Compat() { }

    /** Scenario name -> check, in output order. */
    static LinkedHashMap<String, Check> scenarios(Support s) {
        ProducerChecks prod = new ProducerChecks(s);
        ConsumerChecks cons = new ConsumerChecks(s);
        GroupChecks grp = new GroupChecks(s);
        AdminTopicChecks topics = new AdminTopicChecks(s);
        AdminConfigChecks configs = new AdminConfigChecks(s);
        AdminGroupChecks groups = new AdminGroupChecks(s);
        AdminClusterChecks cluster = new AdminClusterChecks(s);

        LinkedHashMap<String, Check> m = new LinkedHashMap<>();
        for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd"))
            m.put("produce-" + codec, () -> prod.produceCodec(codec));
        m.put("consumer-commitSync", cons::commitSync);
        m.put("consumer-commitAsync", cons::commitAsync);
        m.put("consumer-seek", cons::seek);
        m.put("consumer-seekToBeginning", cons::seekToBeginning);
        m.put("consumer-seekToEnd", cons::seekToEnd);
        m.put("consumer-offsetsForTimes", cons::offsetsForTimes);
        m.put("consumer-pauseResume", cons::pauseResume);
        m.put("consumer-cooperativeSticky", grp::cooperativeSticky);
        m.put("consumer-staticRejoin", grp::staticMembership);
        m.put("consumer-staticNoRebalance", grp::staticNoRebalance);
        m.put("admin-createTopics", topics::createTopics);
        m.put("admin-listTopics", topics::listTopics);
        m.put("admin-describeTopics", topics::describeTopicsCheck);
        m.put("admin-deleteTopics", topics::deleteTopics);
        m.put("admin-createPartitions", topics::createPartitions);
        m.put("admin-describeConfigs", configs::describeConfigs);
        m.put("admin-describeCluster", cluster::describeCluster);
        m.put("admin-listConsumerGroups", groups::listConsumerGroups);
        m.put("admin-describeConsumerGroups", groups::describeConsumerGroups);
        m.put("admin-listConsumerGroupOffsets", groups::listConsumerGroupOffsets);
        m.put("admin-alterConsumerGroupOffsets", groups::alterConsumerGroupOffsets);
        m.put("admin-deleteConsumerGroupOffsets", groups::deleteConsumerGroupOffsets);
        m.put("admin-deleteConsumerGroups", groups::deleteConsumerGroups);
        m.put("admin-deleteRecords", topics::deleteRecords);
        m.put("admin-listOffsets", topics::listOffsets);
        m.put("admin-acls", cluster::acls);
        m.put("admin-incrementalAlterConfigs", configs::incrementalAlterConfigs);
        m.put("admin-alterConfigs", configs::alterConfigs);
        m.put("admin-describeLogDirs", cluster::describeLogDirs);
        m.put("admin-describeProducers", cluster::describeProducers);
        m.put("admin-describeUserScramCredentials", cluster::describeUserScramCredentials);
        m.put("admin-describeClientQuotas", cluster::describeClientQuotas);
        m.put("admin-listPartitionReassignments", cluster::listPartitionReassignments);
        m.put("admin-electLeaders", cluster::electLeaders);
        return m;
    }

    static boolean selected(String scenario, Set<String> filters) {
        return filters.isEmpty() || filters.stream().anyMatch(scenario::contains);
    }

    /** Runs one scenario with a 60s budget and returns its report: ok..., FAIL ... or skip .... */
    static String runOne(ExecutorService ex, Check check) throws InterruptedException {
        Future<?> f = ex.submit(() -> { check.run(); return null; });
        try {
            f.get(60, TimeUnit.SECONDS);
            return "ok";
        } catch (TimeoutException te) {
            f.cancel(true);
            return "FAIL timeout after 60s";
        } catch (ExecutionException ee) {
            Throwable cause = unwrap(ee);
            if (cause instanceof Skip) return "skip " + cause.getMessage();
            if (cause instanceof PassNote) return "ok (" + cause.getMessage() + ")";
            if (cause instanceof Mismatch) return "FAIL " + cause.getMessage();
            return "FAIL " + describe(cause);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("--list")) {
            Set<String> filters = new HashSet<>(Arrays.asList(args).subList(1, args.length));
            for (String name : scenarios(new Support("", "list")).keySet())
                if (selected(name, filters)) System.out.println(name);
            return;
        }
        if (args.length < 2) {
            System.err.println("usage: Compat BOOTSTRAP LABEL [scenario-filter...] | Compat --list [filter...]");
            System.exit(2);
        }
        String label = args[1];
        Support s = new Support(args[0], label);
        Set<String> filters = new HashSet<>(Arrays.asList(args).subList(2, args.length));
        LinkedHashMap<String, Check> all = scenarios(s);

        Properties ap = s.common();
        ap.put("client.id", "jc-admin-" + s.run);
        int fails = 0;
        try (Admin admin = Admin.create(ap)) {
            s.admin = admin;
            try {
                Collection<Node> nodes = admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
                s.nodeId = nodes.iterator().next().id();
            } catch (Exception e) {
                System.out.println(label + " connect FAIL " + describe(unwrap(e)));
                System.out.flush();
                System.exit(1);
            }
            ExecutorService ex = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r);
                t.setDaemon(true);
                return t;
            });
            for (Map.Entry<String, Check> e : all.entrySet()) {
                if (!selected(e.getKey(), filters)) continue;
                long t0 = System.currentTimeMillis();
                String result = runOne(ex, e.getValue());
                if (result.startsWith("FAIL")) fails++;
                String timing = System.getenv("COMPAT_TIMING") != null
                        ? " (" + (System.currentTimeMillis() - t0) + "ms)" : "";
                System.out.println(label + " " + e.getKey() + " " + result + timing);
                System.out.flush();
            }
        }
        System.exit(fails == 0 ? 0 : 1);
    }
}
