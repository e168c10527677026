package io.budgetguard.common.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TEST DOUBLE of the HashiCorp Vault HTTP API — test scope only, never a substitute for Vault in any deployment.
 *
 * <p>A loopback HTTP server ({@code 127.0.0.1}, a free port) that implements exactly the endpoints BudgetGuard uses,
 * with real cryptography (JDK Ed25519, AES-256-GCM with Vault's {@code nonce ‖ ciphertext ‖ tag} layout, HmacSHA256)
 * and Vault's wire formats: {@code vault:v<n>:<base64>} values, {@code {"errors":[…]}} bodies on 4xx,
 * {@code X-Vault-Token} checks ({@code 403 permission denied} for unknown, expired or revoked tokens).
 *
 * <ul>
 *   <li>{@code POST auth/approle/login}, {@code POST auth/token/renew-self}, {@code GET auth/token/lookup-self},
 *       {@code POST auth/token/revoke-self} — AppRole tokens get the TTL given to {@link #addAppRole(Duration)},
 *       so tests can watch renewal happen.
 *   <li>Transit at {@code transit/}: {@code keys/:name} (POST create, GET read, DELETE), {@code keys/:name/config},
 *       {@code keys/:name/rotate}, {@code sign/:name}, {@code verify/:name}, {@code hmac/:name},
 *       {@code datakey/(plaintext|wrapped)/:name}, {@code decrypt/:name}.
 *   <li>KV version 2 at {@code secret/}: {@code GET} and {@code POST secret/data/:path}.
 * </ul>
 *
 * Test hooks: {@link #revokeIssuedTokens()}, {@link #deny(String)}, {@link #loginCount()}, {@link #renewCount()},
 * {@link #lastNamespace()}, {@link #issuedTokens()}.
 */
public final class VaultTestDouble implements AutoCloseable {

    /** AppRole credentials issued by {@link #addAppRole(Duration)}. */
    public record AppRole(String roleId, String secretId) {}

    private record Token(String id, Duration ttl, Instant expiresAt, boolean renewable) {
        boolean expired(Instant now) {
            return expiresAt != null && !now.isBefore(expiresAt);
        }
    }

    private record AppRoleEntry(String secretId, Duration ttl) {}

    private record KeyVersion(KeyPair signing, byte[] aes, byte[] hmac, long created) {}

    private static final class TransitKey {
        final String type;
        final TreeMap<Integer, KeyVersion> versions = new TreeMap<>();
        boolean deletionAllowed;

        TransitKey(String type) {
            this.type = type;
        }
    }

    static {
        // the JDK server writes headers and body separately; without TCP_NODELAY each reply waits ~40 ms for a
        // delayed ACK (read once, when the JDK server classes initialise)
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERSIONED = Pattern.compile("vault:v([0-9]+):([A-Za-z0-9+/=]*)");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String rootToken = "hvs.root-" + UUID.randomUUID();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Token> tokens = new HashMap<>();
    private final Map<String, AppRoleEntry> appRoles = new HashMap<>();
    private final Map<String, TransitKey> keys = new HashMap<>();
    private final Map<String, List<Map<String, Object>>> secrets = new HashMap<>();
    private final List<String> deniedPrefixes = new ArrayList<>();
    private final List<String> issued = new ArrayList<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger renewals = new AtomicInteger();
    private volatile String lastNamespace;

    private VaultTestDouble() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "vault-test-double");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/v1/", this::handle);
        tokens.put(rootToken, new Token(rootToken, Duration.ZERO, null, false));
    }

    /** Starts a double on a free loopback port. */
    public static VaultTestDouble start() {
        try {
            VaultTestDouble vault = new VaultTestDouble();
            vault.server.start();
            return vault;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Vault test double", e);
        }
    }

    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A token that never expires and is allowed everything, like {@code vault server -dev}'s root token. */
    public String rootToken() {
        return rootToken;
    }

    /** A new AppRole whose logins yield renewable tokens living {@code tokenTtl} (whole seconds). */
    public synchronized AppRole addAppRole(Duration tokenTtl) {
        AppRole role = new AppRole(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        appRoles.put(role.roleId(), new AppRoleEntry(role.secretId(), tokenTtl));
        return role;
    }

    /** Creates a Transit key ({@code ed25519} or {@code aes256-gcm96}) unless it exists. */
    public synchronized void createKey(String name, String type) {
        keys.computeIfAbsent(name, n -> newKey(type));
    }

    public synchronized boolean hasKey(String name) {
        return keys.containsKey(name);
    }

    /** Adds a version to a key; returns the new version. */
    public synchronized int rotateKey(String name) {
        TransitKey key = keys.get(name);
        if (key == null) {
            throw new IllegalArgumentException("no key " + name);
        }
        int next = key.versions.lastKey() + 1;
        key.versions.put(next, newVersion(key.type));
        return next;
    }

    /** Writes a new version of a KV v2 secret. */
    public synchronized void putSecret(String path, Map<String, ?> values) {
        secrets.computeIfAbsent(path, p -> new ArrayList<>()).add(new TreeMap<>(values));
    }

    /** Revokes every token but the root token, as {@code vault token revoke} would. */
    public synchronized void revokeIssuedTokens() {
        tokens.keySet().removeIf(id -> !id.equals(rootToken));
    }

    /** Makes every request of a non-root token to a path starting with {@code pathPrefix} fail with 403. */
    public synchronized void deny(String pathPrefix) {
        deniedPrefixes.add(pathPrefix);
    }

    public synchronized void allowAll() {
        deniedPrefixes.clear();
    }

    public int loginCount() {
        return logins.get();
    }

    public int renewCount() {
        return renewals.get();
    }

    /** Every token ever issued by an AppRole login (to check that none leaks into messages or logs). */
    public synchronized List<String> issuedTokens() {
        return List.copyOf(issued);
    }

    public synchronized int liveTokenCount() {
        Instant now = Instant.now();
        return (int) tokens.values().stream().filter(t -> !t.id().equals(rootToken) && !t.expired(now)).count();
    }

    /** The {@code X-Vault-Namespace} header of the latest request, null when absent. */
    public String lastNamespace() {
        return lastNamespace;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- HTTP

    private record Reply(int status, Object body) {}

    private void handle(HttpExchange exchange) throws IOException {
        Reply reply;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] raw = in.readAllBytes();
            JsonNode body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            lastNamespace = exchange.getRequestHeaders().getFirst("X-Vault-Namespace");
            String path = exchange.getRequestURI().getPath().substring("/v1/".length());
            String method = exchange.getRequestMethod();
            String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
            synchronized (this) {
                reply = route(method, path, token, body);
            }
        } catch (IOException | RuntimeException e) {
            reply = error(400, "failed to parse request: " + e.getClass().getSimpleName());
        }
        byte[] bytes = reply.body() == null ? new byte[0] : JSON.writeValueAsBytes(reply.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private Reply route(String method, String path, String tokenId, JsonNode body) {
        if (method.equals("POST") && path.equals("auth/approle/login")) {
            return login(body);
        }
        Instant now = Instant.now();
        Token token = tokenId == null ? null : tokens.get(tokenId);
        if (token == null || token.expired(now)) {
            return error(403, "permission denied");
        }
        if (!token.id().equals(rootToken) && deniedPrefixes.stream().anyMatch(path::startsWith)) {
            return error(403, "permission denied");
        }
        if (path.startsWith("auth/token/")) {
            return tokenSelf(method, path.substring("auth/token/".length()), token, now);
        }
        if (path.startsWith("transit/")) {
            return transit(method, path.substring("transit/".length()), body);
        }
        if (path.startsWith("secret/data/")) {
            return kv(method, path.substring("secret/data/".length()), body);
        }
        return error(404, "no handler for route \"" + path + "\". route entry not found.");
    }

    private Reply login(JsonNode body) {
        AppRoleEntry role = appRoles.get(body.path("role_id").asText());
        if (role == null || !role.secretId().equals(body.path("secret_id").asText())) {
            return error(400, "invalid role or secret ID");
        }
        String id = "hvs.approle-" + UUID.randomUUID();
        tokens.put(id, new Token(id, role.ttl(), Instant.now().plus(role.ttl()), true));
        issued.add(id);
        logins.incrementAndGet();
        ObjectNode auth = JSON.createObjectNode()
                .put("client_token", id)
                .put("accessor", UUID.randomUUID().toString())
                .put("lease_duration", role.ttl().toSeconds())
                .put("renewable", true);
        auth.putArray("policies").add("default").add("budgetguard");
        ObjectNode reply = JSON.createObjectNode().put("lease_duration", 0).put("renewable", false);
        reply.set("auth", auth);
        return new Reply(200, reply);
    }

    private Reply tokenSelf(String method, String operation, Token token, Instant now) {
        switch (method + " " + operation) {
            case "POST renew-self" -> {
                if (!token.renewable()) {
                    return error(400, "lease is not renewable");
                }
                tokens.put(token.id(), new Token(token.id(), token.ttl(), now.plus(token.ttl()), true));
                renewals.incrementAndGet();
                ObjectNode auth = JSON.createObjectNode()
                        .put("client_token", token.id())
                        .put("lease_duration", token.ttl().toSeconds())
                        .put("renewable", true);
                ObjectNode reply = JSON.createObjectNode();
                reply.set("auth", auth);
                return new Reply(200, reply);
            }
            case "GET lookup-self" -> {
                long ttl = token.expiresAt() == null ? 0 : Duration.between(now, token.expiresAt()).toSeconds();
                ObjectNode data = JSON.createObjectNode()
                        .put("id", token.id())
                        .put("ttl", ttl)
                        .put("renewable", token.renewable());
                return ok(data);
            }
            case "POST revoke-self" -> {
                tokens.remove(token.id());
                return new Reply(204, null);
            }
            default -> {
                return error(404, "no handler for route \"auth/token/" + operation + "\". route entry not found.");
            }
        }
    }

    // ---------------------------------------------------------------- Transit

    private Reply transit(String method, String rest, JsonNode body) {
        String[] parts = rest.split("/");
        try {
            if (parts[0].equals("keys") && parts.length == 2) {
                return switch (method) {
                    case "POST" -> createKey(parts[1], body);
                    case "GET" -> readKey(parts[1]);
                    case "DELETE" -> deleteKey(parts[1]);
                    default -> error(405, "unsupported operation");
                };
            }
            if (parts[0].equals("keys") && parts.length == 3 && method.equals("POST")) {
                TransitKey key = keys.get(parts[1]);
                if (key == null) {
                    return error(400, "no existing key named " + parts[1] + " could be found");
                }
                if (parts[2].equals("config")) {
                    if (body.has("deletion_allowed")) {
                        key.deletionAllowed = body.path("deletion_allowed").asBoolean();
                    }
                    return new Reply(204, null);
                }
                if (parts[2].equals("rotate")) {
                    key.versions.put(key.versions.lastKey() + 1, newVersion(key.type));
                    return new Reply(204, null);
                }
            }
            if (method.equals("POST") && parts.length == 2) {
                switch (parts[0]) {
                    case "sign" -> {
                        return sign(parts[1], body);
                    }
                    case "verify" -> {
                        return verify(parts[1], body);
                    }
                    case "hmac" -> {
                        return hmac(parts[1], body);
                    }
                    case "decrypt" -> {
                        return decrypt(parts[1], body);
                    }
                    default -> { }
                }
            }
            if (method.equals("POST") && parts.length == 3 && parts[0].equals("datakey")) {
                return datakey(parts[1], parts[2]);
            }
            return error(404, "no handler for route \"transit/" + rest + "\". route entry not found.");
        } catch (GeneralSecurityException e) {
            return error(500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private Reply createKey(String name, JsonNode body) {
        String type = body.path("type").asText("aes256-gcm96");
        if (!type.equals("aes256-gcm96") && !type.equals("ed25519")) {
            return error(400, "unknown key type " + type);
        }
        keys.computeIfAbsent(name, n -> newKey(type));
        return new Reply(204, null);
    }

    private Reply readKey(String name) {
        TransitKey key = keys.get(name);
        if (key == null) {
            return new Reply(404, JSON.createObjectNode().set("errors", JSON.createArrayNode()));
        }
        ObjectNode data = JSON.createObjectNode()
                .put("name", name)
                .put("type", key.type)
                .put("deletion_allowed", key.deletionAllowed)
                .put("latest_version", key.versions.lastKey())
                .put("min_decryption_version", 1)
                .put("min_encryption_version", 0)
                .put("supports_signing", key.type.equals("ed25519"))
                .put("supports_encryption", key.type.equals("aes256-gcm96"));
        ObjectNode versions = data.putObject("keys");
        key.versions.forEach((version, material) -> {
            if (key.type.equals("ed25519")) {
                versions.putObject(String.valueOf(version))
                        .put("name", "ed25519")
                        .put("public_key", b64(rawPublicKey(material)))
                        .put("creation_time", Instant.ofEpochSecond(material.created()).toString());
            } else {
                versions.put(String.valueOf(version), material.created());
            }
        });
        return ok(data);
    }

    private Reply deleteKey(String name) {
        TransitKey key = keys.get(name);
        if (key == null) {
            return error(400, "error deleting policy " + name + ": could not delete key; not found");
        }
        if (!key.deletionAllowed) {
            return error(400, "error deleting policy " + name + ": deletion is not allowed for this key");
        }
        keys.remove(name);
        return new Reply(204, null);
    }

    private Reply sign(String name, JsonNode body) throws GeneralSecurityException {
        TransitKey key = keys.get(name);
        if (key == null) {
            return error(400, "encryption key not found");
        }
        if (!key.type.equals("ed25519")) {
            return error(400, "key type " + key.type + " does not support signing");
        }
        byte[] input = decodeInput(body.path("input").asText(""));
        if (input == null) {
            return error(400, "unable to decode input as base64");
        }
        int version = key.versions.lastKey();
        java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
        signer.initSign(key.versions.get(version).signing().getPrivate());
        signer.update(input);
        return ok(JSON.createObjectNode()
                .put("signature", "vault:v" + version + ":" + b64(signer.sign()))
                .put("key_version", version));
    }

    private Reply verify(String name, JsonNode body) throws GeneralSecurityException {
        TransitKey key = keys.get(name);
        if (key == null) {
            return error(400, "encryption key not found");
        }
        if (!key.type.equals("ed25519")) {
            return error(400, "key type " + key.type + " does not support verification");
        }
        byte[] input = decodeInput(body.path("input").asText(""));
        if (input == null) {
            return error(400, "unable to decode input as base64");
        }
        Matcher m = VERSIONED.matcher(body.path("signature").asText(""));
        if (!m.matches()) {
            return error(400, "invalid signature");
        }
        KeyVersion material = key.versions.get(Integer.parseInt(m.group(1)));
        if (material == null) {
            return error(400, "invalid key version");
        }
        byte[] signature = decodeInput(m.group(2));
        boolean valid = false;
        if (signature != null && signature.length == 64) {
            java.security.Signature verifier = java.security.Signature.getInstance("Ed25519");
            verifier.initVerify(material.signing().getPublic());
            verifier.update(input);
            valid = verifier.verify(signature);
        }
        return ok(JSON.createObjectNode().put("valid", valid));
    }

    private Reply hmac(String name, JsonNode body) throws GeneralSecurityException {
        TransitKey key = keys.get(name);
        if (key == null) {
            return error(400, "encryption key not found");
        }
        byte[] input = decodeInput(body.path("input").asText(""));
        if (input == null) {
            return error(400, "unable to decode input as base64");
        }
        int version = key.versions.lastKey();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.versions.get(version).hmac(), "HmacSHA256"));
        return ok(JSON.createObjectNode().put("hmac", "vault:v" + version + ":" + b64(mac.doFinal(input))));
    }

    private Reply datakey(String kind, String name) throws GeneralSecurityException {
        if (!kind.equals("plaintext") && !kind.equals("wrapped")) {
            return error(400, "Invalid path, must be 'plaintext' or 'wrapped'");
        }
        TransitKey key = keys.get(name);
        if (key == null) {
            return error(400, "encryption key not found");
        }
        if (!key.type.equals("aes256-gcm96")) {
            return error(400, "key type " + key.type + " does not support encryption");
        }
        byte[] dataKey = new byte[32];
        random.nextBytes(dataKey);
        int version = key.versions.lastKey();
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.versions.get(version).aes(), "AES"),
                new GCMParameterSpec(128, nonce));
        byte[] sealed = cipher.doFinal(dataKey);
        byte[] ciphertext = ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array();
        ObjectNode data = JSON.createObjectNode()
                .put("ciphertext", "vault:v" + version + ":" + b64(ciphertext))
                .put("key_version", version);
        if (kind.equals("plaintext")) {
            data.put("plaintext", b64(dataKey));
        }
        return ok(data);
    }

    private Reply decrypt(String name, JsonNode body) throws GeneralSecurityException {
        TransitKey key = keys.get(name);
        if (key == null) {
            return error(400, "encryption key not found");
        }
        Matcher m = VERSIONED.matcher(body.path("ciphertext").asText(""));
        if (!m.matches()) {
            return error(400, "invalid ciphertext: no prefix");
        }
        KeyVersion material = key.versions.get(Integer.parseInt(m.group(1)));
        if (material == null) {
            return error(400, "invalid ciphertext: no such key version");
        }
        byte[] bytes = decodeInput(m.group(2));
        if (bytes == null || bytes.length < 12 + 16) {
            return error(400, "invalid ciphertext: could not decode");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(material.aes(), "AES"),
                new GCMParameterSpec(128, bytes, 0, 12));
        try {
            byte[] plaintext = cipher.doFinal(bytes, 12, bytes.length - 12);
            return ok(JSON.createObjectNode().put("plaintext", b64(plaintext)));
        } catch (AEADBadTagException e) {
            return error(400, "cipher: message authentication failed");
        }
    }

    // ---------------------------------------------------------------- KV v2

    private Reply kv(String method, String path, JsonNode body) {
        if (method.equals("GET")) {
            List<Map<String, Object>> versions = secrets.get(path);
            if (versions == null) {
                return new Reply(404, JSON.createObjectNode().set("errors", JSON.createArrayNode()));
            }
            ObjectNode data = JSON.createObjectNode();
            data.set("data", JSON.valueToTree(versions.get(versions.size() - 1)));
            data.putObject("metadata").put("version", versions.size()).put("destroyed", false);
            return ok(data);
        }
        if (method.equals("POST") || method.equals("PUT")) {
            Map<String, Object> values = JSON.convertValue(body.path("data"), Map.class);
            if (values == null) {
                return error(400, "no data provided");
            }
            secrets.computeIfAbsent(path, p -> new ArrayList<>()).add(values);
            return ok(JSON.createObjectNode().put("version", secrets.get(path).size()));
        }
        return error(405, "unsupported operation");
    }

    // ---------------------------------------------------------------- helpers

    private TransitKey newKey(String type) {
        TransitKey key = new TransitKey(type);
        key.versions.put(1, newVersion(type));
        return key;
    }

    private KeyVersion newVersion(String type) {
        byte[] hmac = new byte[32];
        random.nextBytes(hmac);
        long now = Instant.now().getEpochSecond();
        if (type.equals("ed25519")) {
            try {
                return new KeyVersion(KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), null, hmac, now);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        byte[] aes = new byte[32];
        random.nextBytes(aes);
        return new KeyVersion(null, aes, hmac, now);
    }

    private static byte[] rawPublicKey(KeyVersion material) {
        byte[] encoded = material.signing().getPublic().getEncoded();
        return Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    }

    private static byte[] decodeInput(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static Reply ok(ObjectNode data) {
        ObjectNode reply = JSON.createObjectNode()
                .put("request_id", UUID.randomUUID().toString())
                .put("lease_id", "")
                .put("renewable", false)
                .put("lease_duration", 0);
        reply.set("data", data);
        return new Reply(200, reply);
    }

    private static Reply error(int status, String message) {
        ObjectNode reply = JSON.createObjectNode();
        reply.putArray("errors").add(message);
        return new Reply(status, reply);
    }

    @Override
    public String toString() {
        return "VaultTestDouble[" + address() + "]";
    }
}
