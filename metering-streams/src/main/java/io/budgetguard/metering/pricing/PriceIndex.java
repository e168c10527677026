package io.budgetguard.metering.pricing;

import io.budgetguard.metering.control.ControlIndex;
import io.budgetguard.schemas.control.ModelPrice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every price version of every model, from {@code control.prices.v1}, sorted by {@code effective_from} per
 * (provider, model) so that the version in force at an instant is found by binary search.
 *
 * <p>Lookup is exact on (provider, model). Only when a model has no price of its own and its name ends with a
 * release date ({@code gpt-4o-2024-08-06}, {@code claude-sonnet-4-20250514}) is the undated name's price used:
 * providers report dated snapshot names for the aliases that catalogs list. A dated name listed in the catalog
 * always wins over its alias.
 *
 * <p>Two versions with the same {@code effective_from} are ordered by version label; the greater label wins, so the
 * choice does not depend on the order the records were read in.
 */
public final class PriceIndex implements ControlIndex<ModelPrice> {

    private static final Pattern DATED_MODEL = Pattern.compile("(.+)-(?:\\d{4}-\\d{2}-\\d{2}|\\d{8})");
    private static final Comparator<ModelPrice> ORDER = Comparator
            .comparing((ModelPrice price) -> price.getEffectiveFrom())
            .thenComparing(ModelPrice::getVersion);

    private volatile State state = State.empty();

    /** The price of {@code provider}/{@code model} in force at {@code at}, if any. */
    public Optional<ModelPrice> priceAt(String provider, String model, Instant at) {
        Map<String, Versions> models = state.byProvider.get(provider);
        if (models == null) {
            return Optional.empty();
        }
        Versions versions = models.get(model);
        if (versions == null) {
            Matcher dated = DATED_MODEL.matcher(model);
            versions = dated.matches() ? models.get(dated.group(1)) : null;
        }
        return versions == null ? Optional.empty() : Optional.ofNullable(versions.at(at));
    }

    @Override
    public void put(String key, ModelPrice price) {
        State current = state;
        ModelPrice previous = current.keys.get(key);
        if (previous != null && (!previous.getProvider().equals(price.getProvider())
                || !previous.getModel().equals(price.getModel()))) {
            remove(current, key);
            previous = null;
        }
        ModelPrice replaced = previous;
        current.keys.put(key, price);
        // one atomic swap of the model's versions, so that a reader never sees the model without a price
        current.byProvider.computeIfAbsent(price.getProvider(), provider -> new ConcurrentHashMap<>())
                .compute(price.getModel(), (model, versions) -> Versions.with(
                        versions == null || replaced == null ? versions : versions.without(replaced), price));
    }

    @Override
    public void remove(String key) {
        remove(state, key);
    }

    @Override
    public void replaceAll(Map<String, ModelPrice> entries) {
        State fresh = State.empty();
        entries.forEach((key, price) -> add(fresh, key, price));
        state = fresh;
    }

    private static void add(State state, String key, ModelPrice price) {
        state.keys.put(key, price);
        state.byProvider.computeIfAbsent(price.getProvider(), provider -> new ConcurrentHashMap<>())
                .compute(price.getModel(), (model, versions) -> Versions.with(versions, price));
    }

    private static void remove(State state, String key) {
        ModelPrice removed = state.keys.remove(key);
        if (removed == null) {
            return;
        }
        Map<String, Versions> models = state.byProvider.get(removed.getProvider());
        if (models != null) {
            models.computeIfPresent(removed.getModel(), (model, versions) -> versions.without(removed));
        }
    }

    /** Immutable, sorted by (effective_from, version); replaced as a whole on change. */
    private record Versions(long[] effectiveFrom, ModelPrice[] prices) {

        static Versions with(Versions current, ModelPrice added) {
            List<ModelPrice> all = new ArrayList<>(current == null ? List.of() : Arrays.asList(current.prices));
            all.add(added);
            return of(all);
        }

        Versions without(ModelPrice removed) {
            List<ModelPrice> rest = new ArrayList<>(Arrays.asList(prices));
            rest.remove(removed);
            return rest.isEmpty() ? null : of(rest);
        }

        static Versions of(List<ModelPrice> prices) {
            ModelPrice[] sorted = prices.toArray(ModelPrice[]::new);
            Arrays.sort(sorted, ORDER);
            long[] from = new long[sorted.length];
            for (int i = 0; i < sorted.length; i++) {
                from[i] = sorted[i].getEffectiveFrom().toEpochMilli();
            }
            return new Versions(from, sorted);
        }

        /** The last version whose effective_from is at or before {@code at}, or null. */
        ModelPrice at(Instant at) {
            long millis = at.toEpochMilli();
            int low = 0;
            int high = effectiveFrom.length - 1;
            int found = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (effectiveFrom[mid] <= millis) {
                    found = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            return found < 0 ? null : prices[found];
        }
    }

    /** Readers use {@code byProvider}; {@code keys} (store key to price, for deletes) is touched only by the writer. */
    private record State(ConcurrentHashMap<String, ConcurrentHashMap<String, Versions>> byProvider,
            Map<String, ModelPrice> keys) {
        static State empty() {
            return new State(new ConcurrentHashMap<>(), new HashMap<>());
        }
    }
}
