package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.errors.*;

/**
 * Why this exists: consumer-group administration through Admin: listing and describing groups
 * (empty and active), and listing, altering and deleting their committed offsets or the
 * groups themselves, including the refusals Kafka gives while a member is active.
 */
final class AdminGroupChecks {
    private final Support s;

    AdminGroupChecks(Support s) { this.s = s; }

    void listConsumerGroups() throws Exception {
        String topic = s.name("lg");
        String active = s.name("g-lg-active");
        String empty = s.name("g-lg-empty");
        s.createTopic(topic, 2, null);
        s.commitOffsets(empty, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)));
        s.withActiveMember(topic, active, () -> {
            Collection<ConsumerGroupListing> ls = s.admin.listConsumerGroups().all().get(15, TimeUnit.SECONDS);
            Map<String, ConsumerGroupListing> byId = new HashMap<>();
            for (ConsumerGroupListing l : ls) byId.put(l.groupId(), l);
            check(byId.containsKey(active), "active group not listed");
            check(byId.containsKey(empty), "empty group (offsets only) not listed");
            eq(false, byId.get(active).isSimpleConsumerGroup(), "active isSimpleConsumerGroup");
            eq(Optional.of(ConsumerGroupState.STABLE), byId.get(active).state(), "active group state");
            eq(Optional.of(ConsumerGroupState.EMPTY), byId.get(empty).state(), "empty group state");
            Collection<ConsumerGroupListing> stable = s.admin.listConsumerGroups(new ListConsumerGroupsOptions()
                    .inStates(Set.of(ConsumerGroupState.STABLE))).all().get(15, TimeUnit.SECONDS);
            boolean hasActive = false;
            for (ConsumerGroupListing l : stable) {
                check(!l.groupId().equals(empty), "empty group returned by inStates(STABLE)");
                hasActive |= l.groupId().equals(active);
            }
            check(hasActive, "active group missing from inStates(STABLE)");
        });
    }

    void describeConsumerGroups() throws Exception {
        String topic = s.name("dg");
        String group = s.name("g-dg");
        s.createTopic(topic, 3, null);
        s.withActiveMember(topic, group, () -> {
            ConsumerGroupDescription d = s.admin.describeConsumerGroups(List.of(group))
                    .describedGroups().get(group).get(15, TimeUnit.SECONDS);
            eq(group, d.groupId(), "group id");
            eq(ConsumerGroupState.STABLE, d.state(), "state");
            eq(false, d.isSimpleConsumerGroup(), "simple");
            eq("range", d.partitionAssignor(), "assignor");
            eq(s.nodeId, d.coordinator().id(), "coordinator");
            eq(1, d.members().size(), "members");
            MemberDescription m = d.members().iterator().next();
            eq("member-" + s.run, m.clientId(), "member client id");
            check(m.consumerId() != null && !m.consumerId().isEmpty(), "member id empty");
            eq(new HashSet<>(tps(topic, 3)), m.assignment().topicPartitions(), "member assignment");
        });
        // unknown group: DescribeGroups before v6 says DEAD with no members; Kafka 4 clients
        // (ConsumerGroupDescribe, or DescribeGroups v6) get GROUP_ID_NOT_FOUND instead
        String missing = s.name("g-dg-missing");
        try {
            ConsumerGroupDescription d = s.admin.describeConsumerGroups(List.of(missing))
                    .describedGroups().get(missing).get(15, TimeUnit.SECONDS);
            eq(ConsumerGroupState.DEAD, d.state(), "unknown group state");
            eq(0, d.members().size(), "unknown group members");
        } catch (ExecutionException e) {
            if (!(unwrap(e) instanceof GroupIdNotFoundException)) throw e;
        }
    }

    void listConsumerGroupOffsets() throws Exception {
        String topic = s.name("lcgo");
        String group = s.name("g-lcgo");
        s.createTopic(topic, 3, null);
        s.produceTo(topic, 0, seq("a", 5), null);
        s.produceTo(topic, 1, seq("b", 6), null);
        s.commitOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(3),
                new TopicPartition(topic, 1), new OffsetAndMetadata(5, "meta-1")));
        Map<TopicPartition, OffsetAndMetadata> o = s.groupOffsets(group);
        eq(2, o.size(), "partitions with offsets");
        eq(3L, o.get(new TopicPartition(topic, 0)).offset(), "p0");
        eq(5L, o.get(new TopicPartition(topic, 1)).offset(), "p1");
        eq("meta-1", o.get(new TopicPartition(topic, 1)).metadata(), "p1 metadata");
        eq(Map.of(), s.groupOffsets(s.name("g-lcgo-missing")), "offsets of unknown group");
    }

    void alterConsumerGroupOffsets() throws Exception {
        String topic = s.name("acgo");
        String group = s.name("g-acgo");
        s.createTopic(topic, 3, null);
        for (int p = 0; p < 3; p++) s.produceTo(topic, p, seq("v", 8), null);
        List<TopicPartition> t = tps(topic, 3);
        s.commitOffsets(group, Map.of(t.get(0), new OffsetAndMetadata(4), t.get(1), new OffsetAndMetadata(4)));
        s.admin.alterConsumerGroupOffsets(group, Map.of(t.get(0), new OffsetAndMetadata(1),
                t.get(2), new OffsetAndMetadata(7, "set-by-admin"))).all().get(15, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> o = s.groupOffsets(group);
        eq(1L, o.get(t.get(0)).offset(), "p0 altered");
        eq(4L, o.get(t.get(1)).offset(), "p1 untouched");
        eq(7L, o.get(t.get(2)).offset(), "p2 added");
        eq("set-by-admin", o.get(t.get(2)).metadata(), "p2 metadata");
        // a consumer of the group starts from the altered offset
        try (KafkaConsumer<String, String> c = s.consumer(group, null)) {
            c.assign(List.of(t.get(0)));
            ConsumerRecord<String, String> r = pollUntil(c, 1, 10000).get(0);
            eq(1L, r.offset(), "first offset consumed after alter");
        }
        // altering while a member is active is refused by Kafka
        String group2 = s.name("g-acgo-active");
        s.withActiveMember(topic, group2, () -> expectFailure(UnknownMemberIdException.class,
                () -> s.admin.alterConsumerGroupOffsets(group2, Map.of(t.get(0), new OffsetAndMetadata(0)))
                        .all().get(15, TimeUnit.SECONDS), "alter offsets of active group"));
    }

    void deleteConsumerGroupOffsets() throws Exception {
        String topic = s.name("dcgo");
        String group = s.name("g-dcgo");
        s.createTopic(topic, 2, null);
        List<TopicPartition> t = tps(topic, 2);
        s.commitOffsets(group, Map.of(t.get(0), new OffsetAndMetadata(0), t.get(1), new OffsetAndMetadata(0)));
        s.admin.deleteConsumerGroupOffsets(group, Set.of(t.get(0))).all().get(15, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> o = s.groupOffsets(group);
        eq(Set.of(t.get(1)), o.keySet(), "partitions left with offsets");
        // active member subscribed to the topic: Kafka refuses with GroupSubscribedToTopicException
        String group2 = s.name("g-dcgo-active");
        s.commitOffsets(group2, Map.of(t.get(0), new OffsetAndMetadata(0)));
        s.withActiveMember(topic, group2, () -> expectFailure(GroupSubscribedToTopicException.class,
                () -> s.admin.deleteConsumerGroupOffsets(group2, Set.of(t.get(0))).all().get(15, TimeUnit.SECONDS),
                "delete offsets of subscribed topic"));
    }

    void deleteConsumerGroups() throws Exception {
        String topic = s.name("dcg");
        String group = s.name("g-dcg");
        s.createTopic(topic, 1, null);
        s.commitOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)));
        s.admin.deleteConsumerGroups(List.of(group)).all().get(15, TimeUnit.SECONDS);
        for (ConsumerGroupListing l : s.admin.listConsumerGroups().all().get(15, TimeUnit.SECONDS))
            check(!l.groupId().equals(group), "deleted group still listed");
        eq(Map.of(), s.groupOffsets(group), "offsets of deleted group");
        expectFailure(GroupIdNotFoundException.class,
                () -> s.admin.deleteConsumerGroups(List.of(group)).all().get(15, TimeUnit.SECONDS), "delete again");
        String group2 = s.name("g-dcg-active");
        s.withActiveMember(topic, group2, () -> expectFailure(GroupNotEmptyException.class,
                () -> s.admin.deleteConsumerGroups(List.of(group2)).all().get(15, TimeUnit.SECONDS),
                "delete active group"));
    }
}
