package io.budgetguard.cli.dev;

import io.budgetguard.cli.admin.AdminClient;
import io.budgetguard.cli.service.ServiceRunner;
import io.budgetguard.infra.local.EmbeddedPostgres;
import io.budgetguard.infra.local.LocalStack;
import io.budgetguard.ingest.IngestConfig;
import io.budgetguard.ingest.IngestService;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Everything {@code budgetguard dev} runs: the local stack, the pipeline, the demo tenant and {@code dev.env}. */
public final class DevStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

    public static final String DEMO_TENANT = "demo";
    public static final String DEMO_BUDGET = "monthly";
    public static final BigDecimal DEMO_BUDGET_LIMIT = new BigDecimal("25.00");
    static final String DEFAULT_CATALOG = "/prices/default-catalog.json";

    /**
     * @param controlPort port of the {@link DevControl} endpoint (broker restarts, for the chaos run); −1 = none,
     *                    0 = any free port
     */
    public record Options(Path home, int portOffset, boolean startServices, int controlPort) {
        public Options(Path home, int portOffset, boolean startServices) {
            this(home, portOffset, startServices, -1);
        }
    }

    private final LocalStack stack;
    private final Pipeline pipeline;
    private final DevEnvFile env;
    private final DevControl control;

    private DevStack(LocalStack stack, Pipeline pipeline, DevEnvFile env, DevControl control) {
        this.stack = stack;
        this.pipeline = pipeline;
        this.env = env;
        this.control = control;
    }

    public static DevStack start(Options options, PrintWriter out) {
        Path data = options.home().resolve("data");
        deleteRecursively(data);
        out.println("Starting the local stack (Kafka, PostgreSQL, schema registry) under " + data + " ...");
        out.flush();
        LocalStack stack = LocalStack.start(LocalStack.Options.dev(data).withPortOffset(options.portOffset()));
        Pipeline pipeline = null;
        DevControl control = null;
        try {
            int off = options.portOffset();
            Pipeline.Ports ports = new Pipeline.Ports(8080 + off, 8081 + off, 8082 + off);
            EmbeddedPostgres pg = stack.postgres();
            pipeline = Pipeline.start(stack, pg.jdbcUrl(), ports, data.resolve("streams"), options.startServices());

            String ingestUrl = "http://127.0.0.1:" + ports.ingest();
            AdminClient.CreatedKey demoKey = seed(pipeline, ingestUrl);

            DevEnvFile env = new DevEnvFile()
                    .put("INGEST_URL", ingestUrl)
                    .put("STREAMS_URL", "http://127.0.0.1:" + ports.streams())
                    .put("LEDGER_URL", "http://127.0.0.1:" + ports.ledger())
                    .put("KAFKA_BOOTSTRAP", stack.kafkaBootstrap())
                    .put("SCHEMA_REGISTRY_URL", stack.schemaRegistryUrl())
                    .put("DATABASE_URL", pg.jdbcUrl())
                    .put("PGHOST", pg.host())
                    .put("PGPORT", pg.port())
                    .put("PGUSER", pg.superuser())
                    .put("PGPASSWORD", pg.superuserPassword())
                    .put("PGDATABASE", EmbeddedPostgres.DATABASE)
                    .put("BUDGETGUARD_ADMIN_KEY", pipeline.settings().adminKey())
                    .put("DEMO_API_KEY", demoKey.apiKey());
            if (options.controlPort() >= 0) {
                control = DevControl.start(options.controlPort(), stack.kafka(), pipeline.settings().adminKeySha256());
                env.put("DEV_CONTROL_URL", control.url());
            }
            // What `bin/budgetguard ingest|streams|sink` need when run as separate processes (--infra-only).
            Map<String, String> serviceEnv = new HashMap<>(pipeline.environment());
            serviceEnv.keySet().removeAll(env.values().keySet());
            serviceEnv.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> env.put(e.getKey(), e.getValue()));
            Path envFile = options.home().resolve("dev.env");
            try {
                env.write(envFile);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + envFile, e);
            }

            out.println();
            out.println(options.startServices()
                    ? "BudgetGuard is running. Settings (also in " + envFile + "):"
                    : "Infrastructure is running; start the services yourself. Settings (also in " + envFile + "):");
            out.println();
            env.values().keySet().stream().filter(k -> !serviceEnv.containsKey(k) || k.equals("DATABASE_URL"))
                    .forEach(k -> out.println("  " + k + "=" + env.values().get(k)));
            out.println();
            out.println("Load them into a shell with:  set -a; . " + envFile + "; set +a");
            out.println("Try:  curl -s -X POST \"$INGEST_URL/v1/usage\" -H \"Authorization: Bearer $DEMO_API_KEY\" \\");
            out.println("        -H 'Content-Type: application/json' -d '{\"event_id\":\"e1\",\"occurred_at\":\"'$(date -u +%FT%TZ)'\",\"provider\":\"openai\",\"model\":\"gpt-4o\",\"input_tokens\":1000,\"output_tokens\":200}'");
            out.println("Stop with Ctrl-C.");
            out.flush();
            return new DevStack(stack, pipeline, env, control);
        } catch (RuntimeException e) {
            ServiceRunner.closeAll(stack, pipeline, control);
            throw e;
        }
    }

    /** Seeds the demo tenant through the admin API, starting a temporary ingest when the services are not running. */
    private static AdminClient.CreatedKey seed(Pipeline pipeline, String ingestUrl) {
        IngestService temporary = null;
        String url = ingestUrl;
        try {
            if (!pipeline.servicesRunning()) {
                Map<String, String> env = new HashMap<>(pipeline.environment());
                env.put("INGEST_PORT", "0");
                temporary = new IngestService(IngestConfig.fromEnv(env), Clock.systemUTC());
                temporary.start();
                url = "http://127.0.0.1:" + temporary.port();
            }
            AdminClient admin = new AdminClient(url, pipeline.settings().adminKey());
            admin.putPrices(defaultCatalog());
            admin.createTenant(DEMO_TENANT, "Demo tenant");
            AdminClient.CreatedKey key = admin.createApiKey(DEMO_TENANT, "developer");
            admin.putBudget(DEMO_TENANT, DEMO_BUDGET, DEMO_BUDGET_LIMIT, "monthly", List.of(50, 80, 100));
            LOG.info("Seeded tenant '{}' with a developer key, budget '{}' ({} USD monthly) and the default prices",
                    DEMO_TENANT, DEMO_BUDGET, DEMO_BUDGET_LIMIT);
            return key;
        } finally {
            ServiceRunner.closeAll(temporary);
        }
    }

    public static String defaultCatalog() {
        try (InputStream in = DevStack.class.getResourceAsStream(DEFAULT_CATALOG)) {
            if (in == null) {
                throw new IllegalStateException("Default price catalog " + DEFAULT_CATALOG + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public DevEnvFile env() {
        return env;
    }

    public LocalStack localStack() {
        return stack;
    }

    @Override
    public void close() {
        ServiceRunner.closeAll(stack, pipeline, control);
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clear " + dir, e);
        }
    }
}
