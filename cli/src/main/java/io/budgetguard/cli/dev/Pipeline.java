package io.budgetguard.cli.dev;

import io.budgetguard.cli.service.ServiceRunner;
import io.budgetguard.infra.db.DatabasePasswords;
import io.budgetguard.infra.db.Migrations;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import io.budgetguard.ledger.sink.LedgerSinkConfig;
import io.budgetguard.ledger.sink.LedgerSinkService;
import io.budgetguard.metering.MeteringConfig;
import io.budgetguard.metering.MeteringService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The three services wired to a running {@link LocalStack}, configured exactly as separate processes would be: each
 * service gets an environment map and parses it with its own {@code fromEnv}. Used by dev mode and by the end-to-end
 * test.
 */
public final class Pipeline implements AutoCloseable {

    public static final String SINK_LOGIN = "budgetguard_sink";

    /** Ports 0 mean any free port. */
    public record Ports(int ingest, int streams, int ledger) {
        public static Ports free() {
            return new Ports(0, 0, 0);
        }
    }

    /** What a client of the running pipeline needs to know; secrets included (dev and tests only). */
    public record Settings(String adminKey, String adminKeySha256, String databaseUrl, String writerUser, String writerPassword) {}

    private final Map<String, String> baseEnv;
    private final Settings settings;
    private final Path streamsStateDir;
    private final IngestService ingest;
    private final MeteringService metering;
    private final LedgerSinkService sink;

    private Pipeline(Map<String, String> baseEnv, Settings settings, Path streamsStateDir, IngestService ingest,
            MeteringService metering, LedgerSinkService sink) {
        this.baseEnv = baseEnv;
        this.settings = settings;
        this.streamsStateDir = streamsStateDir;
        this.ingest = ingest;
        this.metering = metering;
        this.sink = sink;
    }

    /**
     * Migrates {@code databaseUrl} (as the PostgreSQL superuser, the migrations' owner), creates the sink's login for
     * the writer role, and — when {@code startServices} — starts ingest, streams and sink.
     */
    public static Pipeline start(LocalStack stack, String databaseUrl, Ports ports, Path streamsStateDir, boolean startServices) {
        EmbeddedPostgres pg = stack.postgres();
        Migrations.migrate(databaseUrl, pg.superuser(), pg.superuserPassword());
        String writerPassword = DatabasePasswords.generate();
        Migrations.grantLogin(databaseUrl, pg.superuser(), pg.superuserPassword(), Migrations.WRITER_ROLE, SINK_LOGIN, writerPassword);

        String adminKey = randomHex(32);
        Settings settings = new Settings(adminKey, sha256Hex(adminKey), databaseUrl, SINK_LOGIN, writerPassword);

        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP", stack.kafkaBootstrap());
        env.put("SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("BUDGETGUARD_ENV", "dev");
        env.put("BUDGETGUARD_ADMIN_KEY_SHA256", settings.adminKeySha256());
        env.put("INGEST_PORT", String.valueOf(ports.ingest()));
        env.put("STREAMS_PORT", String.valueOf(ports.streams()));
        env.put("LEDGER_PORT", String.valueOf(ports.ledger()));
        env.put("STREAMS_STATE_DIR", streamsStateDir.toString());
        // The local key service (checkpoint signing, data keys) keeps its keys next to the other dev data.
        env.put("BUDGETGUARD_KEY_SERVICE", "local");
        env.put("BUDGETGUARD_LOCAL_KEYS_DIR", streamsStateDir.resolveSibling("keys").toString());
        env.put("DATABASE_URL", databaseUrl);
        env.put("DATABASE_USER", SINK_LOGIN);
        env.put("DATABASE_PASSWORD", writerPassword);
        Map<String, String> baseEnv = Map.copyOf(env);

        if (!startServices) {
            return new Pipeline(baseEnv, settings, streamsStateDir, null, null, null);
        }
        LedgerSinkService sink = null;
        MeteringService metering = null;
        IngestService ingest = null;
        try {
            sink = new LedgerSinkService(LedgerSinkConfig.fromEnv(baseEnv));
            sink.start();
            metering = new MeteringService(MeteringConfig.fromEnv(baseEnv));
            metering.start();
            ingest = new IngestService(IngestConfig.fromEnv(baseEnv), Clock.systemUTC());
            ingest.start();
            return new Pipeline(baseEnv, settings, streamsStateDir, ingest, metering, sink);
        } catch (RuntimeException e) {
            ServiceRunner.closeAll(sink, metering, ingest);
            throw e;
        }
    }

    /** The environment each service was configured from (contains the writer's password). */
    public Map<String, String> environment() {
        return baseEnv;
    }

    public Settings settings() {
        return settings;
    }

    public boolean servicesRunning() {
        return ingest != null;
    }

    public String ingestUrl() {
        return "http://127.0.0.1:" + ingest.port();
    }

    public String streamsUrl() {
        return "http://127.0.0.1:" + metering.port();
    }

    public String ledgerUrl() {
        return "http://127.0.0.1:" + sink.port();
    }

    public IngestService ingest() {
        return ingest;
    }

    public MeteringService metering() {
        return metering;
    }

    public LedgerSinkService sink() {
        return sink;
    }

    public Path streamsStateDir() {
        return streamsStateDir;
    }

    @Override
    public void close() {
        ServiceRunner.closeAll(sink, metering, ingest);
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
