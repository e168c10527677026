package io.budgetguard.ingest.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.budgetguard.ingest.admin.AdminJson.PriceCatalogJson;
import io.budgetguard.ingest.admin.AdminJson.PriceJson;
import io.budgetguard.ingest.admin.AdminJson.PriceList;
import io.budgetguard.ingest.control.ControlPlaneView;
import io.budgetguard.ingest.control.ControlPlaneWriter;
import io.budgetguard.ingest.http.JsonFields;
import io.budgetguard.ingest.http.RequestBodies;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.topics.Topics;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET /admin/prices} (every version) and {@code PUT /admin/prices}: publishes one {@code ModelPrice} per listed
 * model, keyed {@code provider/model/version}; models not listed keep their prices. A price applies to events that
 * occurred at or after its {@code effective_from}.
 */
final class PriceRoutes {

    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PROVIDER = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final int MAX_PRICES = 1000;
    private static final Set<String> CATALOG_FIELDS = Set.of("version", "effective_from", "prices");
    private static final Set<String> PRICE_FIELDS = Set.of("provider", "model", "input_per_mtok", "cached_input_per_mtok",
            "cache_write_per_mtok", "output_per_mtok", "source", "as_of");

    private final ControlPlaneView view;
    private final ControlPlaneWriter writer;

    PriceRoutes(ControlPlaneView view, ControlPlaneWriter writer) {
        this.view = view;
        this.writer = writer;
    }

    void register(Javalin app) {
        app.get("/admin/prices", ctx -> ctx.json(new PriceList(view.prices().stream().map(PriceJson::of).toList())));
        app.put("/admin/prices", this::put);
    }

    private void put(Context ctx) {
        JsonFields fields = JsonFields.of(RequestBodies.readObject(ctx), CATALOG_FIELDS);
        String version = fields.requiredString("version");
        if (version != null && !VERSION.matcher(version).matches()) {
            fields.error("version", "must be 1 to 64 characters [A-Za-z0-9._-]");
        }
        Instant effectiveFrom = fields.requiredTime("effective_from");
        JsonNode list = fields.node("prices");
        List<ModelPrice> prices = new ArrayList<>();
        if (list == null || list.isNull() || !list.isArray() || list.isEmpty() || list.size() > MAX_PRICES) {
            fields.error("prices", "must be an array of 1 to " + MAX_PRICES + " model prices");
        } else {
            Set<String> models = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                ModelPrice price = price(fields, list.get(i), i, version, effectiveFrom);
                if (price != null && !models.add(price.getProvider() + "/" + price.getModel())) {
                    fields.element(list.get(i), i, PRICE_FIELDS).error("model", "is listed twice for this provider");
                }
                prices.add(price);
            }
        }
        fields.throwIfInvalid();
        for (ModelPrice price : prices) {
            writer.put(Topics.CONTROL_PRICES,
                    ControlPlaneView.priceKey(price.getProvider(), price.getModel(), price.getVersion()), price);
        }
        ctx.json(new PriceCatalogJson(version, effectiveFrom, prices.stream().map(PriceJson::of).toList()));
    }

    private static ModelPrice price(JsonFields catalog, JsonNode node, int index, String version, Instant effectiveFrom) {
        if (!node.isObject()) {
            catalog.element(node, index, Set.of()).error(null, "must be a model price object");
            return null;
        }
        JsonFields fields = catalog.element(node, index, PRICE_FIELDS);
        String provider = fields.requiredString("provider");
        if (provider != null && !PROVIDER.matcher(provider).matches()) {
            fields.error("provider", "must be 1 to 32 characters [a-z0-9_-]");
        }
        String model = fields.printable("model", 128, true);
        BigDecimal input = fields.decimal("input_per_mtok", false);
        BigDecimal cachedInput = fields.decimal("cached_input_per_mtok", false);
        BigDecimal cacheWrite = fields.decimal("cache_write_per_mtok", false);
        BigDecimal output = fields.decimal("output_per_mtok", false);
        String source = fields.printable("source", 512, false);
        String asOf = fields.optionalString("as_of");
        if (asOf != null) {
            try {
                LocalDate.parse(asOf);
            } catch (DateTimeParseException e) {
                fields.error("as_of", "must be a date YYYY-MM-DD");
            }
        }
        if (!fields.isValid() || version == null || effectiveFrom == null) {
            return null;
        }
        return new ModelPrice(provider, model, version, effectiveFrom, input, cachedInput, cacheWrite, output, source, asOf);
    }
}
