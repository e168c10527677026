package io.budgetguard.ledger.sink;

import io.budgetguard.common.auth.AuthLimits;
import io.budgetguard.common.config.ConfigException;
import io.budgetguard.common.config.Env;
import io.budgetguard.common.keys.KeyServices;
import io.budgetguard.ledger.audit.AuditTopics;
import io.budgetguard.ledger.checkpoint.CheckpointPolicy;
import io.budgetguard.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the ledger sink. {@code topic} and {@code consumerGroup} default to {@code usage.priced.v1} and
 * {@value #DEFAULT_CONSUMER_GROUP}; tests and benchmarks override them ({@link #withTopic}, {@link #withConsumerGroup},
 * or {@code LEDGER_TOPIC}/{@code LEDGER_CONSUMER_GROUP}) so that runs on a shared broker cannot steal each other's
 * partitions. {@code auditTopics} are the alert and control-plane topics appended to {@code audit_log} in the same
 * transactions ({@link AuditTopics#STANDARD} unless overridden). {@code keyService} says which key service signs checkpoints and wraps data keys (see
 * {@link KeyServices}). {@code authLimits} bound the read API's bcrypt work and failed attempts per key id and client
 * address. {@link #toString()} never shows the password.
 */
public record LedgerSinkConfig(
        String kafkaBootstrap,
        String schemaRegistryUrl,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        String httpHost,
        int port,
        String topic,
        String consumerGroup,
        int maxPollRecords,
        String checkpointTopic,
        CheckpointPolicy checkpointPolicy,
        KeyServices.Selection keyService,
        AuditTopics auditTopics,
        AuthLimits authLimits,
        Duration startupTimeout) {

    public static final String SERVICE = "ledger-sink";
    public static final String DEFAULT_CONSUMER_GROUP = "budgetguard-ledger-sink";
    public static final int DEFAULT_PORT = 8082;
    public static final int DEFAULT_MAX_POLL_RECORDS = 2000;
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

    public LedgerSinkConfig {
        Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        Objects.requireNonNull(schemaRegistryUrl, "schemaRegistryUrl");
        Objects.requireNonNull(databaseUrl, "databaseUrl");
        Objects.requireNonNull(databaseUser, "databaseUser");
        Objects.requireNonNull(databasePassword, "databasePassword");
        Objects.requireNonNull(httpHost, "httpHost");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(consumerGroup, "consumerGroup");
        Objects.requireNonNull(checkpointTopic, "checkpointTopic");
        Objects.requireNonNull(checkpointPolicy, "checkpointPolicy");
        Objects.requireNonNull(keyService, "keyService");
        Objects.requireNonNull(auditTopics, "auditTopics");
        Objects.requireNonNull(authLimits, "authLimits");
        Objects.requireNonNull(startupTimeout, "startupTimeout");
        if (startupTimeout.isNegative()) {
            throw new IllegalArgumentException("startupTimeout must not be negative, was " + startupTimeout);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("maxPollRecords must be at least 1, was " + maxPollRecords);
        }
    }

    /**
     * The production settings for the given connections; HTTP on 127.0.0.1:{@value #DEFAULT_PORT}, the local key
     * service in {@value KeyServices#DEFAULT_LOCAL_DIR}.
     */
    public static LedgerSinkConfig of(String kafkaBootstrap, String schemaRegistryUrl, String databaseUrl,
            String databaseUser, String databasePassword) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                "127.0.0.1", DEFAULT_PORT, Topics.USAGE_PRICED.name(), DEFAULT_CONSUMER_GROUP,
                DEFAULT_MAX_POLL_RECORDS, Topics.LEDGER_CHECKPOINTS.name(), CheckpointPolicy.DEFAULT,
                new KeyServices.Selection(KeyServices.Kind.LOCAL, null, Path.of(KeyServices.DEFAULT_LOCAL_DIR), ""),
                AuditTopics.STANDARD, AuthLimits.DEFAULTS, DEFAULT_STARTUP_TIMEOUT);
    }

    /**
     * Reads {@code KAFKA_BOOTSTRAP}, {@code SCHEMA_REGISTRY_URL}, {@code DATABASE_URL} (JDBC, PostgreSQL),
     * {@code DATABASE_USER}, {@code DATABASE_PASSWORD} (a member of budgetguard_writer), {@code HTTP_HOST}
     * (default 127.0.0.1), {@code LEDGER_PORT} (default 8082, 0 = any free port), {@code LEDGER_TOPIC} (default
     * usage.priced.v1), {@code LEDGER_CONSUMER_GROUP} (default {@value #DEFAULT_CONSUMER_GROUP}) and the key service's
     * variables ({@link KeyServices#select}: {@code BUDGETGUARD_KEY_SERVICE}, {@code VAULT_*},
     * {@code BUDGETGUARD_LOCAL_KEYS_DIR}, {@code BUDGETGUARD_ENV}) and the read API's authentication limits
     * ({@link AuthLimits#fromEnv}: {@code LEDGER_MAX_CONCURRENT_BCRYPT}, {@code LEDGER_AUTH_FAILURES_PER_MIN_PER_KEY},
     * {@code LEDGER_AUTH_FAILURES_PER_MIN_PER_ADDRESS}), and {@code LEDGER_STARTUP_TIMEOUT_MS} (default 120 000, 0 = one
     * attempt: how long start-up keeps trying to reach a key service that is unavailable, e.g. Vault restarting).
     *
     * @throws ConfigException naming every missing or invalid setting
     */
    public static LedgerSinkConfig fromEnv(Map<String, String> environment) {
        Env env = new Env(SERVICE, environment);
        String bootstrap = env.required("KAFKA_BOOTSTRAP", "Kafka bootstrap servers, host:port[,host:port]");
        String registry = env.httpUrl("SCHEMA_REGISTRY_URL", "Confluent-compatible schema registry base URL");
        String databaseUrl = env.required("DATABASE_URL", "JDBC URL of the ledger database, jdbc:postgresql://host:port/db");
        if (!databaseUrl.isEmpty() && !databaseUrl.startsWith("jdbc:postgresql:")) {
            env.problem("DATABASE_URL must be a PostgreSQL JDBC URL starting with jdbc:postgresql:");
        }
        String user = env.required("DATABASE_USER", "database login user, a member of budgetguard_writer");
        String password = env.secret("DATABASE_PASSWORD", "password of DATABASE_USER", 1);
        String host = env.optional("HTTP_HOST", "127.0.0.1");
        int port = env.port("LEDGER_PORT", DEFAULT_PORT);
        String topic = env.optional("LEDGER_TOPIC", Topics.USAGE_PRICED.name());
        String group = env.optional("LEDGER_CONSUMER_GROUP", DEFAULT_CONSUMER_GROUP);
        AuthLimits authLimits = AuthLimits.fromEnv(env, "LEDGER");
        Duration startupTimeout = Duration.ofMillis(env.integer("LEDGER_STARTUP_TIMEOUT_MS",
                (int) DEFAULT_STARTUP_TIMEOUT.toMillis(), 0, 3_600_000));
        KeyServices.Selection keys = null;
        try {
            keys = KeyServices.select(environment);
        } catch (ConfigException e) {
            e.problems().forEach(env::problem);
        }
        env.validate();
        return new LedgerSinkConfig(bootstrap, registry, databaseUrl, user, password, host, port, topic, group,
                DEFAULT_MAX_POLL_RECORDS, Topics.LEDGER_CHECKPOINTS.name(), CheckpointPolicy.DEFAULT, keys,
                AuditTopics.STANDARD, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withTopic(String newTopic) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, newTopic, consumerGroup, maxPollRecords, checkpointTopic, checkpointPolicy,
                keyService, auditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withConsumerGroup(String newGroup) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, newGroup, maxPollRecords, checkpointTopic, checkpointPolicy,
                keyService, auditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withHttp(String newHost, int newPort) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                newHost, newPort, topic, consumerGroup, maxPollRecords, checkpointTopic, checkpointPolicy,
                keyService, auditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withMaxPollRecords(int newMaxPollRecords) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, consumerGroup, newMaxPollRecords, checkpointTopic, checkpointPolicy,
                keyService, auditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withCheckpoints(String newTopic, CheckpointPolicy newPolicy) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, consumerGroup, maxPollRecords, newTopic, newPolicy,
                keyService, auditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withKeyService(KeyServices.Selection newKeyService) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, consumerGroup, maxPollRecords, checkpointTopic, checkpointPolicy,
                newKeyService, auditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withAuditTopics(AuditTopics newAuditTopics) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, consumerGroup, maxPollRecords, checkpointTopic, checkpointPolicy, keyService,
                newAuditTopics, authLimits, startupTimeout);
    }

    public LedgerSinkConfig withAuthLimits(AuthLimits newAuthLimits) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, consumerGroup, maxPollRecords, checkpointTopic, checkpointPolicy, keyService,
                auditTopics, newAuthLimits, startupTimeout);
    }

    public LedgerSinkConfig withStartupTimeout(Duration newStartupTimeout) {
        return new LedgerSinkConfig(kafkaBootstrap, schemaRegistryUrl, databaseUrl, databaseUser, databasePassword,
                httpHost, port, topic, consumerGroup, maxPollRecords, checkpointTopic, checkpointPolicy, keyService,
                auditTopics, authLimits, newStartupTimeout);
    }

    @Override
    public String toString() {
        return "LedgerSinkConfig[kafkaBootstrap=" + kafkaBootstrap + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", databaseUrl=" + databaseUrl.replaceAll("(?i)(password=)[^&;]*", "$1****") + ", databaseUser="
                + databaseUser + ", databasePassword=****, httpHost=" + httpHost + ", port=" + port + ", topic="
                + topic + ", consumerGroup=" + consumerGroup + ", maxPollRecords=" + maxPollRecords
                + ", checkpointTopic=" + checkpointTopic + ", checkpointPolicy=" + checkpointPolicy
                + ", keyService=" + keyService.kind() + ", auditTopics=" + auditTopics.names()
                + ", authLimits=" + authLimits + ", startupTimeout=" + startupTimeout + "]";
    }
}
