package io.budgetguard.common.keys.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.keys.DataKey;
import io.budgetguard.common.keys.InvalidCiphertextException;
import io.budgetguard.common.keys.KeyNames;
import io.budgetguard.common.keys.KeyNotFoundException;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceAccessDeniedException;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.keys.KeyServiceRequestException;
import io.budgetguard.common.keys.KeyServiceUnavailableException;
import io.budgetguard.common.keys.Signature;
import io.budgetguard.common.keys.VersionedValue;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.api.Logical;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production key service: Vault Transit signs, verifies, HMACs and wraps data keys, so no private or wrapping key
 * ever leaves Vault; KV version 2 holds secrets. Talks to Vault through {@code io.github.jopenlibs:vault-java-driver}.
 *
 * <p>Signing and HMAC keys must exist (created by {@code infra/vault/setup.sh}); per-tenant data keys
 * ({@link KeyNames#tenantDataKey(String)}) are created on first use. A request refused with 403 is retried once after
 * a fresh AppRole login (the token may have been revoked); the token is otherwise renewed in the background.
 */
public final class VaultKeyService implements KeyService {

    private static final Logger LOG = LoggerFactory.getLogger(VaultKeyService.class);
    private static final int MAX_ERROR_LENGTH = 200;

    private final VaultKeyServiceConfig config;
    private final VaultSession session;
    private final String transit;
    private final String kv;

    private VaultKeyService(VaultKeyServiceConfig config, VaultSession session) {
        this.config = config;
        this.session = session;
        this.transit = config.transitMount();
        this.kv = config.kvMount();
    }

    /**
     * Authenticates to Vault and starts token renewal.
     *
     * @throws io.budgetguard.common.keys.KeyServiceAuthenticationException when the credentials are rejected
     * @throws KeyServiceUnavailableException when Vault cannot be reached
     */
    public static VaultKeyService connect(VaultKeyServiceConfig config) {
        VaultSession session = VaultSession.open(config);
        LOG.info("Vault key service ready: {}", config);
        return new VaultKeyService(config, session);
    }

    /** How many times this service logged in with AppRole (1 after start; more after lost or expiring tokens). */
    public long loginCount() {
        return session.logins();
    }

    /** How many times this service renewed its token. */
    public long renewalCount() {
        return session.renewals();
    }

    public VaultKeyServiceConfig config() {
        return config;
    }

    @Override
    public Signature sign(String keyName, byte[] message) {
        String path = transit + "/sign/" + KeyNames.requireValid(keyName);
        JsonNode data = succeed("sign with key '" + keyName + "'", keyName,
                transitWrite(path, Map.of("input", base64(message))));
        String signature = data.path("signature").asText("");
        try {
            return Signature.of(signature);
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException("Vault answered the signing request for key '" + keyName
                    + "' without a signature of the form vault:v<n>:<base64>");
        }
    }

    @Override
    public boolean verify(String keyName, byte[] message, String signature) {
        KeyNames.requireValid(keyName);
        try {
            VersionedValue.parse(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String operation = "verify with key '" + keyName + "'";
        Response response = transitWrite(transit + "/verify/" + keyName,
                Map.of("input", base64(message), "signature", signature));
        if (response.status() == 400 && !response.saysNotFound()) {
            return false; // Vault answers 400 for a signature it cannot parse or of a version it does not have
        }
        return succeed(operation, keyName, response).path("valid").asBoolean(false);
    }

    @Override
    public Map<Integer, byte[]> publicKeys(String keyName) {
        String path = transit + "/keys/" + KeyNames.requireValid(keyName);
        JsonNode data = succeed("read key '" + keyName + "'", keyName, transitRead(path));
        if (!"ed25519".equals(data.path("type").asText())) {
            throw new KeyServiceRequestException("key '" + keyName + "' is of type " + data.path("type").asText()
                    + ", not ed25519: it has no Ed25519 public keys", 400);
        }
        Map<Integer, byte[]> keys = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> versions = data.path("keys").fields();
        while (versions.hasNext()) {
            Map.Entry<String, JsonNode> version = versions.next();
            String publicKey = version.getValue().path("public_key").asText("");
            try {
                keys.put(Integer.parseInt(version.getKey()), Base64.getDecoder().decode(publicKey));
            } catch (IllegalArgumentException e) {
                throw new KeyServiceException("Vault listed version '" + version.getKey() + "' of key '" + keyName
                        + "' without a base64 public key");
            }
        }
        return Collections.unmodifiableMap(keys);
    }

    @Override
    public byte[] hmac(String keyName, byte[] data) {
        String path = transit + "/hmac/" + KeyNames.requireValid(keyName);
        JsonNode result = succeed("compute an HMAC with key '" + keyName + "'", keyName,
                transitWrite(path, Map.of("input", base64(data))));
        try {
            return VersionedValue.parse(result.path("hmac").asText("")).bytes();
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException("Vault answered the HMAC request for key '" + keyName
                    + "' without an HMAC of the form vault:v<n>:<base64>");
        }
    }

    @Override
    public DataKey newDataKey(String keyName) {
        String path = transit + "/datakey/plaintext/" + KeyNames.requireValid(keyName);
        String operation = "generate a data key with key '" + keyName + "'";
        Response response = transitWrite(path, Map.of());
        if (response.saysNotFound() && KeyNames.isTenantDataKey(keyName)) {
            createTenantKey(keyName);
            response = transitWrite(path, Map.of());
        }
        JsonNode data = succeed(operation, keyName, response);
        try {
            return new DataKey(Base64.getDecoder().decode(data.path("plaintext").asText("")),
                    data.path("ciphertext").asText(""));
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException("Vault answered the data key request for key '" + keyName
                    + "' with an unexpected plaintext or ciphertext");
        }
    }

    @Override
    public byte[] unwrapDataKey(String keyName, String wrapped) {
        KeyNames.requireValid(keyName);
        try {
            VersionedValue.parse(wrapped);
        } catch (IllegalArgumentException e) {
            throw new InvalidCiphertextException("cannot unwrap with key '" + keyName + "': " + e.getMessage());
        }
        String operation = "unwrap a data key with key '" + keyName + "'";
        Response response = transitWrite(transit + "/decrypt/" + keyName, Map.of("ciphertext", wrapped));
        if (response.status() == 400 && !response.saysNotFound()) {
            throw new InvalidCiphertextException("cannot unwrap with key '" + keyName + "': Vault says "
                    + response.errors());
        }
        JsonNode data = succeed(operation, keyName, response);
        try {
            return Base64.getDecoder().decode(data.path("plaintext").asText(""));
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException("Vault answered the unwrap request for key '" + keyName
                    + "' with a plaintext that is not base64");
        }
    }

    @Override
    public void deleteKey(String keyName) {
        String path = transit + "/keys/" + KeyNames.requireValid(keyName);
        Response allow = transitWrite(path + "/config", Map.of("deletion_allowed", true));
        if (allow.saysNotFound()) {
            return; // nothing to erase
        }
        succeed("allow deletion of key '" + keyName + "'", keyName, allow);
        Response deleted = execute(Api.TRANSIT, logical -> logical.delete(path));
        if (deleted.status() != 204 && deleted.status() != 200 && !deleted.saysNotFound()) {
            succeed("delete key '" + keyName + "'", keyName, deleted);
        }
        LOG.info("deleted Vault Transit key '{}'", keyName);
    }

    @Override
    public Optional<Map<String, String>> readSecret(String path) {
        String checked = requireSecretPath(path);
        Response response = execute(Api.KV, logical -> logical.read(kv + "/" + checked));
        if (response.status() == 404 && !response.saysNoEngine()) {
            return Optional.empty();
        }
        JsonNode data = succeed("read secret '" + checked + "'", null, response).path("data");
        if (!data.isObject()) {
            return Optional.empty(); // a deleted newest version
        }
        Map<String, String> values = new LinkedHashMap<>();
        data.fields().forEachRemaining(e -> {
            if (!e.getValue().isNull()) {
                values.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        });
        return Optional.of(Collections.unmodifiableMap(values));
    }

    @Override
    public void close() {
        session.close();
    }

    private void createTenantKey(String keyName) {
        // an existing key is left unchanged (Vault answers with a warning), so racing instances are harmless
        succeed("create tenant key '" + keyName + "'", keyName,
                transitWrite(transit + "/keys/" + keyName, Map.of("type", "aes256-gcm96")));
        LOG.info("created Vault Transit key '{}' on first use", keyName);
    }

    private enum Api { TRANSIT, KV }

    private interface Call {
        LogicalResponse call(Logical logical) throws VaultException;
    }

    /** Status and parsed body of one Vault answer (4xx included: the driver returns them as results). */
    private record Response(int status, JsonNode body) {
        List<String> errors() {
            List<String> errors = new ArrayList<>();
            body.path("errors").forEach(e -> {
                String text = e.asText();
                errors.add(text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH) + "…" : text);
            });
            return errors;
        }

        /** Vault's answer for a path no engine is mounted at: a configuration error, not a missing key. */
        boolean saysNoEngine() {
            return errors().stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).contains("no handler for route"));
        }

        boolean saysNotFound() {
            if (saysNoEngine()) {
                return false;
            }
            if (status == 404) {
                return true;
            }
            if (status != 400) {
                return false;
            }
            for (String error : errors()) {
                String lower = error.toLowerCase(Locale.ROOT);
                if (lower.contains("not found") || lower.contains("no existing key")) {
                    return true;
                }
            }
            return false;
        }
    }

    private Response transitWrite(String path, Map<String, Object> body) {
        return execute(Api.TRANSIT, logical -> logical.write(path, body));
    }

    private Response transitRead(String path) {
        return execute(Api.TRANSIT, logical -> logical.read(path));
    }

    /** One request; when the token was refused and we can log in, once more with a fresh token. */
    private Response execute(Api api, Call call) {
        VaultSession.Clients clients = session.clients();
        Response response = once(api, clients, call);
        if ((response.status() == 401 || response.status() == 403) && session.canLogIn()) {
            session.logInAgain(clients);
            response = once(api, session.clients(), call);
        }
        return response;
    }

    private Response once(Api api, VaultSession.Clients clients, Call call) {
        try {
            LogicalResponse response = call.call((api == Api.TRANSIT ? clients.transit() : clients.kv()).logical());
            return new Response(response.getRestResponse().getStatus(), parse(response.getRestResponse().getBody()));
        } catch (VaultException e) {
            if (e.getHttpStatusCode() >= 400 && e.getHttpStatusCode() < 500) {
                // the driver throws instead of returning for some calls (delete); the body stays behind, on purpose
                return new Response(e.getHttpStatusCode(), Json.MAPPER.createObjectNode());
            }
            throw VaultSession.unavailable("reach " + session.address(), e);
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Json.MAPPER.createObjectNode();
        }
        try {
            return Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    /** The {@code data} of a successful answer, or the exception that names what failed. */
    private JsonNode succeed(String operation, String keyName, Response response) {
        int status = response.status();
        if (status == 200 || status == 204) {
            return response.body().path("data");
        }
        if (response.saysNoEngine()) {
            throw new KeyServiceRequestException("Vault has no engine mounted where we asked to " + operation
                    + " (HTTP " + status + "); check VAULT_TRANSIT_MOUNT (" + transit + ") and VAULT_KV_MOUNT (" + kv
                    + ")", status);
        }
        if (keyName != null && response.saysNotFound()) {
            throw new KeyNotFoundException(keyName, operation);
        }
        String errors = response.errors().isEmpty() ? "" : ": " + String.join("; ", response.errors());
        if (status == 401 || status == 403) {
            throw new KeyServiceAccessDeniedException("Vault denied the request to " + operation + " (HTTP " + status
                    + errors + "); the token's policy must allow it, see infra/vault/budgetguard-policy.hcl", status);
        }
        if (status == 429 || status == 473 || status >= 500) {
            throw new KeyServiceUnavailableException("Vault could not " + operation + " now (HTTP " + status + errors
                    + ")");
        }
        throw new KeyServiceRequestException("Vault rejected the request to " + operation + " (HTTP " + status + errors
                + ")", status);
    }

    private static String requireSecretPath(String path) {
        if (path == null || path.isBlank() || path.startsWith("/") || path.contains("..") || path.endsWith("/")) {
            throw new IllegalArgumentException("secret path must be relative, like budgetguard/admin, was '" + path + "'");
        }
        return path;
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
