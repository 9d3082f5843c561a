// Revocation propagation, measured from outside: for load-tests/run-propagation.sh.
//
//   java -cp target/jwt-sidecar.jar load-tests/peer/Propagation.java \
//       OUT_PREFIX M BOOTSTRAP TOPIC ADMIN_URL ADMIN_TOKEN ISSUER HS_SECRET API_URL...
//
// For each of M rounds: mint a fresh HS256 token, check that every sidecar accepts it, then
// start one probe thread per sidecar that asks /v1/verify about that token in a loop. At t0 the
// token's jti is revoked, by one of two paths taking turns:
//   - admin: POST /v1/revocations on the first sidecar's admin API (which publishes the event);
//   - direct: this process publishes the revoke event to the revocation topic itself, as an
//     identity provider would (docs/EVENTS.md), with the publisher's producer settings.
// At the same instant a Kafka producer with those settings (acks=all, idempotent, linger 0) sends
// one record to a probe topic that N plain consumers (one per sidecar, each with the sidecar
// feed's settings: assign every partition, poll 100 ms) read. Per round:
//   - time to reject: t0 until a probe receives 401 "revoked" from that sidecar;
//   - Kafka produce→consume: send until each consumer's poll returns the record.
// Both come from one process and one monotonic clock, in the same run and under the same load.
//
// Writes OUT_PREFIX-reject.csv (round,path,sidecar,ms), OUT_PREFIX-kafka.csv (round,path,consumer,ms)
// and prints a summary (key=value lines) on stdout. Uses only what the shaded sidecar jar holds.

import io.jsonwebtoken.Jwts;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class Propagation {
    /** Longest wait for one sidecar in one round; a round past it counts as this value. */
    static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Pause between probes: bounds both the probes' share of the CPU and the resolution. */
    static final long PROBE_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);
    /** Events published one by one before the rounds (and a tenth of it through the admin API). */
    static final int WARMUP_EVENTS = 1000;
    /** Rounds run first and not counted. */
    static final int WARMUP_ROUNDS = 20;

    public static void main(String[] args) throws Exception {
        String outPrefix = args[0];
        int rounds = Integer.parseInt(args[1]);
        String bootstrap = args[2];
        String topic = args[3];
        URI admin = URI.create(args[4] + "/v1/revocations");
        String adminToken = args[5];
        String issuer = args[6];
        SecretKey hs = new SecretKeySpec(args[7].getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        List<URI> sidecars = new ArrayList<>();
        for (int i = 8; i < args.length; i++) sidecars.add(URI.create(args[i] + "/v1/verify"));
        int n = sidecars.size();

        String probeTopic = "propagation-probe-" + UUID.randomUUID();
        List<TopicPartition> partitions = createProbeTopic(bootstrap, topic, probeTopic);
        long[][] reject = new long[rounds][n];
        long[][] kafka = new long[rounds][n];
        long[] adminAck = new long[rounds];
        AtomicLong probes = new AtomicLong();

        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
             KafkaLatencyProbe consumers = new KafkaLatencyProbe(bootstrap, partitions, n)) {
            producer.send(new ProducerRecord<>(probeTopic, longBytes(Long.MIN_VALUE))).get(); // metadata and connection, not measured
            consumers.awaitAssigned();
            HttpClient adminClient = client();
            warmUp(producer, adminClient, admin, adminToken, topic, probeTopic, issuer);
            // Warm-up rounds first (JIT of this driver, the broker and the sidecars' admin path),
            // overwritten by the measured ones.
            int warmup = Math.min(WARMUP_ROUNDS, rounds);
            for (int i = -warmup; i < rounds; i++) {
                int r = i < 0 ? i + warmup : i;
                String jti = UUID.randomUUID().toString();
                String token = Jwts.builder().issuer(issuer).subject("user-" + r).audience().add("load-api").and()
                        .id(jti).issuedAt(Date.from(Instant.now().minusSeconds(5)))
                        .expiration(Date.from(Instant.now().plusSeconds(3600)))
                        .header().keyId("hs-1").type("at+jwt").and().signWith(hs, Jwts.SIG.HS256).compact();
                for (URI s : sidecars) {
                    int code = client().send(verify(s, token), HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (code != 200) throw new IllegalStateException(s + " refused a fresh token: " + code);
                }
                // Start the probes before t0 and let each see a 200 first, so none is still connecting.
                CountDownLatch running = new CountDownLatch(n);
                CountDownLatch done = new CountDownLatch(n);
                AtomicLong t0 = new AtomicLong(Long.MAX_VALUE); // Long.MAX_VALUE: not revoked yet
                for (int s = 0; s < n; s++) {
                    int sidecar = s;
                    int round = r;
                    Thread probe = new Thread(() -> {
                        try {
                            reject[round][sidecar] = probe(sidecars.get(sidecar), token, running, t0, probes);
                        } finally {
                            done.countDown();
                        }
                    }, "probe-" + s);
                    probe.setDaemon(true);
                    probe.start();
                }
                running.await();
                Thread.sleep(ThreadLocalRandom.current().nextInt(20, 60)); // rounds at irregular moments
                consumers.expect(i);
                long start;
                long sent;
                if (viaAdmin(r)) {
                    HttpRequest revoke = adminRevoke(admin, adminToken, issuer, jti);
                    start = System.nanoTime();
                    t0.set(start);
                    CompletableFuture<HttpResponse<String>> ack = adminClient.sendAsync(revoke, HttpResponse.BodyHandlers.ofString());
                    sent = System.nanoTime();
                    producer.send(new ProducerRecord<>(probeTopic, longBytes(i)));
                    HttpResponse<String> answer = ack.get(15, TimeUnit.SECONDS);
                    adminAck[r] = System.nanoTime() - start;
                    expectPublished(answer);
                } else {
                    ProducerRecord<byte[], byte[]> event = revokeEvent(topic, issuer, jti);
                    start = System.nanoTime();
                    t0.set(start);
                    producer.send(event, (meta, e) -> {
                        if (e != null) e.printStackTrace();
                    });
                    sent = System.nanoTime();
                    producer.send(new ProducerRecord<>(probeTopic, longBytes(i)));
                    adminAck[r] = -1;
                }
                done.await();
                kafka[r] = consumers.await(i, sent);
                System.err.printf((i < 0 ? "warm-up " : "") + "round %d/%d: slowest sidecar %.2f ms, slowest consumer %.2f ms%n", r + 1, rounds,
                        Arrays.stream(reject[r]).max().orElse(0) / 1e6, Arrays.stream(kafka[r]).max().orElse(0) / 1e6);
            }
        }
        write(Path.of(outPrefix + "-reject.csv"), "round,path,sidecar,ms", reject);
        write(Path.of(outPrefix + "-kafka.csv"), "round,path,consumer,ms", kafka);
        summary(n, rounds, reject, kafka, adminAck, probes.get());
    }

    /**
     * A fresh broker and fresh sidecars run their produce, fetch and apply paths in the
     * interpreter: the first hundreds of events take several times as long as later ones. Long-running
     * ones are warm, so warm every path the rounds take (publishing straight and through the
     * admin API, consuming, applying) before measuring; the events name jtis of no live token.
     */
    static void warmUp(KafkaProducer<byte[], byte[]> producer, HttpClient adminClient, URI admin, String adminToken,
                       String topic, String probeTopic, String issuer) throws Exception {
        for (int i = 0; i < WARMUP_EVENTS; i++) {
            producer.send(revokeEvent(topic, issuer, "warm-up-" + UUID.randomUUID())).get();
            producer.send(new ProducerRecord<>(probeTopic, longBytes(Long.MIN_VALUE))).get();
        }
        for (int i = 0; i < WARMUP_EVENTS / 10; i++) {
            expectPublished(adminClient.send(adminRevoke(admin, adminToken, issuer, "warm-up-" + UUID.randomUUID()),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }

    /** POST /v1/revocations of a jti rule. */
    static HttpRequest adminRevoke(URI admin, String adminToken, String issuer, String jti) {
        String body = "{\"scope\":\"jti\",\"issuer\":\"" + issuer + "\",\"value\":\"" + jti + "\",\"reason\":\"load test\"}";
        return HttpRequest.newBuilder(admin).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    static void expectPublished(HttpResponse<String> answer) {
        if (answer.statusCode() != 202) throw new IllegalStateException("revoke answered " + answer.statusCode() + ": " + answer.body());
    }

    /** Even rounds go through the admin API, odd ones straight to the topic. */
    static boolean viaAdmin(int round) {
        return round % 2 == 0;
    }

    /** A revoke event for the token's jti, keyed by its rule key (docs/EVENTS.md). */
    static ProducerRecord<byte[], byte[]> revokeEvent(String topic, String issuer, String jti) {
        long now = Instant.now().getEpochSecond();
        String key = "jti\u001f" + issuer + "\u001f" + jti;
        String value = "{\"v\":1,\"eventId\":\"" + UUID.randomUUID() + "\",\"type\":\"revoke\",\"scope\":\"jti\","
                + "\"issuer\":\"" + issuer + "\",\"value\":\"" + jti + "\",\"at\":" + now + ",\"expiresAt\":" + (now + 3600)
                + ",\"reason\":\"load test\",\"actor\":\"propagation-driver\"}";
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    /** Loops on /v1/verify until this sidecar answers 401 revoked; nanoseconds since t0. */
    static long probe(URI sidecar, String token, CountDownLatch running, AtomicLong t0, AtomicLong probes) {
        // A blocking keep-alive socket rather than java.net.http: no selector thread to hand off
        // to, so the probe costs little CPU and sees the answer the moment it arrives.
        try (VerifyConnection connection = new VerifyConnection(sidecar, token)) {
            boolean signalled = false;
            while (true) {
                int status = connection.ask();
                long now = System.nanoTime();
                probes.incrementAndGet();
                if (!signalled) {
                    running.countDown();
                    signalled = true;
                }
                long start = t0.get();
                if (status == 401 && connection.body().contains("revoked")) {
                    if (start == Long.MAX_VALUE) throw new IllegalStateException("revoked before the revocation was sent");
                    return now - start;
                }
                if (status != 200) throw new IllegalStateException(sidecar + " answered " + status + ": " + connection.body());
                if (start != Long.MAX_VALUE && now - start > GIVE_UP_NANOS) return GIVE_UP_NANOS;
                LockSupport.parkNanos(PROBE_PAUSE_NANOS);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("probe of " + sidecar + " failed", e);
        }
    }

    /** HTTP/1.1 keep-alive GET of one URL with one bearer token; answers carry a Content-Length. */
    static final class VerifyConnection implements AutoCloseable {
        private final java.net.Socket socket;
        private final java.io.InputStream in;
        private final java.io.OutputStream out;
        private final byte[] request;
        private String body = "";

        VerifyConnection(URI url, String token) throws java.io.IOException {
            socket = new java.net.Socket(url.getHost(), url.getPort());
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(5_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            request = ("GET " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + "\r\nAuthorization: Bearer "
                    + token + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        int ask() throws java.io.IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Integer.parseInt(header.substring(colon + 1).trim());
                }
            }
            body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return status;
        }

        String body() {
            return body;
        }

        private String line() throws java.io.IOException {
            StringBuilder b = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) throw new java.io.EOFException("connection closed");
                if (c != '\r') b.append((char) c);
            }
            return b.toString();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    /** One plain consumer per sidecar, in its own thread, configured as the sidecar's feed is. */
    static final class KafkaLatencyProbe implements AutoCloseable {
        private final List<Thread> threads = new ArrayList<>();
        private final Map<Long, long[]> received = new ConcurrentHashMap<>();
        private final CountDownLatch assigned;
        private volatile boolean running = true;
        private final int n;

        KafkaLatencyProbe(String bootstrap, List<TopicPartition> partitions, int n) {
            this.n = n;
            this.assigned = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                int consumer = i;
                Thread t = new Thread(() -> run(bootstrap, partitions, consumer), "kafka-consumer-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        void expect(long round) {
            long[] slots = new long[n];
            Arrays.fill(slots, Long.MIN_VALUE);
            received.put(round, slots);
        }

        private void run(String bootstrap, List<TopicPartition> partitions, int consumer) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                c.assign(partitions);
                c.poll(Duration.ofMillis(100)); // resolve the start positions before the first round
                partitions.forEach(c::position);
                assigned.countDown();
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        long[] slots = received.get(toLong(record.value()));
                        if (slots != null) {
                            synchronized (slots) {
                                slots[consumer] = now;
                                slots.notifyAll();
                            }
                        }
                    }
                }
            }
        }

        void awaitAssigned() throws InterruptedException {
            if (!assigned.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("probe consumers not assigned");
        }

        /** Nanoseconds from the send to each consumer's receipt of the round's record. */
        long[] await(long round, long sent) throws InterruptedException {
            long[] slots = received.get(round);
            long deadline = System.nanoTime() + GIVE_UP_NANOS;
            long[] latency = new long[n];
            synchronized (slots) {
                while (Arrays.stream(slots).anyMatch(v -> v == Long.MIN_VALUE) && System.nanoTime() < deadline) {
                    slots.wait(100);
                }
                for (int i = 0; i < n; i++) latency[i] = slots[i] == Long.MIN_VALUE ? GIVE_UP_NANOS : slots[i] - sent;
            }
            received.remove(round);
            return latency;
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            for (Thread t : threads) t.join(5_000);
        }
    }

    /** A probe topic with the revocation topic's partition count, so both take the same path. */
    static List<TopicPartition> createProbeTopic(String bootstrap, String like, String name) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            int partitions = admin.describeTopics(List.of(like)).allTopicNames().get().get(like).partitions().size();
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty()))).all().get();
            List<TopicPartition> list = new ArrayList<>();
            for (int i = 0; i < partitions; i++) list.add(new TopicPartition(name, i));
            // Wait until metadata knows every partition's leader.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions().stream()
                    .anyMatch(p -> p.leader() == null)) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("no leader for " + name);
                Thread.sleep(50);
            }
            return list;
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        // The revocation publisher's settings (RevocationPublisher), so the baseline pays the same acks.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpRequest verify(URI sidecar, String token) {
        return HttpRequest.newBuilder(sidecar).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(5)).GET().build();
    }

    static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) v;
            v >>>= 8;
        }
        return b;
    }

    static long toLong(byte[] b) {
        long v = 0;
        for (byte x : b) v = (v << 8) | (x & 0xff);
        return v;
    }

    static void write(Path file, String header, long[][] values) throws Exception {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println(header);
            for (int r = 0; r < values.length; r++) {
                for (int i = 0; i < values[r].length; i++) {
                    w.printf("%d,%s,%d,%.3f%n", r, viaAdmin(r) ? "admin" : "direct", i, values[r][i] / 1e6);
                }
            }
        }
    }

    static void summary(int n, int rounds, long[][] reject, long[][] kafka, long[] adminAck, long probes) {
        System.out.println("sidecars=" + n);
        System.out.println("rounds=" + rounds);
        System.out.println("probes=" + probes);
        System.out.println("timeouts=" + flat(reject, r -> true).stream().filter(v -> v >= GIVE_UP_NANOS).count());
        print("reject", flat(reject, r -> true));
        print("reject_admin", flat(reject, Propagation::viaAdmin));
        print("reject_direct", flat(reject, r -> !viaAdmin(r)));
        List<Long> fleet = new ArrayList<>();
        for (long[] r : reject) fleet.add(Arrays.stream(r).max().orElse(0));
        print("fleet", fleet);
        print("kafka", flat(kafka, r -> true));
        List<Long> ack = new ArrayList<>();
        for (int r = 0; r < rounds; r++) if (viaAdmin(r)) ack.add(adminAck[r]);
        print("admin_ack", ack);
    }

    static List<Long> flat(long[][] values, java.util.function.IntPredicate rounds) {
        List<Long> list = new ArrayList<>();
        for (int r = 0; r < values.length; r++) if (rounds.test(r)) for (long v : values[r]) list.add(v);
        return list;
    }

    /** Nearest-rank percentiles, in milliseconds. */
    static void print(String name, List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        for (double p : new double[] {50, 99}) {
            int rank = (int) Math.ceil(p / 100 * sorted.size());
            System.out.printf("%s_p%.0f=%.2f%n", name, p, sorted.get(Math.max(0, rank - 1)) / 1e6);
        }
        System.out.printf("%s_max=%.2f%n", name, sorted.get(sorted.size() - 1) / 1e6);
        System.out.println(name + "_samples=" + sorted.size());
    }
}
