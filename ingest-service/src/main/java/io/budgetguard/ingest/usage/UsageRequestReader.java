package io.budgetguard.ingest.usage;

import io.budgetguard.schemas.serde.AvroBuffer;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.http.Problem;
import io.budgetguard.common.json.Json;
import io.budgetguard.ingest.http.Problems;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.InMemorySchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the body of {@code POST /v1/usage} — one event, or {@code {"events":[...]}} with 1 to 1000 events — straight
 * into the Avro records ingest produces ({@link UsageEventEncoder}, Confluent framing) for the authenticated tenant
 * and key, validating every rule of PRODUCT.md §3.1 on the way with Jackson's streaming parser. This runs for every
 * event the platform meters, so there is no tree and no object per event: strings are validated in the parser's own
 * character buffer and copied once, as UTF-8, into a buffer reused across events; the record is written when the
 * event's last field is read, fields in schema order whatever their order in the JSON.
 *
 * <p>Every invalid field of every event is reported, by index in the batch (no index for a single event) and field,
 * in one 422. Unknown fields are refused (422 "unknown field"): a misspelt optional token field such as
 * {@code cache_write_token} would otherwise be dropped silently and under-bill. JSON {@code null} counts as absent.
 *
 * <p>Token fields: when any of {@code input_tokens}, {@code cached_input_tokens}, {@code cache_write_tokens},
 * {@code output_tokens}, {@code reasoning_tokens} is present, {@code input_tokens} and {@code output_tokens} are
 * required, the others default to 0 and {@code usage} is ignored; when none is present, the raw provider
 * {@code usage} object is normalised ({@link ProviderUsage}).
 *
 * <p>One instance reads one request; not thread-safe.
 */
public final class UsageRequestReader {

    public static final int MAX_EVENTS = 1000;
    public static final Duration MAX_AGE = Duration.ofDays(35);
    public static final Duration MAX_AHEAD = Duration.ofMinutes(5);
    public static final int MAX_METADATA_ENTRIES = 16;

    private static final JsonFactory JSON = Json.MAPPER.getFactory();

    private static final int EVENT_ID = 1;
    private static final int OCCURRED_AT = 1 << 1;
    private static final int PROVIDER = 1 << 2;
    private static final int MODEL = 1 << 3;
    private static final int INPUT = 1 << 4;
    private static final int CACHED_INPUT = 1 << 5;
    private static final int CACHE_WRITE = 1 << 6;
    private static final int OUTPUT = 1 << 7;
    private static final int REASONING = 1 << 8;
    private static final int END_USER = 1 << 9;
    private static final int METADATA = 1 << 10;
    private static final int USAGE = 1 << 11;
    private static final int TOKEN_FIELDS = INPUT | CACHED_INPUT | CACHE_WRITE | OUTPUT | REASONING;

    /** Encodes and decodes for {@link #read(byte[])}, which serves tests and tools, not the service. */
    private static final AvroSerde<UsageEvent> STANDALONE_SERDE =
            Topics.USAGE_EVENTS.valueSerde(new InMemorySchemaRegistry());
    private static final int NO_INDEX = -1;

    private final long earliestMillis;
    private final long latestMillis;
    private final UsageEventEncoder encoder;
    private final List<byte[]> events = new ArrayList<>();
    private final List<Problem.FieldError> errors = new ArrayList<>();
    /** The current event's strings as UTF-8, each a slice; reset per event. */
    private final AvroBuffer strings = new AvroBuffer(1024);
    private final String[] metadataKeys = new String[MAX_METADATA_ENTRIES];
    private final int[] metadataValueOffsets = new int[MAX_METADATA_ENTRIES];
    private final int[] metadataValueLengths = new int[MAX_METADATA_ENTRIES];

    private boolean batch;
    private int batchSize;

    // the event being read; reset for each event of a batch
    private int index;
    private int seen;
    private int present;
    private int eventIdOffset;
    private int eventIdLength;
    private long occurredAtMillis;
    private int providerOffset;
    private int providerLength;
    private int modelOffset;
    private int modelLength;
    private long inputTokens;
    private long cachedInputTokens;
    private long cacheWriteTokens;
    private long outputTokens;
    private long reasoningTokens;
    private int endUserOffset;
    private int endUserLength;
    private int metadataCount;
    private JsonNode usage;

    /**
     * @param receivedAt now, from the service's clock: the acceptance window for {@code occurred_at} is
     *                   [now − 35 days, now + 5 minutes], and it is each event's {@code received_at}
     * @param schemaId   the registry id of the {@code UsageEvent} schema under {@code usage.events.v1-value}
     */
    public UsageRequestReader(String tenantId, String apiKeyId, Instant receivedAt, int schemaId) {
        this.encoder = new UsageEventEncoder(schemaId, tenantId, apiKeyId, receivedAt.toEpochMilli());
        this.earliestMillis = receivedAt.minus(MAX_AGE).toEpochMilli();
        this.latestMillis = receivedAt.plus(MAX_AHEAD).toEpochMilli();
    }

    /** A reader whose records carry the id of an in-memory registry, for {@link #read(byte[])} (tests, tools). */
    public UsageRequestReader(String tenantId, String apiKeyId, Instant receivedAt) {
        this(tenantId, apiKeyId, receivedAt, STANDALONE_SERDE.schemaId(Topics.USAGE_EVENTS.name()));
    }

    /**
     * The events of {@code body} as {@link UsageEvent}s, decoded from the records {@link #readEncoded} produces (for
     * tests and tools; only with the standalone constructor).
     *
     * @throws io.budgetguard.common.http.ProblemException as {@link #readEncoded}
     */
    public List<UsageEvent> read(byte[] body) {
        List<byte[]> records = readEncoded(body, 0, body.length);
        List<UsageEvent> decoded = new ArrayList<>(records.size());
        for (byte[] record : records) {
            decoded.add(STANDALONE_SERDE.deserialize(Topics.USAGE_EVENTS.name(), record));
        }
        return decoded;
    }

    /**
     * The events of {@code body[offset, offset + length)}, all valid, each as the Confluent-framed Avro value to
     * produce.
     *
     * @throws io.budgetguard.common.http.ProblemException 400 (not JSON, wrong shape), 413 (more than 1000 events),
     *                                                     422 (naming every invalid field of every event)
     */
    public List<byte[]> readEncoded(byte[] body, int offset, int length) {
        try (JsonParser parser = JSON.createParser(body, offset, length)) {
            readBody(parser);
        } catch (JacksonException e) {
            throw Problems.badRequest("The body is not valid JSON: " + RequestBodies.describe(e));
        } catch (CharConversionException | NumberFormatException e) {
            throw RequestBodies.unreadable(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!errors.isEmpty()) {
            long invalidEvents = errors.stream().map(Problem.FieldError::index).distinct().count();
            String detail = !batch ? "The event is invalid; nothing was accepted"
                    : batchSize == 0 ? "The batch holds no events"
                    : invalidEvents + " of " + batchSize + " events are invalid; nothing was accepted";
            throw Problems.invalid(detail, errors);
        }
        return events;
    }

    private void readBody(JsonParser p) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw Problems.badRequest("The body is empty: send one usage event or {\"events\":[...]}");
        }
        if (first != JsonToken.START_OBJECT) {
            throw Problems.badRequest("The body must be a JSON object: one usage event or {\"events\":[...]}");
        }
        JsonToken token = p.nextToken();
        if (token == JsonToken.FIELD_NAME && "events".equals(p.currentName())) {
            readBatch(p);
            if (p.nextToken() != JsonToken.END_OBJECT) {
                throw Problems.badRequest("A batch body holds only \"events\"");
            }
        } else {
            readEvent(p, token, NO_INDEX);
        }
        if (p.nextToken() != null) {
            throw Problems.badRequest("Unexpected content after the JSON object");
        }
    }

    private void readBatch(JsonParser p) throws IOException {
        batch = true;
        if (p.nextToken() != JsonToken.START_ARRAY) {
            throw Problems.badRequest("\"events\" must be an array of usage events");
        }
        int count = 0;
        for (JsonToken token = p.nextToken(); token != JsonToken.END_ARRAY; token = p.nextToken()) {
            if (count == MAX_EVENTS) {
                throw Problems.payloadTooLarge("A batch holds at most " + MAX_EVENTS + " events");
            }
            int position = count++;
            if (token == JsonToken.START_OBJECT) {
                readEvent(p, p.nextToken(), position);
            } else {
                errors.add(new Problem.FieldError(position, null, "must be a usage event object"));
                p.skipChildren();
            }
        }
        batchSize = count;
        if (count == 0) {
            errors.add(new Problem.FieldError(null, "events", "must hold 1 to " + MAX_EVENTS + " events"));
        }
    }

    /** Reads an event's fields, {@code token} being its first field name (or its end). */
    private void readEvent(JsonParser p, JsonToken token, int position) throws IOException {
        startEvent(position);
        int errorsBefore = errors.size();
        for (; token == JsonToken.FIELD_NAME; token = p.nextToken()) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            readField(p, name, value, position);
        }
        finishEvent(errorsBefore);
    }

    private void readField(JsonParser p, String name, JsonToken value, int position) throws IOException {
        switch (name) {
            case "event_id" -> {
                if (first(EVENT_ID, name, p) && string(p, value, EVENT_ID, name)) {
                    char[] chars = p.getTextCharacters();
                    int from = p.getTextOffset();
                    int length = p.getTextLength();
                    if (isEventId(chars, from, length)) {
                        eventIdOffset = strings.size();
                        eventIdLength = strings.writeUtf8(chars, from, length);
                    } else {
                        error(name, "must be 1 to 128 characters [A-Za-z0-9._:-]");
                    }
                }
            }
            case "occurred_at" -> {
                if (first(OCCURRED_AT, name, p) && string(p, value, OCCURRED_AT, name)) {
                    readOccurredAt(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                }
            }
            case "provider" -> {
                if (first(PROVIDER, name, p) && string(p, value, PROVIDER, name)) {
                    char[] chars = p.getTextCharacters();
                    int from = p.getTextOffset();
                    int length = p.getTextLength();
                    if (isProvider(chars, from, length)) {
                        providerOffset = strings.size();
                        providerLength = strings.writeUtf8(chars, from, length);
                    } else {
                        error(name, "must be 1 to 32 characters [a-z0-9_-]");
                    }
                }
            }
            case "model" -> {
                if (first(MODEL, name, p) && string(p, value, MODEL, name)) {
                    char[] chars = p.getTextCharacters();
                    int from = p.getTextOffset();
                    int length = p.getTextLength();
                    if (isPrintable(chars, from, length, 128)) {
                        modelOffset = strings.size();
                        modelLength = strings.writeUtf8(chars, from, length);
                    } else {
                        error(name, "must be 1 to 128 printable characters");
                    }
                }
            }
            case "input_tokens" -> inputTokens = count(p, value, INPUT, name);
            case "cached_input_tokens" -> cachedInputTokens = count(p, value, CACHED_INPUT, name);
            case "cache_write_tokens" -> cacheWriteTokens = count(p, value, CACHE_WRITE, name);
            case "output_tokens" -> outputTokens = count(p, value, OUTPUT, name);
            case "reasoning_tokens" -> reasoningTokens = count(p, value, REASONING, name);
            case "end_user" -> {
                if (first(END_USER, name, p) && string(p, value, END_USER, name)) {
                    char[] chars = p.getTextCharacters();
                    int from = p.getTextOffset();
                    int length = p.getTextLength();
                    if (length == 0 || Character.codePointCount(chars, from, length) > 256) {
                        error(name, "must be 1 to 256 characters (omit it when there is none)");
                    } else {
                        endUserOffset = strings.size();
                        endUserLength = strings.writeUtf8(chars, from, length);
                    }
                }
            }
            case "metadata" -> {
                if (first(METADATA, name, p)) {
                    readMetadata(p, value);
                }
            }
            case "usage" -> {
                if (first(USAGE, name, p)) {
                    if (value != JsonToken.VALUE_NULL) {
                        present |= USAGE;
                        usage = Json.MAPPER.readTree(p);
                    }
                }
            }
            case "events" -> {
                if (position == NO_INDEX) {
                    throw Problems.badRequest("A body is one usage event or {\"events\":[...]}, not both");
                }
                error(name, "unknown field: batches do not nest");
                p.skipChildren();
            }
            default -> {
                error(abbreviate(name), "unknown field");
                p.skipChildren();
            }
        }
    }

    private void startEvent(int position) {
        index = position;
        seen = 0;
        present = 0;
        strings.reset();
        occurredAtMillis = 0;
        inputTokens = 0;
        cachedInputTokens = 0;
        cacheWriteTokens = 0;
        outputTokens = 0;
        reasoningTokens = 0;
        endUserOffset = -1;
        endUserLength = 0;
        metadataCount = 0;
        usage = null;
    }

    private void finishEvent(int errorsBefore) {
        requirePresent(EVENT_ID, "event_id");
        requirePresent(OCCURRED_AT, "occurred_at");
        requirePresent(PROVIDER, "provider");
        requirePresent(MODEL, "model");
        if ((present & TOKEN_FIELDS) != 0) {
            requirePresent(INPUT, "input_tokens");
            requirePresent(OUTPUT, "output_tokens");
        } else if ((present & USAGE) != 0) {
            TokenCounts counts = ProviderUsage.normalise(usage, this::error);
            if (counts != null) {
                inputTokens = counts.input();
                cachedInputTokens = counts.cachedInput();
                cacheWriteTokens = counts.cacheWrite();
                outputTokens = counts.output();
                reasoningTokens = counts.reasoning();
            }
        } else {
            error("input_tokens", "is required (or a provider usage object in \"usage\")");
            error("output_tokens", "is required (or a provider usage object in \"usage\")");
        }
        if (errors.size() == errorsBefore && reasoningTokens > outputTokens) {
            error((present & REASONING) != 0 ? "reasoning_tokens" : "usage",
                    "reasoning tokens must not exceed output tokens, which include them");
        }
        // once any event is invalid nothing will be produced: the rest are only validated
        if (errors.isEmpty()) {
            events.add(encoder.encode(strings.array(), eventIdOffset, eventIdLength, occurredAtMillis,
                    providerOffset, providerLength, modelOffset, modelLength, inputTokens, cachedInputTokens,
                    cacheWriteTokens, outputTokens, reasoningTokens, endUserOffset, endUserLength, metadataCount,
                    metadataKeys, metadataValueOffsets, metadataValueLengths));
        }
    }

    private void readOccurredAt(char[] chars, int from, int length) {
        try {
            occurredAtMillis = Rfc3339.parseEpochMillis(chars, from, length);
        } catch (Rfc3339.InvalidTimestampException e) {
            error("occurred_at", e.getMessage());
            return;
        }
        if (occurredAtMillis < earliestMillis) {
            error("occurred_at", "is more than 35 days in the past");
        } else if (occurredAtMillis > latestMillis) {
            error("occurred_at", "is more than 5 minutes in the future");
        }
    }

    private void readMetadata(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        present |= METADATA;
        if (value != JsonToken.START_OBJECT) {
            error("metadata", "must be an object of strings");
            p.skipChildren();
            return;
        }
        boolean tooMany = false;
        for (JsonToken token = p.nextToken(); token == JsonToken.FIELD_NAME; token = p.nextToken()) {
            String key = p.currentName(); // canonical (Jackson's symbol table): no string per entry
            JsonToken entry = p.nextToken();
            int existing = metadataIndex(key);
            if (metadataCount == MAX_METADATA_ENTRIES && existing < 0) {
                if (!tooMany) {
                    error("metadata", "holds at most " + MAX_METADATA_ENTRIES + " entries");
                    tooMany = true;
                }
                p.skipChildren();
                continue;
            }
            if (key.isEmpty() || length(key) > 64) {
                error(metadataField(key), "keys must be 1 to 64 characters");
            }
            if (entry != JsonToken.VALUE_STRING) {
                error(metadataField(key), "must be a string");
                p.skipChildren();
                continue;
            }
            char[] chars = p.getTextCharacters();
            int from = p.getTextOffset();
            int length = p.getTextLength();
            if (length > 256 && Character.codePointCount(chars, from, length) > 256) {
                error(metadataField(key), "must be at most 256 characters");
            }
            if (existing >= 0) {
                error(metadataField(key), "appears twice");
            } else {
                metadataKeys[metadataCount] = key;
                metadataValueOffsets[metadataCount] = strings.size();
                metadataValueLengths[metadataCount] = strings.writeUtf8(chars, from, length);
                metadataCount++;
            }
        }
    }

    private int metadataIndex(String key) {
        for (int i = 0; i < metadataCount; i++) {
            if (metadataKeys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static String metadataField(String key) {
        return "metadata." + abbreviate(key);
    }

    /** Marks {@code bit} as seen; false (and an error, the value skipped) when the field appears twice. */
    private boolean first(int bit, String name, JsonParser p) throws IOException {
        if ((seen & bit) != 0) {
            error(name, "appears twice");
            p.skipChildren();
            return false;
        }
        seen |= bit;
        return true;
    }

    /**
     * True for a string value (read it from the parser's text buffer); false for JSON null (absent) or a wrong type
     * (reported).
     */
    private boolean string(JsonParser p, JsonToken value, int bit, String name) throws IOException {
        if (value == JsonToken.VALUE_STRING) {
            present |= bit;
            return true;
        }
        if (value != JsonToken.VALUE_NULL) {
            present |= bit;
            error(name, "must be a string");
            p.skipChildren();
        }
        return false;
    }

    private long count(JsonParser p, JsonToken value, int bit, String name) throws IOException {
        if (!first(bit, name, p) || value == JsonToken.VALUE_NULL) {
            return 0;
        }
        present |= bit;
        if (value == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                error(name, "is too large");
                return 0;
            }
            long count = p.getLongValue();
            if (count < 0) {
                error(name, "must be an integer >= 0");
                return 0;
            }
            return count;
        }
        error(name, value == JsonToken.VALUE_NUMBER_FLOAT ? "must be a whole number" : "must be an integer >= 0");
        p.skipChildren();
        return 0;
    }

    private void requirePresent(int bit, String name) {
        if ((present & bit) == 0 && (seen & bit) == 0) {
            error(name, "is required");
        } else if ((present & bit) == 0) {
            error(name, "is required (was null)");
        }
    }

    private void error(String field, String message) {
        errors.add(new Problem.FieldError(index == NO_INDEX ? null : index, field, message));
    }

    static boolean isEventId(String value) {
        return isEventId(value.toCharArray(), 0, value.length());
    }

    static boolean isEventId(char[] chars, int from, int n) {
        if (n == 0 || n > 128) {
            return false;
        }
        for (int i = from; i < from + n; i++) {
            char c = chars[i];
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    static boolean isProvider(String value) {
        return isProvider(value.toCharArray(), 0, value.length());
    }

    static boolean isProvider(char[] chars, int from, int n) {
        if (n == 0 || n > 32) {
            return false;
        }
        for (int i = from; i < from + n; i++) {
            char c = chars[i];
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** 1 to {@code max} characters (code points), none of them control characters, separators or lone surrogates. */
    public static boolean isPrintable(String value, int max) {
        return isPrintable(value.toCharArray(), 0, value.length(), max);
    }

    /** As {@link #isPrintable(String, int)}, over {@code chars[from, from + n)}. */
    static boolean isPrintable(char[] chars, int from, int n, int max) {
        if (n == 0 || n > max && Character.codePointCount(chars, from, n) > max) {
            return false;
        }
        int end = from + n;
        for (int i = from; i < end; ) {
            int cp = Character.codePointAt(chars, i, end);
            if (cp < 0x80) {
                if (cp < 0x20 || cp == 0x7f) {
                    return false;
                }
            } else {
                int type = Character.getType(cp);
                if (Character.isISOControl(cp) || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
                        || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED) {
                    return false;
                }
            }
            i += Character.charCount(cp);
        }
        return true;
    }

    /** Length in characters (code points), cheap for the usual all-BMP text. */
    static int length(String value) {
        return value.codePointCount(0, value.length());
    }

    private static String abbreviate(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "…";
    }
}
