package io.budgetguard.ingest.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A reproducible corpus of malformed HTTP requests for {@code POST /v1/usage} (and a few other routes): request
 * {@code i} of seed {@code s} is always the same bytes, so a failure is replayed from its index. Kinds and their
 * weights are in {@link Kind}; each request is written as raw bytes, so that the HTTP layer itself can be abused
 * (header abuse, lying lengths, broken chunking, partial requests), not only the JSON.
 *
 * <p>The corpus is the input of {@link HostileClient}; {@code HostileInputTest} runs a slice of it in the suite and
 * {@code bench/run.sh hostile} runs a million requests (docs/SECURITY.md).
 */
public final class HostileRequests {

    /** Kinds of hostile request, with their share of the corpus in per-mille. */
    public enum Kind {
        BAD_JSON(180), WRONG_TYPES(130), HUGE_NUMBERS(80), DEEP_NESTING(40), INVALID_UTF8(80), OVERSIZE(30),
        HEADER_ABUSE(100), CONTENT_TYPE(50), CONTENT_LENGTH(60), PARTIAL(30), REQUEST_LINE(50), INVALID_FIELDS(100),
        AUTH(40), VALID(30);

        final int perMille;

        Kind(int perMille) {
            this.perMille = perMille;
        }
    }

    /**
     * One request: its bytes; whether it needs a connection of its own (it breaks the HTTP framing, so nothing may
     * follow it on the connection); whether the client half-closes after sending (the request is incomplete and the
     * server may answer or just close); and the statuses that count as right besides any 4xx.
     */
    public record Request(long index, Kind kind, String variant, byte[] bytes, boolean ownConnection,
            boolean incomplete) {}

    /** The server under attack: where, and a valid developer key of a tenant whose rate limits will not bind. */
    public record Target(String hostPort, String token, Instant now) {}

    private static final int TOTAL = List.of(Kind.values()).stream().mapToInt(k -> k.perMille).sum();
    private static final int MIB = 1024 * 1024;
    private static final String[] TOKEN_FIELDS = {"input_tokens", "cached_input_tokens", "cache_write_tokens",
            "output_tokens", "reasoning_tokens"};
    private static final String[] STRING_FIELDS = {"event_id", "occurred_at", "provider", "model", "end_user"};
    private static final String[] WRONG_VALUES = {"null", "true", "false", "0", "-1", "1.5", "\"12\"", "[]", "[1,2]",
            "{}", "{\"a\":1}", "\"\"", "1e3", "[\"evt-1\"]", "{\"$gt\":\"\"}"};
    private static final String[] HUGE_NUMBERS = {"9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "1e400", "-1e400", "1e-400", "1E19", "18446744073709551616", "0.0000000001", "-0", "1.0", "1e2",
            "123456789012345678901234567890", "NaN", "Infinity", "-Infinity", "0x10", "01", "+1", "1_000", ".5", "5.",
            "1e99999999999"};

    private final long seed;
    private final Target target;

    public HostileRequests(long seed, Target target) {
        this.seed = seed;
        this.target = target;
    }

    /** Request number {@code index} of this corpus. */
    public Request get(long index) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int pick = random.nextInt(TOTAL);
        Kind kind = Kind.BAD_JSON;
        for (Kind k : Kind.values()) {
            if (pick < k.perMille) {
                kind = k;
                break;
            }
            pick -= k.perMille;
        }
        return switch (kind) {
            case BAD_JSON -> badJson(index, random);
            case WRONG_TYPES -> wrongTypes(index, random);
            case HUGE_NUMBERS -> hugeNumbers(index, random);
            case DEEP_NESTING -> deepNesting(index, random);
            case INVALID_UTF8 -> invalidUtf8(index, random);
            case OVERSIZE -> oversize(index, random);
            case HEADER_ABUSE -> headerAbuse(index, random);
            case CONTENT_TYPE -> contentType(index, random);
            case CONTENT_LENGTH -> contentLength(index, random);
            case PARTIAL -> partial(index, random);
            case REQUEST_LINE -> requestLine(index, random);
            case INVALID_FIELDS -> invalidFields(index, random);
            case AUTH -> auth(index, random);
            case VALID -> valid(index, random);
        };
    }

    // ---- bodies

    private String occurredAt(SplittableRandom random) {
        return target.now().minusSeconds(random.nextInt(3600)).toString();
    }

    /** A valid event with every field, the starting point of most mutations. */
    String event(SplittableRandom random) {
        return "{\"event_id\":\"h-" + Long.toHexString(random.nextLong()) + "\",\"occurred_at\":\"" + occurredAt(random)
                + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":" + random.nextInt(100_000)
                + ",\"cached_input_tokens\":" + random.nextInt(100) + ",\"cache_write_tokens\":0,\"output_tokens\":"
                + random.nextInt(10_000) + ",\"reasoning_tokens\":0,\"end_user\":\"user-" + random.nextInt(100)
                + "\",\"metadata\":{\"feature\":\"chat\"}}";
    }

    private Request badJson(long index, SplittableRandom random) {
        byte[] body = utf8(random.nextInt(4) == 0 ? "{\"events\":[" + event(random) + "," + event(random) + "]}"
                : event(random));
        String variant;
        switch (random.nextInt(6)) {
            case 0 -> {
                variant = "truncated";
                body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
            }
            case 1 -> {
                variant = "byte-flips";
                for (int i = 1 + random.nextInt(8); i > 0; i--) {
                    body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                }
            }
            case 2 -> {
                variant = "structural-char";
                String chars = "{}[],:\"\\";
                body[random.nextInt(body.length)] = (byte) chars.charAt(random.nextInt(chars.length()));
            }
            case 3 -> {
                variant = "random-bytes";
                body = new byte[random.nextInt(2048)];
                random.nextBytes(body);
            }
            case 4 -> {
                variant = "trailing-garbage";
                body = utf8(new String(body, StandardCharsets.UTF_8) + pickOf(random, "}", "]", "{}", "x", "\u0000",
                        " {\"event_id\":\"x\"}", ",", "//c", "/* */"));
            }
            default -> {
                variant = "not-an-object";
                body = utf8(pickOf(random, "[]", "[" + event(random) + "]", "\"event\"", "42", "null", "true", "",
                        "   ", "{\"events\":{}}", "{\"events\":null}", "{\"events\":[1,2]}", "{\"events\":[[]]}",
                        "{'event_id':'x'}", "{\"events\":[],\"events\":[]}"));
            }
        }
        return post(index, Kind.BAD_JSON, variant, body);
    }

    private Request wrongTypes(long index, SplittableRandom random) {
        String field = random.nextBoolean() ? pickOf(random, TOKEN_FIELDS) : pickOf(random, STRING_FIELDS);
        if (random.nextInt(8) == 0) {
            field = pickOf(random, "metadata", "usage", "events");
        }
        String value = pickOf(random, WRONG_VALUES);
        return post(index, Kind.WRONG_TYPES, field + "=" + value, utf8(replaceField(event(random), field, value)));
    }

    private Request hugeNumbers(long index, SplittableRandom random) {
        String field = pickOf(random, TOKEN_FIELDS);
        String value = random.nextInt(5) == 0 ? "1" + "0".repeat(500 + random.nextInt(5000)) : pickOf(random, HUGE_NUMBERS);
        if (random.nextInt(6) == 0) {
            // a huge number in the provider usage object instead
            String usage = "{\"prompt_tokens\":" + value + ",\"completion_tokens\":1}";
            String event = "{\"event_id\":\"h-1\",\"occurred_at\":\"" + occurredAt(random)
                    + "\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"usage\":" + usage + "}";
            return post(index, Kind.HUGE_NUMBERS, "usage", utf8(event));
        }
        return post(index, Kind.HUGE_NUMBERS, field, utf8(replaceField(event(random), field, value)));
    }

    private Request deepNesting(long index, SplittableRandom random) {
        int depth = switch (random.nextInt(3)) {
            case 0 -> 100 + random.nextInt(1000);
            case 1 -> 1000 + random.nextInt(10_000);
            default -> 50_000 + random.nextInt(400_000);
        };
        boolean arrays = random.nextBoolean();
        StringBuilder nested = new StringBuilder(depth * 6);
        for (int i = 0; i < depth; i++) {
            nested.append(arrays ? "[" : "{\"a\":");
        }
        nested.append("1");
        if (random.nextInt(4) != 0) { // sometimes left unclosed
            for (int i = 0; i < depth; i++) {
                nested.append(arrays ? "]" : "}");
            }
        }
        String field = pickOf(random, "metadata", "usage", "model", "input_tokens", "unknown");
        String body = random.nextInt(5) == 0 ? nested.toString() : replaceField(event(random), field, nested.toString());
        return post(index, Kind.DEEP_NESTING, (arrays ? "arrays-" : "objects-") + depth, utf8(body));
    }

    private static final byte[][] BAD_UTF8 = {
            {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xFE},
            {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
            {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {0}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}};
    private static final String[] BAD_ESCAPES = {"\\ud800", "\\udfff", "\\ud800\\u0041", "\\u0000", "\\u001f",
            "\\x41", "\\u12", "\\uZZZZ", "\\", "\\u2028", "\\ufffe", "\\udbff\\udfff"};

    private Request invalidUtf8(long index, SplittableRandom random) {
        String event = event(random);
        String field = pickOf(random, "event_id", "model", "end_user", "provider", "feature");
        int at = event.indexOf("\"" + field + "\"");
        if (random.nextInt(3) == 0) {
            String escape = pickOf(random, BAD_ESCAPES);
            int valueStart = event.indexOf(':', at) + 2;
            return post(index, Kind.INVALID_UTF8, "escape " + escape,
                    utf8(event.substring(0, valueStart) + escape + event.substring(valueStart)));
        }
        byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
        byte[] base = utf8(event);
        int position = random.nextInt(4) == 0 ? random.nextInt(base.length) : at + 2; // inside a name or a value
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(base, 0, position);
        out.writeBytes(bad);
        out.write(base, position, base.length - position);
        byte[] body = out.toByteArray();
        if (random.nextInt(10) == 0) { // a UTF-16 or UTF-32 byte order mark in front
            byte[] bom = random.nextBoolean() ? new byte[] {(byte) 0xFE, (byte) 0xFF}
                    : new byte[] {0, 0, (byte) 0xFE, (byte) 0xFF};
            byte[] withBom = new byte[bom.length + body.length];
            System.arraycopy(bom, 0, withBom, 0, bom.length);
            System.arraycopy(body, 0, withBom, bom.length, body.length);
            body = withBom;
        }
        return post(index, Kind.INVALID_UTF8, "bytes " + hex(bad), body);
    }

    private Request oversize(long index, SplittableRandom random) {
        switch (random.nextInt(10)) {
            case 0 -> {
                // a real body one byte over 1 MiB, chunked (no length to refuse it by)
                byte[] body = new byte[MIB + 1];
                java.util.Arrays.fill(body, (byte) ' ');
                body[0] = '{';
                return raw(index, Kind.OVERSIZE, "chunked-1MiB+1", chunked(head("POST", "/v1/usage", true), body,
                        64 * 1024), true, false);
            }
            case 1, 2 -> {
                StringBuilder batch = new StringBuilder("{\"events\":[");
                for (int i = 0; i < 1001; i++) {
                    batch.append(i == 0 ? "" : ",").append(event(random));
                }
                return post(index, Kind.OVERSIZE, "1001-events", utf8(batch.append("]}").toString()));
            }
            default -> {
                // a Content-Length over the limit and only the start of the body: refused from the header
                long declared = MIB + 1 + random.nextInt(Integer.MAX_VALUE);
                String request = head("POST", "/v1/usage", true) + "Content-Length: " + declared + "\r\n\r\n"
                        + event(random);
                return raw(index, Kind.OVERSIZE, "declared-" + declared, utf8(request), true, true);
            }
        }
    }

    private Request headerAbuse(long index, SplittableRandom random) {
        byte[] body = utf8(event(random));
        String auth = "Authorization: Bearer " + target.token() + "\r\n";
        String json = "Content-Type: application/json\r\n";
        String extra;
        String variant;
        boolean own = true;
        switch (random.nextInt(12)) {
            case 0 -> {
                variant = "huge-header";
                extra = "X-Filler: " + "a".repeat(8192 + random.nextInt(64 * 1024)) + "\r\n";
            }
            case 1 -> {
                variant = "many-headers";
                StringBuilder many = new StringBuilder();
                for (int i = 0, n = 100 + random.nextInt(2000); i < n; i++) {
                    many.append("X-H").append(i).append(": v\r\n");
                }
                extra = many.toString();
            }
            case 2 -> {
                variant = "two-authorizations";
                extra = "Authorization: Bearer bg_" + randomToken(random) + "\r\n";
                own = false;
            }
            case 3 -> {
                variant = "two-content-lengths";
                extra = "Content-Length: " + (body.length + 1 + random.nextInt(10)) + "\r\n";
            }
            case 4 -> {
                variant = "control-bytes";
                extra = "X-Evil: a" + pickOf(random, "\u0000", "\u0001", "\b", "\u007f", "\u000b") + "b\r\n";
            }
            case 5 -> {
                variant = "non-ascii";
                extra = "X-Name: \u00e9\u00ff\r\n";
            }
            case 6 -> {
                variant = "obs-fold";
                extra = "X-Folded: a\r\n b\r\n";
            }
            case 7 -> {
                variant = "no-colon";
                extra = "NoColonHere\r\n";
            }
            case 8 -> {
                variant = "bare-lf";
                extra = "X-A: 1\nX-B: 2\r\n";
            }
            case 9 -> {
                variant = "forwarded-spoof";
                extra = "X-Forwarded-For: " + pickOf(random, "127.0.0.1", "1.2.3.4, 10.0.0.1", "::1", "garbage",
                        "'; DROP TABLE ledger_entries; --", "999.999.999.999", "") + "\r\nX-Real-IP: 10.0.0.1\r\n"
                        + "Forwarded: for=1.2.3.4\r\n";
                own = false;
            }
            case 10 -> {
                variant = "tenant-headers";
                extra = "X-Tenant-Id: other\r\nX-Api-Key-Id: kaaaaaaaaaaaaaaa\r\nX-Admin-Key: " + "0".repeat(64) + "\r\n";
                own = false;
            }
            default -> {
                variant = "space-before-colon";
                extra = "Content-Type : text/plain\r\n";
            }
        }
        String head = "POST /v1/usage HTTP/1.1\r\nHost: " + target.hostPort() + "\r\n" + auth + json + extra
                + "Content-Length: " + body.length + "\r\n\r\n";
        return raw(index, Kind.HEADER_ABUSE, variant, concat(utf8(head), body), own, false);
    }

    private Request contentType(long index, SplittableRandom random) {
        String type = pickOf(random, null, "", "text/plain", "application/jsonx", "application/json-seq",
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "*/*",
                "application/json; charset=utf-16", "application/json;;;", "application", "json",
                "application/problem+json", "APPLICATION/JSON; q=0.1, text/html", "\"application/json\"");
        byte[] body = "application/json; charset=utf-16".equals(type)
                ? event(random).getBytes(StandardCharsets.UTF_16) : utf8(event(random));
        String head = "POST /v1/usage HTTP/1.1\r\nHost: " + target.hostPort() + "\r\nAuthorization: Bearer "
                + target.token() + "\r\n" + (type == null ? "" : "Content-Type: " + type + "\r\n")
                + "Content-Length: " + body.length + "\r\n\r\n";
        return raw(index, Kind.CONTENT_TYPE, String.valueOf(type), concat(utf8(head), body), false, false);
    }

    private Request contentLength(long index, SplittableRandom random) {
        byte[] body = utf8(event(random));
        String head = head("POST", "/v1/usage", true);
        return switch (random.nextInt(8)) {
            case 0 -> raw(index, Kind.CONTENT_LENGTH, "negative",
                    concat(utf8(head + "Content-Length: -" + body.length + "\r\n\r\n"), body), true, false);
            case 1 -> raw(index, Kind.CONTENT_LENGTH, "not-a-number",
                    concat(utf8(head + "Content-Length: " + pickOf(random, "abc", "1e3", "0x10", "", " ", "1 2",
                            "99999999999999999999999") + "\r\n\r\n"), body), true, false);
            case 2 -> raw(index, Kind.CONTENT_LENGTH, "longer-than-body",
                    concat(utf8(head + "Content-Length: " + (body.length + 1 + random.nextInt(1000)) + "\r\n\r\n"), body),
                    true, true);
            case 3 -> raw(index, Kind.CONTENT_LENGTH, "shorter-than-body",
                    concat(utf8(head + "Content-Length: " + random.nextInt(body.length) + "\r\n\r\n"), body), true, false);
            case 4 -> raw(index, Kind.CONTENT_LENGTH, "length-and-chunked",
                    utf8(head + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.UTF_8)
                            + "\r\n0\r\n\r\n"), true, false);
            case 5 -> raw(index, Kind.CONTENT_LENGTH, "bad-chunk-size",
                    utf8(head + "Transfer-Encoding: chunked\r\n\r\n" + pickOf(random, "zz", "-1", "ffffffffffffffffffff",
                            "1;" + "x".repeat(10_000), "") + "\r\n" + new String(body, StandardCharsets.UTF_8) + "\r\n0\r\n\r\n"),
                    true, false);
            case 6 -> raw(index, Kind.CONTENT_LENGTH, "unknown-transfer-encoding",
                    concat(utf8(head + "Transfer-Encoding: " + pickOf(random, "gzip", "identity", "chunked, gzip",
                            "x") + "\r\nContent-Length: " + body.length + "\r\n\r\n"), body), true, false);
            default -> raw(index, Kind.CONTENT_LENGTH, "gzip-encoded-body",
                    concat(utf8(head + "Content-Encoding: gzip\r\nContent-Length: " + GZIP_BOMB.length + "\r\n\r\n"),
                            GZIP_BOMB), false, false);
        };
    }

    /** 64 MiB of zeros, gzipped (~65 KB): refused as not JSON, and never inflated. */
    private static final byte[] GZIP_BOMB = gzipZeros(64 * MIB);

    private Request partial(long index, SplittableRandom random) {
        byte[] body = utf8(event(random));
        byte[] whole = concat(utf8(head("POST", "/v1/usage", true) + "Content-Length: " + body.length + "\r\n\r\n"),
                body);
        int cut = 1 + random.nextInt(whole.length - 1);
        return raw(index, Kind.PARTIAL, cut < whole.length - body.length ? "in-head" : "in-body",
                java.util.Arrays.copyOf(whole, cut), true, true);
    }

    private Request requestLine(long index, SplittableRandom random) {
        byte[] body = utf8(event(random));
        String line = pickOf(random, "GET /v1/usage HTTP/1.1", "PUT /v1/usage HTTP/1.1", "DELETE /v1/usage HTTP/1.1",
                "TRACE /v1/usage HTTP/1.1", "OPTIONS * HTTP/1.1", "CONNECT 127.0.0.1:22 HTTP/1.1",
                "POST /v1/usage/../admin/tenants HTTP/1.1", "POST /v1/%2e%2e/admin/tenants HTTP/1.1",
                "POST //v1/usage HTTP/1.1", "POST /v1/usage;jsessionid=x HTTP/1.1", "POST /v1/usage%00 HTTP/1.1",
                "POST /v1/usage?tenant_id=other&key_id=x HTTP/1.1", "POST /V1/USAGE HTTP/1.1",
                "POST /v1/usage/ HTTP/1.1", "POST /" + "a".repeat(9000 + random.nextInt(20_000)) + " HTTP/1.1",
                "POST /v1/usage HTTP/1.0", "POST /v1/usage", "POST  /v1/usage  HTTP/1.1", "P\u00d6ST /v1/usage HTTP/1.1",
                "post /v1/usage HTTP/1.1", "POST http://evil.example/v1/usage HTTP/1.1", "POST /v1/usage HTTP/1.1 x",
                "BREW /v1/usage HTTP/1.1", "POST /v1/usage?%zz HTTP/1.1", "POST /v1/usage#frag HTTP/1.1",
                "POST /admin/tenants HTTP/1.1", "GET /admin/tenants/../../etc/passwd HTTP/1.1");
        String head = line + "\r\nHost: " + target.hostPort() + "\r\nAuthorization: Bearer " + target.token()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        return raw(index, Kind.REQUEST_LINE, line.length() > 80 ? line.substring(0, 40) + "…" : line,
                concat(utf8(head), body), true, false);
    }

    private Request invalidFields(long index, SplittableRandom random) {
        String event = event(random);
        String[] change = switch (random.nextInt(16)) {
            case 0 -> new String[] {"event_id", "\"" + pickOf(random, "", "a b", "x".repeat(129), "é", "a/b", "a\\u0000",
                    "'; DROP TABLE ledger_entries; --") + "\""};
            case 1 -> new String[] {"occurred_at", "\"" + pickOf(random, target.now().plusSeconds(3600).toString(),
                    target.now().minusSeconds(36L * 86400).toString(), "yesterday", "2025-13-45T25:61:61Z",
                    "2025-06-15", "2025-06-15T12:00:00", "+999999999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
                    "2025-06-15T12:00:00.0000000001Z", "1718450000") + "\""};
            case 2 -> new String[] {"provider", "\"" + pickOf(random, "OpenAI", "", "open ai", "x".repeat(33),
                    "openai'--", "openai\\n") + "\""};
            case 3 -> new String[] {"model", "\"" + pickOf(random, "", "m".repeat(129), "a\\u0007b", "line\\nbreak",
                    "\\u2028", "gpt-4o\\u0000") + "\""};
            case 4 -> new String[] {"end_user", "\"" + pickOf(random, "", "u".repeat(257)) + "\""};
            case 5 -> {
                StringBuilder metadata = new StringBuilder("{");
                for (int i = 0; i < 17; i++) {
                    metadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
                }
                yield new String[] {"metadata", metadata.append("}").toString()};
            }
            case 6 -> new String[] {"metadata", "{\"" + "k".repeat(65) + "\":\"v\"}"};
            case 7 -> new String[] {"metadata", "{\"k\":\"" + "v".repeat(257) + "\"}"};
            case 8 -> new String[] {"metadata", "{\"k\":\"a\",\"k\":\"b\"}"};
            case 9 -> new String[] {"tenant_id", "\"other-tenant\""};
            case 10 -> new String[] {"api_key_id", "\"kaaaaaaaaaaaaaaa\""};
            case 11 -> new String[] {"received_at", "\"2020-01-01T00:00:00Z\""};
            case 12 -> new String[] {"input_tokens", null};
            case 13 -> new String[] {"event_id", null};
            case 14 -> new String[] {"cost_usd", "\"0\""};
            default -> new String[] {"event_id", "\"dup\",\"event_id\":\"dup2\""};
        };
        String body = change[1] == null ? removeField(event, change[0]) : replaceField(event, change[0], change[1]);
        if (random.nextInt(4) == 0) {
            body = "{\"events\":[" + event(random) + "," + body + "]}";
        }
        return post(index, Kind.INVALID_FIELDS, change[0], utf8(body));
    }

    private Request auth(long index, SplittableRandom random) {
        String authorization = pickOf(random, null, "", "Bearer", "Bearer ", "Bearer bg_", "Basic dXNlcjpwYXNz",
                "bearer " + target.token(), "Bearer " + target.token() + "x", "Bearer bg_" + randomToken(random),
                "Bearer " + target.token().substring(0, target.token().indexOf('.') + 1) + randomToken(random),
                "Bearer " + "a".repeat(4096), "Bearer bg_' OR '1'='1.x", "Bearer bg_../../x.y", "Bearer \u00e9\u00e9",
                "Bearer " + target.token() + " " + target.token(), "Token " + target.token());
        byte[] body = utf8(event(random));
        String head = "POST /v1/usage HTTP/1.1\r\nHost: " + target.hostPort() + "\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        String variant = authorization == null ? "none" : authorization.length() > 30
                ? authorization.substring(0, 12).replace(target.token(), "<key>") + "…" : authorization;
        return raw(index, Kind.AUTH, variant.replace(target.token(), "<key>"), concat(utf8(head), body), false, false);
    }

    private Request valid(long index, SplittableRandom random) {
        if (random.nextBoolean()) {
            return post(index, Kind.VALID, "single", utf8(event(random)));
        }
        StringBuilder batch = new StringBuilder("{\"events\":[");
        for (int i = 0, n = 2 + random.nextInt(20); i < n; i++) {
            batch.append(i == 0 ? "" : ",").append(event(random));
        }
        return post(index, Kind.VALID, "batch", utf8(batch.append("]}").toString()));
    }

    // ---- helpers

    private Request post(long index, Kind kind, String variant, byte[] body) {
        byte[] head = utf8(head("POST", "/v1/usage", true) + "Content-Length: " + body.length + "\r\n\r\n");
        return raw(index, kind, variant, concat(head, body), false, false);
    }

    private static Request raw(long index, Kind kind, String variant, byte[] bytes, boolean own, boolean incomplete) {
        return new Request(index, kind, variant, bytes, own, incomplete);
    }

    private String head(String method, String path, boolean json) {
        return method + " " + path + " HTTP/1.1\r\nHost: " + target.hostPort() + "\r\nAuthorization: Bearer "
                + target.token() + "\r\n" + (json ? "Content-Type: application/json\r\n" : "");
    }

    private static byte[] chunked(String head, byte[] body, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 1024);
        out.writeBytes(utf8(head + "Transfer-Encoding: chunked\r\n\r\n"));
        for (int i = 0; i < body.length; i += chunk) {
            int n = Math.min(chunk, body.length - i);
            out.writeBytes(utf8(Integer.toHexString(n) + "\r\n"));
            out.write(body, i, n);
            out.writeBytes(utf8("\r\n"));
        }
        out.writeBytes(utf8("0\r\n\r\n"));
        return out.toByteArray();
    }

    /** {@code event} with {@code field}'s value replaced by the JSON text {@code value} (added when absent). */
    static String replaceField(String event, String field, String value) {
        String key = "\"" + field + "\":";
        int at = event.indexOf(key);
        if (at < 0) {
            return event.substring(0, event.length() - 1) + "," + key + value + "}";
        }
        int start = at + key.length();
        int end = valueEnd(event, start);
        return event.substring(0, start) + value + event.substring(end);
    }

    static String removeField(String event, String field) {
        String key = "\"" + field + "\":";
        int at = event.indexOf(key);
        if (at < 0) {
            return event;
        }
        int end = valueEnd(event, at + key.length());
        if (event.charAt(end) == ',') {
            end++;
        } else if (event.charAt(at - 1) == ',') {
            at--;
        }
        return event.substring(0, at) + event.substring(end);
    }

    /** Where the JSON value starting at {@code start} ends (the events built here hold no nested quotes). */
    private static int valueEnd(String json, int start) {
        char first = json.charAt(start);
        if (first == '"') {
            return json.indexOf('"', start + 1) + 1;
        }
        if (first == '{') {
            return json.indexOf('}', start) + 1;
        }
        int i = start;
        while (i < json.length() && json.charAt(i) != ',' && json.charAt(i) != '}') {
            i++;
        }
        return i;
    }

    private static String randomToken(SplittableRandom random) {
        StringBuilder token = new StringBuilder();
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 16; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        token.append('.');
        for (int i = 0; i < 32; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return token.toString();
    }

    @SafeVarargs
    private static <T> T pickOf(SplittableRandom random, T... options) {
        return options[random.nextInt(options.length)];
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String hex(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private static byte[] gzipZeros(int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(out)) {
            byte[] zeros = new byte[64 * 1024];
            for (int i = 0; i < size; i += zeros.length) {
                gzip.write(zeros);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
