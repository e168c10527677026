package io.budgetguard.common.keys.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.keys.KeyServiceAuthenticationException;
import io.budgetguard.common.keys.KeyServiceException;
import io.budgetguard.common.keys.KeyServiceUnavailableException;
import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Vault token and the driver instances that use it. With AppRole credentials it logs in, renews the token at about
 * two thirds of its lease, and logs in again when renewal fails or the token was revoked; with a given token it only
 * renews (when the token is renewable). Driver instances are rebuilt for every new token, so a request always carries
 * one consistent token.
 */
final class VaultSession implements AutoCloseable {

    /** The driver instances for one token: Transit needs KV-v1 path handling, KV v2 its own instance. */
    record Clients(String token, Vault transit, Vault kv) {}

    private static final Logger LOG = LoggerFactory.getLogger(VaultSession.class);
    private static final Duration MIN_DELAY = Duration.ofMillis(200);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(30);

    /** The driver would otherwise fill unset fields (token, address, timeouts) from the process environment. */
    private static final EnvironmentLoader NO_ENVIRONMENT = new EnvironmentLoader() {
        @Override
        public String loadVariable(String name) {
            return null;
        }
    };

    private final VaultKeyServiceConfig config;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong logins = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final Object authLock = new Object();
    private volatile Clients clients;
    private volatile boolean closed;
    private long loginLeaseSeconds;
    private ScheduledFuture<?> scheduled;
    private Duration retryDelay = Duration.ofSeconds(1);

    private VaultSession(VaultKeyServiceConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder()
                .connectTimeout(config.timeout())
                // over plain http the JDK client would try an h2c upgrade on every request, which Vault ignores
                .version(config.address().startsWith("https:") ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "vault-token-renewal");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Authenticates now, so that bad credentials or an unreachable Vault stop the service at start-up. */
    static VaultSession open(VaultKeyServiceConfig config) {
        VaultSession session = new VaultSession(config);
        try {
            synchronized (session.authLock) {
                if (config.credentials() instanceof VaultCredentials.AppRole) {
                    session.logIn();
                } else {
                    session.useGivenToken(((VaultCredentials.Token) config.credentials()).token());
                }
            }
            return session;
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    Clients clients() {
        Clients current = clients;
        if (closed || current == null) {
            throw new KeyServiceUnavailableException("the Vault key service is closed");
        }
        return current;
    }

    boolean canLogIn() {
        return config.credentials() instanceof VaultCredentials.AppRole;
    }

    /** Logs in again unless someone already replaced the token that failed. */
    void logInAgain(Clients failed) {
        synchronized (authLock) {
            if (clients == failed && !closed) {
                LOG.warn("Vault refused our token; logging in again with AppRole");
                logIn();
            }
        }
    }

    long logins() {
        return logins.get();
    }

    long renewals() {
        return renewals.get();
    }

    String address() {
        return config.address();
    }

    private void logIn() {
        VaultCredentials.AppRole appRole = (VaultCredentials.AppRole) config.credentials();
        AuthResponse response;
        try {
            response = vault(null, 1, 1).auth().loginByAppRole(appRole.mount(), appRole.roleId(), appRole.secretId());
        } catch (VaultException e) {
            int status = e.getHttpStatusCode();
            if (status >= 400 && status < 500) {
                throw new KeyServiceAuthenticationException("Vault rejected the AppRole login at auth/" + appRole.mount()
                        + "/login (HTTP " + status + "); check VAULT_ROLE_ID and VAULT_SECRET_ID");
            }
            throw unavailable("log in with AppRole", e);
        }
        String token = response.getAuthClientToken();
        if (token == null || token.isEmpty()) {
            throw new KeyServiceAuthenticationException("Vault answered the AppRole login at auth/" + appRole.mount()
                    + "/login without a client token");
        }
        install(token);
        logins.incrementAndGet();
        loginLeaseSeconds = response.getAuthLeaseDuration();
        LOG.info("logged in to Vault at {} with AppRole (token lease {} s, renewable {})", config.address(),
                loginLeaseSeconds, response.isAuthRenewable());
        scheduleAfterLease(loginLeaseSeconds, response.isAuthRenewable());
    }

    private void useGivenToken(String token) {
        install(token);
        JsonNode data = tokenRequest("look up our token", c -> c.transit().logical().read("auth/token/lookup-self"))
                .path("data");
        long ttl = data.path("ttl").asLong(0);
        boolean renewable = data.path("renewable").asBoolean(false);
        loginLeaseSeconds = ttl;
        LOG.info("using the given Vault token at {} (ttl {} s, renewable {})", config.address(),
                ttl == 0 ? "unlimited" : ttl, renewable);
        if (ttl > 0 && !renewable) {
            LOG.warn("the given Vault token is not renewable and expires in {} s; the service will then fail", ttl);
        }
        scheduleAfterLease(ttl, renewable);
    }

    /** Renews at two thirds of the lease; an AppRole token that cannot be renewed is replaced instead. */
    private void scheduleAfterLease(long leaseSeconds, boolean renewable) {
        if (leaseSeconds <= 0 || closed) {
            return;
        }
        Duration delay = atLeastMin(Duration.ofMillis(leaseSeconds * 1000 * 2 / 3));
        if (renewable) {
            schedule(this::renew, delay);
        } else if (canLogIn()) {
            schedule(this::logInFromScheduler, delay);
        }
    }

    private void renew() {
        synchronized (authLock) {
            if (closed) {
                return;
            }
            try {
                JsonNode auth = tokenRequest("renew our token",
                        c -> c.transit().logical().write("auth/token/renew-self", Map.of())).path("auth");
                long lease = auth.path("lease_duration").asLong(0);
                boolean renewable = auth.path("renewable").asBoolean(false);
                renewals.incrementAndGet();
                retryDelay = Duration.ofSeconds(1);
                LOG.debug("renewed the Vault token (lease {} s)", lease);
                if (canLogIn() && lease < loginLeaseSeconds) {
                    // the token reached its max TTL: renewals now shrink, so log in again before it ends
                    schedule(this::logInFromScheduler, atLeastMin(Duration.ofMillis(lease * 1000 * 2 / 3)));
                } else {
                    scheduleAfterLease(lease, renewable);
                }
            } catch (KeyServiceException e) {
                if (canLogIn()) {
                    LOG.warn("renewing the Vault token failed ({}); logging in again", e.getMessage());
                    logInFromScheduler();
                } else {
                    LOG.warn("renewing the Vault token failed ({}); retrying in {}", e.getMessage(), retryDelay);
                    retryLater(this::renew);
                }
            }
        }
    }

    private void logInFromScheduler() {
        synchronized (authLock) {
            if (closed) {
                return;
            }
            try {
                logIn();
                retryDelay = Duration.ofSeconds(1);
            } catch (KeyServiceException e) {
                LOG.error("logging in to Vault failed ({}); retrying in {}", e.getMessage(), retryDelay);
                retryLater(this::logInFromScheduler);
            }
        }
    }

    private void retryLater(Runnable task) {
        schedule(task, retryDelay);
        Duration doubled = retryDelay.multipliedBy(2);
        retryDelay = doubled.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : doubled;
    }

    private void schedule(Runnable task, Duration delay) {
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        if (!closed) {
            scheduled = scheduler.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("Vault token maintenance failed: {}", e.getMessage());
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private interface TokenCall {
        LogicalResponse call(Clients clients) throws VaultException;
    }

    /** A request about our own token; its failures are authentication failures, never retried with a new login. */
    private JsonNode tokenRequest(String operation, TokenCall call) {
        LogicalResponse response;
        try {
            response = call.call(clients);
        } catch (VaultException e) {
            if (e.getHttpStatusCode() > 0) {
                throw new KeyServiceAuthenticationException("Vault refused to " + operation + " (HTTP "
                        + e.getHttpStatusCode() + ")");
            }
            throw unavailable(operation, e);
        }
        int status = response.getRestResponse().getStatus();
        if (status == 401 || status == 403) {
            throw new KeyServiceAuthenticationException("Vault refused to " + operation + " (HTTP " + status
                    + "): the token is invalid, expired or revoked");
        }
        if (status != 200) {
            throw new KeyServiceException("Vault refused to " + operation + " (HTTP " + status + ")");
        }
        try {
            return Json.MAPPER.readTree(response.getRestResponse().getBody());
        } catch (IOException e) {
            throw new KeyServiceException("Vault answered '" + operation + "' with a body that is not JSON");
        }
    }

    private void install(String token) {
        int kvDepth = config.kvMount().split("/").length;
        clients = new Clients(token, vault(token, 1, 1), vault(token, 2, kvDepth));
    }

    private Vault vault(String token, int engineVersion, int prefixPathDepth) {
        int seconds = (int) Math.max(1, (config.timeout().toMillis() + 999) / 1000);
        try {
            VaultConfig vaultConfig = new VaultConfig()
                    .environmentLoader(NO_ENVIRONMENT)
                    .address(config.address())
                    .token(token)
                    .engineVersion(engineVersion)
                    .prefixPathDepth(prefixPathDepth)
                    .openTimeout(seconds)
                    .readTimeout(seconds)
                    .httpClient(http);
            if (config.namespace().isPresent()) {
                vaultConfig.nameSpace(config.namespace().get());
            }
            return Vault.create(vaultConfig.build(), engineVersion);
        } catch (VaultException e) {
            throw new KeyServiceException("invalid Vault client configuration for " + config.address());
        }
    }

    static KeyServiceUnavailableException unavailable(String operation, VaultException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        // driver messages for HTTP errors carry response bodies; keep only transport causes
        return e.getHttpStatusCode() > 0
                ? new KeyServiceUnavailableException("Vault could not " + operation + " (HTTP " + e.getHttpStatusCode()
                        + ")")
                : new KeyServiceUnavailableException("Vault is unreachable, cannot " + operation + " ("
                        + root.getClass().getSimpleName() + ")", root);
    }

    private static Duration atLeastMin(Duration delay) {
        return delay.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : delay;
    }

    @Override
    public void close() {
        Clients last;
        synchronized (authLock) {
            if (closed) {
                return;
            }
            closed = true;
            last = clients;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
        scheduler.shutdownNow();
        if (last != null && canLogIn()) {
            try {
                // a token we created ourselves should not outlive us
                last.transit().logical().write("auth/token/revoke-self", Map.of());
            } catch (VaultException | RuntimeException e) {
                LOG.debug("could not revoke our Vault token on close: {}", e.getClass().getSimpleName());
            }
        }
        clients = null;
    }
}
