package io.budgetguard.cli.load;

import java.util.List;

/**
 * What {@code budgetguard load} sends.
 *
 * @param events      distinct events to send
 * @param rate        events per second, 0 = as fast as the server takes them
 * @param batch       events per request (1 to 1000)
 * @param concurrency requests in flight at once
 * @param duplicates  fraction of events sent a second time with the same event id (0 to 1)
 * @param models      {@code provider/model} pairs to draw from
 */
public record LoadOptions(String url, String apiKey, long events, double rate, int batch, int concurrency,
        double duplicates, List<Model> models) {

    /** One provider and model of the generated events. */
    public record Model(String provider, String model) {
        /** {@code provider/model}. */
        public static Model parse(String text) {
            int slash = text.indexOf('/');
            if (slash <= 0 || slash == text.length() - 1) {
                throw new IllegalArgumentException("A model is provider/model (e.g. openai/gpt-4o), was '" + text + "'");
            }
            return new Model(text.substring(0, slash).trim(), text.substring(slash + 1).trim());
        }
    }

    public LoadOptions {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("No ingest URL: pass --url or set INGEST_URL (source .budgetguard/dev.env)");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("No API key: pass --api-key or set DEMO_API_KEY (source .budgetguard/dev.env)");
        }
        if (events < 1) {
            throw new IllegalArgumentException("--events must be at least 1, was " + events);
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must not be negative, was " + rate);
        }
        if (batch < 1 || batch > 1000) {
            throw new IllegalArgumentException("--batch must be between 1 and 1000, was " + batch);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1, was " + concurrency);
        }
        if (duplicates < 0 || duplicates > 1) {
            throw new IllegalArgumentException("--duplicates must be between 0 and 1, was " + duplicates);
        }
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("--models needs at least one provider/model");
        }
        models = List.copyOf(models);
    }
}
