package io.budgetguard.metering.budget;

import java.util.List;
import java.util.Objects;

/**
 * What part of a tenant's usage a spend total covers: everything, one API key, one model, or one API key with one
 * model. The empty string means "any" (neither an API key id nor a model name can be empty).
 */
public record SpendScope(String apiKeyId, String model) {

    public static final SpendScope TENANT_WIDE = new SpendScope("", "");

    public SpendScope {
        Objects.requireNonNull(apiKeyId, "apiKeyId");
        Objects.requireNonNull(model, "model");
    }

    /** The scope of a budget narrowed to {@code apiKeyId} and/or {@code model}; null means not narrowed. */
    public static SpendScope of(String apiKeyId, String model) {
        return new SpendScope(apiKeyId == null ? "" : apiKeyId, model == null ? "" : model);
    }

    /**
     * The four scopes an event of this API key and model counts in, in the order of {@link #index()}: tenant-wide,
     * the key, the model, the key with the model.
     */
    public static List<SpendScope> covering(String apiKeyId, String model) {
        return List.of(TENANT_WIDE, new SpendScope(apiKeyId, ""), new SpendScope("", model),
                new SpendScope(apiKeyId, model));
    }

    /**
     * True when a {@link SpendByDay} key whose API key part starts at {@code from} (then NUL, then the model) counts in
     * this scope.
     */
    boolean covers(String key, int from) {
        int separator = key.indexOf('\u0000', from);
        if (separator < 0) {
            return false;
        }
        if (!apiKeyId.isEmpty() && (separator - from != apiKeyId.length() || !key.startsWith(apiKeyId, from))) {
            return false;
        }
        return model.isEmpty() || key.length() - separator - 1 == model.length() && key.startsWith(model, separator + 1);
    }

    /** Position of this scope in {@link #covering}: bit 0 = narrowed by key, bit 1 = narrowed by model. */
    public int index() {
        return (apiKeyId.isEmpty() ? 0 : 1) | (model.isEmpty() ? 0 : 2);
    }
}
