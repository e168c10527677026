package io.budgetguard.ledger.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EntryHasherTest {

    /*
     * Vectors computed independently of this code, with Python's json and hashlib:
     *   canon = lambda a: json.dumps(a, ensure_ascii=False, separators=(',', ':')).encode('utf-8')
     *   h1 = sha256(bytes(32) + canon(e1)); h2 = sha256(h1 + canon(e2))
     */
    private static final String CANONICAL_1 = "[\"v1\",\"acme\",\"1\",\"evt-0001\",\"k0123456789abcde\","
            + "\"2025-03-01T12:00:00.120Z\",\"openai\",\"gpt-4o\",\"1200\",\"300\",\"0\",\"450\",\"0\","
            + "\"0.007125000\",\"2025-03-01\",\"\",\"\"]";
    private static final String HASH_1 = "4451e309cc2c32329c798d21f1d91603ab9027bbfe5944f59851045ab87c0f98";
    private static final String HASH_2 = "74741bf3255d7f6e4882ac64727759cbc047a3c2ed63bd87e92e001c18787e1a";

    private static EntryContent first() {
        return new EntryContent("acme", "evt-0001", "k0123456789abcde", Instant.parse("2025-03-01T12:00:00.120Z"),
                Instant.parse("2025-03-01T12:00:00.250Z"), "openai", "gpt-4o", 1200, 300, 0, 450, 0,
                new BigDecimal("0.007125"), "2025-03-01", "", "", 3, 42);
    }

    private static EntryContent second() {
        return new EntryContent("acme", "evt-0002", "k0123456789abcde", Instant.parse("2025-03-01T12:00:01Z"),
                Instant.parse("2025-03-01T12:00:01.010Z"), "mistral", "mistral-large-ü-模型-😀", 0, 0, 0, 0, 0,
                BigDecimal.ZERO, "", "", "", 3, 43);
    }

    @Test
    void shouldWriteTheCanonicalArrayInTheSpecifiedOrder() {
        LedgerEntry entry = LedgerEntry.append(first(), 1, ChainHash.GENESIS);

        assertThat(new String(EntryHasher.canonical(entry), StandardCharsets.UTF_8)).isEqualTo(CANONICAL_1);
    }

    @Test
    void shouldHashTheFirstEntryAfterThirtyTwoZeroBytes() {
        LedgerEntry entry = LedgerEntry.append(first(), 1, ChainHash.GENESIS);

        assertThat(entry.prevHash().hex()).isEqualTo("0".repeat(64));
        assertThat(entry.entryHash().hex()).isEqualTo(HASH_1);
    }

    @Test
    void shouldChainTheSecondEntryWithANonAsciiModelAndEmptyStrings() {
        LedgerEntry one = LedgerEntry.append(first(), 1, ChainHash.GENESIS);
        LedgerEntry two = LedgerEntry.append(second(), 2, one.entryHash());

        assertThat(two.prevHash().hex()).isEqualTo(HASH_1);
        assertThat(two.entryHash().hex()).isEqualTo(HASH_2);
    }

    @Test
    void shouldAgreeWithTheSystemSha256sum() throws Exception {
        LedgerEntry entry = LedgerEntry.append(second(), 7, ChainHash.fromHex(HASH_1));

        assertThat(sha256sum(concat(entry.prevHash().bytes(), EntryHasher.canonical(entry))))
                .isEqualTo(entry.entryHash().hex());
    }

    @Test
    void shouldTruncateOccurredAtToMillisecondsBeforeHashing() {
        EntryContent micro = new EntryContent("acme", "evt-0001", "k0123456789abcde",
                Instant.parse("2025-03-01T12:00:00.120987Z"), Instant.parse("2025-03-01T12:00:00.250Z"), "openai",
                "gpt-4o", 1200, 300, 0, 450, 0, new BigDecimal("0.007125"), "2025-03-01", "", "", 3, 42);

        LedgerEntry entry = LedgerEntry.append(micro, 1, ChainHash.GENESIS);

        assertThat(entry.occurredAt()).isEqualTo(Instant.parse("2025-03-01T12:00:00.120Z"));
        assertThat(entry.entryHash().hex()).isEqualTo(HASH_1);
    }

    @Test
    void shouldNotHashTheSourcePositionOrTheTimesOfReceiptAndRecording() {
        LedgerEntry entry = LedgerEntry.append(first(), 1, ChainHash.GENESIS);
        LedgerEntry moved = new LedgerEntry(entry.tenantId(), 1, entry.eventId(), entry.apiKeyId(), entry.occurredAt(),
                Instant.EPOCH, Instant.EPOCH, entry.provider(), entry.model(), 1200, 300, 0, 450, 0, entry.costUsd(),
                entry.priceVersion(), "", "", 0, 0, entry.prevHash(), entry.entryHash());

        assertThat(EntryHasher.matches(moved)).isTrue();
    }

    @Test
    void shouldDetectAChangedCost() {
        LedgerEntry entry = LedgerEntry.append(first(), 1, ChainHash.GENESIS);
        LedgerEntry changed = new LedgerEntry(entry.tenantId(), 1, entry.eventId(), entry.apiKeyId(),
                entry.occurredAt(), entry.receivedAt(), null, entry.provider(), entry.model(), 1200, 300, 0, 450, 0,
                new BigDecimal("0.007125001"), entry.priceVersion(), "", "", 3, 42, entry.prevHash(), entry.entryHash());

        assertThat(EntryHasher.matches(changed)).isFalse();
    }

    @Test
    void shouldWriteTheSameBytesAsTheGenericCanonicalArray() {
        EntryContent awkward = new EntryContent("t \"q\" \\ \u0001", "e\n1", "k\t", Instant.parse("0001-01-01T00:00:00Z"),
                Instant.EPOCH, "p/é", "模型 😀 \u007f \u2028", 0, Long.MAX_VALUE, 3, 4, 5, new BigDecimal("-12.5"), "",
                "\b\f\r", "", 0, 0);
        for (LedgerEntry entry : List.of(LedgerEntry.append(awkward, Long.MAX_VALUE, ChainHash.GENESIS),
                LedgerEntry.append(first(), 1, ChainHash.GENESIS), LedgerEntry.append(second(), 2, ChainHash.GENESIS))) {
            assertThat(EntryHasher.canonical(entry)).isEqualTo(CanonicalJson.array(entry.canonicalFields()));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String sha256sum(byte[] input) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("sha256sum").redirectErrorStream(true).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(input);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return output.substring(0, 64);
    }
}
