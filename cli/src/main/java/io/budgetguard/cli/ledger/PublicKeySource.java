package io.budgetguard.cli.ledger;

import io.budgetguard.common.json.Json;
import io.budgetguard.common.keys.KeyService;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.keys.KeyServices;
import io.budgetguard.ledger.checkpoint.CheckpointSigner;
import io.budgetguard.ledger.checkpoint.PublicKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where {@code ledger verify} gets the checkpoint public keys: a URL serving {@code GET /v1/ledger/public-keys}, a
 * file holding the same JSON, or the key service configured in the environment (only when it is configured
 * explicitly: opening a local key service would otherwise create an empty one).
 */
final class PublicKeySource {

    /** Why the keys could not be had; the message is for the terminal and holds no secret. */
    static final class UnavailableException extends Exception {
        UnavailableException(String message) {
            super(message);
        }
    }

    private PublicKeySource() {}

    static Map<Integer, byte[]> fromUrl(String url) throws UnavailableException {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(10)).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new UnavailableException("GET " + url + " answered " + response.statusCode());
            }
            return parse(response.body(), url);
        } catch (IOException e) {
            throw new UnavailableException("cannot GET " + url + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while fetching " + url);
        } catch (IllegalArgumentException e) {
            throw new UnavailableException("invalid URL " + url + ": " + e.getMessage());
        }
    }

    static Map<Integer, byte[]> fromFile(Path file) throws UnavailableException {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UnavailableException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The keys from the configured key service; empty when none is configured. */
    static Optional<Map<Integer, byte[]>> fromKeyService(Map<String, String> environment) throws UnavailableException {
        boolean configured = environment.containsKey(KeyServices.KIND_VARIABLE)
                || environment.containsKey("VAULT_ADDR") || environment.containsKey(KeyServices.LOCAL_DIR_VARIABLE);
        if (!configured) {
            return Optional.empty();
        }
        try (KeyService keys = KeyServices.fromEnv(environment)) {
            return Optional.of(keys.publicKeys(CheckpointSigner.KEY_NAME));
        } catch (KeyServiceException | io.budgetguard.common.config.ConfigException e) {
            throw new UnavailableException("the key service cannot give the public keys of "
                    + CheckpointSigner.KEY_NAME + ": " + e.getMessage());
        }
    }

    private static Map<Integer, byte[]> parse(String body, String source) throws UnavailableException {
        try {
            return PublicKeys.parse(Json.MAPPER.readTree(body));
        } catch (IOException | IllegalArgumentException e) {
            throw new UnavailableException(source + " does not hold public keys: " + e.getMessage());
        }
    }
}
