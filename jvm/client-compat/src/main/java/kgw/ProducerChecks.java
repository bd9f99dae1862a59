package kgw;

import static kgw.Expect.*;
import static kgw.Support.*;

import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Why this exists: the produce path on its own. One scenario per compression codec sends keyed,
 * null-keyed and null-valued records with repeated and null headers, then checks the acked
 * partition/offsets and reads everything back byte for byte.
 */
final class ProducerChecks {
    private final Support s;

    ProducerChecks(Support s) { this.s = s; }

    void produceCodec(String codec) throws Exception {
        String topic = s.name("prod-" + codec);
        s.createTopic(topic, 3, null);
        int n = 60;
        List<ProducerRecord<String, String>> sent = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> p = s.producer(codec, null)) {
            for (int i = 0; i < n; i++) {
                String key = i % 5 == 0 ? null : "key-" + i;
                // compressible payload, with a null value every 7th record
                String value = i % 7 == 3 ? null : ("value-" + i + "-" + codec + "-").repeat(1 + i % 4);
                List<Header> hs = new ArrayList<>();
                if (i % 3 != 0) hs.add(new RecordHeader("h-a", ("a" + i).getBytes(StandardCharsets.UTF_8)));
                if (i % 2 == 0) hs.add(new RecordHeader("h-null", null));
                if (i % 4 == 1) hs.add(new RecordHeader("h-a", new byte[] {0, (byte) 0xff, (byte) i}));
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, i % 3, null, key, value, hs);
                sent.add(r);
                acks.add(p.send(r));
            }
            p.flush();
        }
        long[] expectOff = new long[3];
        for (int i = 0; i < n; i++) {
            RecordMetadata md = acks.get(i).get(20, TimeUnit.SECONDS);
            eq(i % 3, md.partition(), "ack partition of #" + i);
            eq(expectOff[i % 3]++, md.offset(), "ack offset of #" + i);
        }
        try (KafkaConsumer<String, String> c = s.consumer(null, null)) {
            c.assign(tps(topic, 3));
            c.seekToBeginning(tps(topic, 3));
            List<ConsumerRecord<String, String>> got = pollUntil(c, n, 15000);
            Map<Integer, List<ConsumerRecord<String, String>>> byPart = new TreeMap<>();
            for (ConsumerRecord<String, String> r : got) byPart.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
            int[] idx = new int[3];
            for (int i = 0; i < n; i++) {
                ProducerRecord<String, String> sr = sent.get(i);
                int part = i % 3;
                ConsumerRecord<String, String> r = byPart.get(part).get(idx[part]);
                eq((long) idx[part], r.offset(), "offset on p" + part);
                idx[part]++;
                eq(sr.key(), r.key(), "key #" + i);
                eq(sr.value(), r.value(), "value #" + i);
                List<Header> want = new ArrayList<>();
                sr.headers().forEach(want::add);
                List<Header> have = new ArrayList<>();
                r.headers().forEach(have::add);
                eq(want.size(), have.size(), "header count #" + i);
                for (int h = 0; h < want.size(); h++) {
                    eq(want.get(h).key(), have.get(h).key(), "header key #" + i + "/" + h);
                    check(Arrays.equals(want.get(h).value(), have.get(h).value()),
                            "header value #%d/%d: expected %s got %s", i, h,
                            Arrays.toString(want.get(h).value()), Arrays.toString(have.get(h).value()));
                }
                check(r.timestamp() > 0 && r.timestampType() == org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                        "timestamp #%d: %d %s", i, r.timestamp(), r.timestampType());
            }
            for (int part = 0; part < 3; part++) eq(n / 3, byPart.get(part).size(), "records on p" + part);
        }
    }
}
