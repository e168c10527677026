package io.budgetguard.common.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Test fixture: what an operator does with the {@code vault} CLI (create, rotate and delete Transit keys, write KV
 * secrets), as plain HTTP with an all-powerful token, so the same fixtures serve the test double and a real
 * {@code vault server -dev}.
 */
public final class VaultAdmin {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String address;
    private final String token;
    private final String transitMount;
    private final String kvMount;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public VaultAdmin(String address, String token, String transitMount, String kvMount) {
        this.address = address.endsWith("/") ? address.substring(0, address.length() - 1) : address;
        this.token = token;
        this.transitMount = transitMount;
        this.kvMount = kvMount;
    }

    public VaultAdmin(String address, String token) {
        this(address, token, "transit", "secret");
    }

    public void createKey(String name, String type) {
        send("POST", transitMount + "/keys/" + name, Map.of("type", type));
    }

    public void rotateKey(String name) {
        send("POST", transitMount + "/keys/" + name + "/rotate", Map.of());
    }

    /** Deletes a key if it exists (test clean-up). */
    public void deleteKeyIfExists(String name) {
        int status = sendForStatus("POST", transitMount + "/keys/" + name + "/config", Map.of("deletion_allowed", true));
        if (status < 300) {
            send("DELETE", transitMount + "/keys/" + name, null);
        }
    }

    public void putSecret(String path, Map<String, String> values) {
        send("POST", kvMount + "/data/" + path, Map.of("data", values));
    }

    private void send(String method, String path, Object body) {
        int status = sendForStatus(method, path, body);
        if (status >= 300) {
            throw new IllegalStateException(method + " " + path + " answered HTTP " + status);
        }
    }

    private int sendForStatus(String method, String path, Object body) {
        try {
            HttpRequest.BodyPublisher publisher = body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
            HttpRequest request = HttpRequest.newBuilder(URI.create(address + "/v1/" + path))
                    .header("X-Vault-Token", token)
                    .header("Content-Type", "application/json")
                    .method(method, publisher)
                    .timeout(Duration.ofSeconds(10))
                    .build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
