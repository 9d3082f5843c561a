package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The split-block Bloom filter: no false negatives, its measured rate against its design, its size, its bytes. */
class BlockedBloomFilterTest {

    private static RuleKey key(String prefix, int i) {
        return new RuleKey(RevocationScope.JTI, "https://issuer.example", prefix + "-" + i);
    }

    @Test
    void every_added_key_is_found() {
        BlockedBloomFilter filter = BlockedBloomFilter.create(100_000, 0.001);
        SplittableRandom random = new SplittableRandom(1);
        long[] hashes = random.longs(100_000).toArray();
        for (long h : hashes) {
            filter.put(h);
        }
        for (long h : hashes) {
            assertThat(filter.mightContain(h)).isTrue();
        }
    }

    @Test
    void the_measured_false_positive_rate_of_one_million_rule_keys_meets_the_design_rate() {
        BlockedBloomFilter filter = BlockedBloomFilter.create(1_000_000, 0.001);
        for (int i = 0; i < 1_000_000; i++) {
            filter.put(RuleKeyHash.of(key("revoked", i)));
        }
        int falsePositives = 0;
        for (int i = 0; i < 1_000_000; i++) {
            if (filter.mightContain(RuleKeyHash.of(key("other", i)))) {
                falsePositives++;
            }
        }
        double measured = falsePositives / 1_000_000.0;
        // The sizing aims at 0.098 %: about 980 of a million, give or take 31. Six deviations either side.
        assertThat(measured).as("measured false-positive rate").isBetween(0.0008, 0.0012);
        assertThat(filter.expectedFalsePositiveRate()).as("the filter's own estimate")
                .isCloseTo(measured, offset(0.0002));
    }

    @ParameterizedTest(name = "{0} keys at {1}")
    @CsvSource({"10000000, 0.001", "1000000, 0.01", "1000, 0.001", "1, 0.01", "1000000, 0.000001"})
    void the_filter_is_the_smallest_of_its_steps_that_meets_the_rate_and_not_far_above_the_classic_optimum(
            long n, double p) {
        int blocks = BlockedBloomFilter.blocksFor(n, p);
        double classicBits = -n * Math.log(p) / (Math.log(2) * Math.log(2));

        assertThat(BlockedBloomFilter.falsePositiveRate((double) n / blocks)).isLessThanOrEqualTo(p);
        long smaller = blocks - Math.max(1, blocks / 65);
        if (smaller > 0 && blocks * 512.0 > classicBits) {
            assertThat(BlockedBloomFilter.falsePositiveRate((double) n / smaller)).as("one step smaller").isGreaterThan(p);
        }
        assertThat(blocks * 512.0).isGreaterThanOrEqualTo(classicBits - 512);
        if (p >= 0.001) {
            assertThat(blocks * 512.0).as("within 25 %% of the classic filter").isLessThan(classicBits * 1.25 + 512);
        }
    }

    @Test
    void ten_million_keys_at_a_tenth_of_a_percent_fit_in_64_megabytes() {
        assertThat(BlockedBloomFilter.create(10_000_000, 0.001).sizeInBytes()).isLessThanOrEqualTo(64L << 20)
                .isEqualTo(BlockedBloomFilter.blocksFor(10_000_000, 0.001) * 64L);
    }

    @Test
    void the_rate_formula_matches_a_direct_count_for_a_few_keys_per_block() {
        // At λ = 0 nothing is ever a false positive; at very high load everything is.
        assertThat(BlockedBloomFilter.falsePositiveRate(0)).isZero();
        assertThat(BlockedBloomFilter.falsePositiveRate(5_000)).isGreaterThan(0.999);
        // λ = 35.6 is the classic optimum for 0.1 %: blocking makes it about 0.16 %.
        assertThat(BlockedBloomFilter.falsePositiveRate(512 / 14.3776)).isBetween(0.0015, 0.0017);
    }

    @Test
    void a_design_it_cannot_hold_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> BlockedBloomFilter.create(0, 0.01));
        assertThrows(IllegalArgumentException.class, () -> BlockedBloomFilter.create(10, 0));
        assertThrows(IllegalArgumentException.class, () -> BlockedBloomFilter.create(10, 1));
        assertThrows(IllegalArgumentException.class, () -> BlockedBloomFilter.create(Long.MAX_VALUE / 2, 0.01));
    }

    @Test
    void probing_many_hashes_at_once_answers_as_probing_each() {
        BlockedBloomFilter filter = BlockedBloomFilter.create(1_000, 0.05);
        SplittableRandom random = new SplittableRandom(2);
        long[] hashes = random.longs(150).toArray();
        for (int i = 0; i < hashes.length; i += 3) {
            filter.put(hashes[i]);
        }
        for (int from = 0; from < hashes.length; from += 64) {
            long each = filter.mightContainEach(hashes, from, hashes.length);
            for (int i = from; i < Math.min(hashes.length, from + 64); i++) {
                assertThat((each >>> (i - from) & 1) == 1).as("hash %d", i).isEqualTo(filter.mightContain(hashes[i]));
                if (i % 3 == 0) {
                    assertThat(each >>> (i - from) & 1).as("added hash %d", i).isEqualTo(1L);
                }
            }
        }
    }

    @Test
    void concurrent_adds_never_lose_a_bit_and_readers_see_every_key_added_before_they_look() throws Exception {
        // A small filter, so the writers keep setting bits in the same words at the same time.
        for (int round = 0; round < 20; round++) {
            BlockedBloomFilter filter = BlockedBloomFilter.create(4_000, 0.3);
            int writers = 4;
            int perWriter = 1_000;
            long[][] keys = new long[writers][];
            SplittableRandom random = new SplittableRandom(round);
            for (int w = 0; w < writers; w++) {
                keys[w] = random.longs(perWriter).toArray();
            }
            AtomicLong published = new AtomicLong();
            AtomicReference<String> missed = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                long[] mine = keys[w];
                threads.add(new Thread(() -> {
                    await(start);
                    for (long h : mine) {
                        filter.put(h);
                    }
                }));
            }
            // The reader checks writer 0's keys as it announces them, as a request would after the store's write.
            long[] announced = keys[0].clone();
            Thread announcer = new Thread(() -> {
                await(start);
                for (int i = 0; i < announced.length; i++) {
                    filter.put(announced[i]);
                    published.set(i + 1);
                }
            });
            Thread reader = new Thread(() -> {
                await(start);
                long seen = 0;
                while (seen < announced.length) {
                    long upTo = published.get();
                    for (long i = seen; i < upTo; i++) {
                        if (!filter.mightContain(announced[(int) i])) {
                            missed.compareAndSet(null, "announced key " + i);
                        }
                    }
                    seen = upTo;
                }
            });
            threads.add(announcer);
            threads.add(reader);
            threads.forEach(Thread::start);
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(missed.get()).isNull();
            for (long[] mine : keys) {
                for (long h : mine) {
                    assertThat(filter.mightContain(h)).as("round %d", round).isTrue();
                }
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void a_filter_read_back_answers_as_the_one_written() throws IOException {
        BlockedBloomFilter filter = BlockedBloomFilter.create(50_000, 0.01);
        SplittableRandom random = new SplittableRandom(3);
        long[] added = random.longs(40_000).toArray();
        for (long h : added) {
            filter.put(h);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        filter.writeTo(new DataOutputStream(bytes));

        BlockedBloomFilter read = BlockedBloomFilter.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(read.designSize()).isEqualTo(50_000);
        assertThat(read.designFalsePositiveRate()).isEqualTo(0.01);
        assertThat(read.sizeInBytes()).isEqualTo(filter.sizeInBytes());
        assertThat(read.expectedFalsePositiveRate()).isEqualTo(filter.expectedFalsePositiveRate());
        for (long h : added) {
            assertThat(read.mightContain(h)).isTrue();
        }
        long[] others = random.longs(100_000).toArray();
        for (long h : others) {
            assertThat(read.mightContain(h)).isEqualTo(filter.mightContain(h));
        }
    }

    @Test
    void a_truncated_or_foreign_stream_is_an_io_error() throws IOException {
        BlockedBloomFilter filter = BlockedBloomFilter.create(50_000, 0.01);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        filter.writeTo(new DataOutputStream(bytes));
        byte[] whole = bytes.toByteArray();

        assertThrows(IOException.class, () -> BlockedBloomFilter.readFrom(
                new DataInputStream(new ByteArrayInputStream(Arrays.copyOf(whole, whole.length - 1)))));
        byte[] foreign = whole.clone();
        Arrays.fill(foreign, 0, 8, (byte) 0);
        assertThrows(IOException.class, () -> BlockedBloomFilter.readFrom(
                new DataInputStream(new ByteArrayInputStream(foreign))));
    }

    @Test
    void a_block_count_the_stream_cannot_hold_is_refused_before_anything_is_allocated() throws IOException {
        BlockedBloomFilter filter = BlockedBloomFilter.create(1_000, 0.01);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        filter.writeTo(new DataOutputStream(bytes));
        byte[] forged = bytes.toByteArray();
        // design size (8 bytes), rate (8), then the block count: the largest an array allows, 16 GB of words.
        ByteBuffer.wrap(forged).putInt(16, (int) BlockedBloomFilter.MAX_BLOCKS);

        assertThatThrownBy(() -> BlockedBloomFilter.readFrom(new DataInputStream(new ByteArrayInputStream(forged))))
                .isInstanceOf(IOException.class).hasMessageContaining("blocks");
    }
}
