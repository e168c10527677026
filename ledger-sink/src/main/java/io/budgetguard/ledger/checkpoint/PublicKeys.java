package io.budgetguard.ledger.checkpoint;

import io.budgetguard.common.keys.KeyService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The checkpoint signing key's public keys by version, as {@code GET /v1/ledger/public-keys} serves them:
 * {@code {"keys":{"<version>":"<base64 raw 32-byte Ed25519 key>"}}}. Cached for a minute so that the public route
 * costs the key service at most one call a minute; a rotated key shows within that minute.
 */
public final class PublicKeys {

    private static final Duration TTL = Duration.ofMinutes(1);

    private final KeyService keys;
    private final Clock clock;
    private Map<String, String> cached;
    private Instant cachedAt;

    public PublicKeys(KeyService keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The response body: version → base64 raw key, in version order.
     *
     * @throws io.budgetguard.common.keys.KeyServiceException when the key service cannot answer
     */
    public synchronized Map<String, Map<String, String>> body() {
        Instant now = clock.instant();
        if (cached == null || !cachedAt.plus(TTL).isAfter(now)) {
            Map<String, String> encoded = new TreeMap<>((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)));
            keys.publicKeys(CheckpointSigner.KEY_NAME).forEach((version, key) ->
                    encoded.put(Integer.toString(version), Base64.getEncoder().encodeToString(key)));
            cached = Collections.unmodifiableMap(encoded);
            cachedAt = now;
        }
        return Map.of("keys", cached);
    }

    /** Parses a body of the same form into version → raw key (for {@code budgetguard ledger verify}). */
    public static Map<Integer, byte[]> parse(com.fasterxml.jackson.databind.JsonNode body) {
        com.fasterxml.jackson.databind.JsonNode keysNode = body == null ? null : body.get("keys");
        if (keysNode == null || !keysNode.isObject()) {
            throw new IllegalArgumentException("expected {\"keys\":{\"<version>\":\"<base64 key>\"}}");
        }
        Map<Integer, byte[]> parsed = new TreeMap<>();
        var fields = keysNode.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            int version;
            try {
                version = Integer.parseInt(field.getKey());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("key version '" + field.getKey() + "' is not a number");
            }
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException("key version " + version + " is not a base64 string");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(field.getValue().asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("key version " + version + " is not valid base64");
            }
            if (raw.length != 32) {
                throw new IllegalArgumentException("key version " + version + " has " + raw.length
                        + " bytes, an Ed25519 public key has 32");
            }
            parsed.put(version, raw);
        }
        return parsed;
    }
}
