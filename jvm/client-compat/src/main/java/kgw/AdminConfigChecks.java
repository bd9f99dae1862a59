package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.lang.reflect.Method;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.*;

/**
 * Why this exists: topic and broker configuration through Admin: describeConfigs (values and
 * their sources), incrementalAlterConfigs (SET / DELETE / invalid value) and the legacy
 * alterConfigs, whose replace-everything semantics differ and which kafka-clients 4.x removed.
 */
final class AdminConfigChecks {
    private final Support s;

    AdminConfigChecks(Support s) { this.s = s; }

    void describeConfigs() throws Exception {
        String topic = s.name("dc");
        s.createTopic(topic, 1, Map.of("retention.ms", "86400000"));
        Config cfg = s.topicConfig(topic);
        ConfigEntry ret = cfg.get("retention.ms");
        eq("86400000", ret.value(), "retention.ms value");
        eq(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, ret.source(), "retention.ms source");
        eq(false, ret.isDefault(), "retention.ms isDefault");
        ConfigEntry cp = cfg.get("cleanup.policy");
        check(cp != null, "cleanup.policy missing");
        eq("delete", cp.value(), "cleanup.policy value");
        eq(ConfigEntry.ConfigSource.DEFAULT_CONFIG, cp.source(), "cleanup.policy source");
        ConfigEntry mmb = cfg.get("max.message.bytes");
        check(mmb != null && Integer.parseInt(mmb.value()) > 0, "max.message.bytes: %s", mmb);
        ConfigResource br = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(s.nodeId));
        Config bc = s.admin.describeConfigs(List.of(br)).all().get(15, TimeUnit.SECONDS).get(br);
        check(bc.get("num.partitions") != null && Integer.parseInt(bc.get("num.partitions").value()) >= 1,
                "broker num.partitions: %s", bc.get("num.partitions"));
        check(bc.get("message.max.bytes") != null, "broker message.max.bytes missing");
        expectFailure(UnknownTopicOrPartitionException.class, () -> s.topicConfig(s.name("dc-missing")),
                "describeConfigs missing topic");
    }

    void incrementalAlterConfigs() throws Exception {
        String topic = s.name("iac");
        s.createTopic(topic, 1, Map.of("max.message.bytes", "300000"));
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        s.admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET))))
                .all().get(15, TimeUnit.SECONDS);
        Config c = s.awaitTopicConfig(topic, x -> has(x, "retention.ms", "7200000", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG));
        eq("7200000", c.get("retention.ms").value(), "retention.ms after SET");
        eq(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, c.get("retention.ms").source(), "source after SET");
        eq("300000", c.get("max.message.bytes").value(), "untouched max.message.bytes");
        s.admin.incrementalAlterConfigs(Map.of(r, List.of(
                new AlterConfigOp(new ConfigEntry("max.message.bytes", ""), AlterConfigOp.OpType.DELETE))))
                .all().get(15, TimeUnit.SECONDS);
        c = s.awaitTopicConfig(topic, x -> x.get("max.message.bytes").source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        eq(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("max.message.bytes").source(), "source after DELETE");
        eq("1048588", c.get("max.message.bytes").value(), "default max.message.bytes after DELETE");
        eq("7200000", c.get("retention.ms").value(), "retention.ms kept");
        expectFailure(InvalidConfigurationException.class,
                () -> s.admin.incrementalAlterConfigs(Map.of(r, List.of(new AlterConfigOp(
                        new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET))))
                        .all().get(15, TimeUnit.SECONDS), "invalid value");
    }

    void alterConfigs() throws Exception {
        Method m;
        try {
            m = Admin.class.getMethod("alterConfigs", Map.class);
        } catch (NoSuchMethodException e) {
            throw new Skip("Admin.alterConfigs removed in this client version");
        }
        String topic = s.name("ac");
        s.createTopic(topic, 1, Map.of("max.message.bytes", "300000"));
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Object res = m.invoke(s.admin, Map.of(r, new Config(List.of(new ConfigEntry("retention.ms", "5400000")))));
        ((KafkaFuture<?>) AlterConfigsResult.class.getMethod("all").invoke(res)).get(15, TimeUnit.SECONDS);
        Config c = s.awaitTopicConfig(topic, x -> has(x, "retention.ms", "5400000", ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                && x.get("max.message.bytes").source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        eq("5400000", c.get("retention.ms").value(), "retention.ms after alterConfigs");
        eq(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, c.get("retention.ms").source(), "retention.ms source");
        // legacy AlterConfigs replaces the whole set: the earlier override is gone
        eq(ConfigEntry.ConfigSource.DEFAULT_CONFIG, c.get("max.message.bytes").source(), "max.message.bytes source");
    }
}
