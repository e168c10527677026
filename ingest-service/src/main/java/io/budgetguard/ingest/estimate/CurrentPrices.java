package io.budgetguard.ingest.estimate;

import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.schemas.control.ModelPrice;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The price of a model in force at an instant, found the way metering finds it (metering-streams' {@code PriceIndex}):
 * exact (provider, model) first; only when the model has no price of its own and its name ends with a release date
 * ({@code gpt-4o-2024-08-06}, {@code claude-sonnet-4-20250514}) the undated name's price. Of the versions in force,
 * the latest {@code effective_from} wins, ties broken by the greater version label.
 */
public final class CurrentPrices {

    private static final Pattern DATED_MODEL = Pattern.compile("(.+)-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8})");
    private static final Comparator<ModelPrice> ORDER = Comparator
            .comparing((ModelPrice price) -> price.getEffectiveFrom())
            .thenComparing(ModelPrice::getVersion);

    private final ControlPlaneView view;

    public CurrentPrices(ControlPlaneView view) {
        this.view = view;
    }

    public Optional<ModelPrice> at(String provider, String model, Instant at) {
        Optional<ModelPrice> exact = find(provider, model, at);
        if (exact.isPresent() || hasAnyPrice(provider, model)) {
            return exact;
        }
        Matcher dated = DATED_MODEL.matcher(model);
        return dated.matches() ? find(provider, dated.group(1), at) : Optional.empty();
    }

    private Optional<ModelPrice> find(String provider, String model, Instant at) {
        return view.prices().stream()
                .filter(p -> p.getProvider().equals(provider) && p.getModel().equals(model))
                .filter(p -> !p.getEffectiveFrom().isAfter(at))
                .max(ORDER);
    }

    private boolean hasAnyPrice(String provider, String model) {
        return view.prices().stream().anyMatch(p -> p.getProvider().equals(provider) && p.getModel().equals(model));
    }
}
