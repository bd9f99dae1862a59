package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.lang.reflect.Method;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.errors.*;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.resource.*;

/**
 * Why this exists: cluster-wide Admin calls: describeCluster, ACLs, log dirs, producer state,
 * SCRAM credentials, client quotas, partition reassignments and leader election. Several of
 * these are single-node answers (nothing to reassign, no election needed) that still have to
 * come back in Kafka's exact shape.
 */
final class AdminClusterChecks {
    private final Support s;

    AdminClusterChecks(Support s) { this.s = s; }

    void describeCluster() throws Exception {
        DescribeClusterResult r = s.admin.describeCluster();
        Collection<Node> nodes = r.nodes().get(15, TimeUnit.SECONDS);
        eq(1, nodes.size(), "node count");
        Node n = nodes.iterator().next();
        Node ctl = r.controller().get(15, TimeUnit.SECONDS);
        String cid = r.clusterId().get(15, TimeUnit.SECONDS);
        check(cid != null && !cid.isEmpty(), "cluster id empty");
        String[] hp = s.bootstrap.split(",")[0].split(":");
        eq(hp[1], String.valueOf(n.port()), "node port");
        eq(hp[0], n.host(), "node host");
        check(ctl != null && !ctl.isEmpty(), "no controller");
        // a KRaft broker reports a random live broker as controller; with one node, it is that node
        eq(n.id(), ctl.id(), "controller id");
    }

    void acls() throws Exception {
        String topic = s.name("acl");
        String principal = "User:jc-" + s.run;
        AclBinding binding = new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry(principal, "*", AclOperation.READ, AclPermissionType.ALLOW));
        AclBindingFilter byPrincipal = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntryFilter(principal, null, AclOperation.ANY, AclPermissionType.ANY));
        try {
            s.admin.createAcls(List.of(binding)).all().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(unwrap(e) instanceof SecurityDisabledException)) throw e;
            // no authorizer (Kafka's default): all three ACL calls must say so
            expectFailure(SecurityDisabledException.class,
                    () -> s.admin.describeAcls(byPrincipal).values().get(15, TimeUnit.SECONDS), "describeAcls");
            expectFailure(SecurityDisabledException.class,
                    () -> s.admin.deleteAcls(List.of(byPrincipal)).all().get(15, TimeUnit.SECONDS), "deleteAcls");
            throw new PassNote("no authorizer: create/describe/delete all answer SecurityDisabledException");
        }
        Collection<AclBinding> found = s.admin.describeAcls(byPrincipal).values().get(15, TimeUnit.SECONDS);
        eq(List.of(binding), new ArrayList<>(found), "described ACLs");
        Collection<AclBinding> deleted = s.admin.deleteAcls(List.of(byPrincipal)).all().get(15, TimeUnit.SECONDS);
        eq(List.of(binding), new ArrayList<>(deleted), "deleted ACLs");
        eq(0, s.admin.describeAcls(byPrincipal).values().get(15, TimeUnit.SECONDS).size(), "ACLs after delete");
    }

    void describeLogDirs() throws Exception {
        String topic = s.name("ld");
        s.createTopic(topic, 2, null);
        s.produceTo(topic, 0, seq("payload-", 20), null);
        Map<Integer, Map<String, LogDirDescription>> all =
                s.admin.describeLogDirs(List.of(s.nodeId)).allDescriptions().get(15, TimeUnit.SECONDS);
        eq(Set.of(s.nodeId), all.keySet(), "brokers described");
        Map<String, LogDirDescription> dirs = all.get(s.nodeId);
        check(!dirs.isEmpty(), "no log dirs");
        long size0 = -1;
        boolean p1 = false;
        for (Map.Entry<String, LogDirDescription> e : dirs.entrySet()) {
            check(e.getValue().error() == null, "log dir %s error %s", e.getKey(), e.getValue().error());
            ReplicaInfo ri0 = e.getValue().replicaInfos().get(new TopicPartition(topic, 0));
            if (ri0 != null) {
                size0 = ri0.size();
                eq(false, ri0.isFuture(), "isFuture");
            }
            p1 |= e.getValue().replicaInfos().containsKey(new TopicPartition(topic, 1));
        }
        check(size0 > 0, "partition 0 size %d, expected > 0", size0);
        check(p1, "partition 1 not reported");
    }

    void describeProducers() throws Exception {
        Method m;
        try {
            m = Admin.class.getMethod("describeProducers", Collection.class);
        } catch (NoSuchMethodException e) {
            throw new Skip("Admin.describeProducers not in this client version");
        }
        String topic = s.name("dp");
        s.createTopic(topic, 1, null);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> p = s.producer("none", null)) {
            for (int i = 0; i < 3; i++) p.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get(15, TimeUnit.SECONDS);
        }
        Object res = m.invoke(s.admin, List.of(tp));
        Object fut = res.getClass().getMethod("partitionResult", TopicPartition.class).invoke(res, tp);
        Object state = ((KafkaFuture<?>) fut).get(15, TimeUnit.SECONDS);
        List<?> active = (List<?>) state.getClass().getMethod("activeProducers").invoke(state);
        eq(1, active.size(), "active producers");
        Object ps = active.get(0);
        Class<?> psc = ps.getClass();
        long pid = (Long) psc.getMethod("producerId").invoke(ps);
        int epoch = (Integer) psc.getMethod("producerEpoch").invoke(ps);
        int lastSeq = (Integer) psc.getMethod("lastSequence").invoke(ps);
        long lastTs = (Long) psc.getMethod("lastTimestamp").invoke(ps);
        OptionalLong txStart = (OptionalLong) psc.getMethod("currentTransactionStartOffset").invoke(ps);
        check(pid >= 0, "producer id %d", pid);
        check(epoch >= 0, "epoch %d", epoch);
        eq(2, lastSeq, "last sequence");
        check(lastTs > 0, "last timestamp %d", lastTs);
        eq(OptionalLong.empty(), txStart, "transaction start offset");
    }

    void describeUserScramCredentials() throws Exception {
        DescribeUserScramCredentialsResult r = s.admin.describeUserScramCredentials();
        Map<String, UserScramCredentialsDescription> all = r.all().get(15, TimeUnit.SECONDS);
        eq(Map.of(), all, "credentials on a cluster without SCRAM users");
        String nobody = "jc-nobody-" + s.run;
        expectFailure(ResourceNotFoundException.class,
                () -> s.admin.describeUserScramCredentials(List.of(nobody)).description(nobody).get(15, TimeUnit.SECONDS),
                "describe unknown user");
    }

    void describeClientQuotas() throws Exception {
        Map<?, ?> all = s.admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get(15, TimeUnit.SECONDS);
        eq(Map.of(), all, "quotas on a fresh cluster");
        Map<?, ?> one = s.admin.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(
                ClientQuotaFilterComponent.ofEntity("user", "jc-" + s.run)))).entities().get(15, TimeUnit.SECONDS);
        eq(Map.of(), one, "quotas of an unknown user");
    }

    void listPartitionReassignments() throws Exception {
        String topic = s.name("lpr");
        s.createTopic(topic, 2, null);
        eq(Map.of(), s.admin.listPartitionReassignments().reassignments().get(15, TimeUnit.SECONDS), "all reassignments");
        eq(Map.of(), s.admin.listPartitionReassignments(new HashSet<>(tps(topic, 2))).reassignments()
                .get(15, TimeUnit.SECONDS), "reassignments of the topic");
    }

    void electLeaders() throws Exception {
        String topic = s.name("el");
        s.createTopic(topic, 2, null);
        Set<TopicPartition> parts = new HashSet<>(tps(topic, 2));
        ElectLeadersResult r = s.admin.electLeaders(ElectionType.PREFERRED, parts);
        Map<TopicPartition, Optional<Throwable>> res = r.partitions().get(15, TimeUnit.SECONDS);
        eq(parts, res.keySet(), "partitions in result");
        for (Map.Entry<TopicPartition, Optional<Throwable>> e : res.entrySet()) {
            check(e.getValue().isPresent() && e.getValue().get() instanceof ElectionNotNeededException,
                    "%s: expected ElectionNotNeededException, got %s", e.getKey(),
                    e.getValue().map(Expect::describe).orElse("success"));
        }
    }
}
