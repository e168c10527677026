package io.budgetguard.ingest.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of every route, a resource written alongside the code
 * ({@code src/main/resources/io/budgetguard/ingest/http/openapi.json}, in this package so that it cannot collide with
 * another module's document in the shaded CLI jar); a test keeps it and the registered routes in step.
 */
public final class OpenApiDocument implements Handler {

    public static final String PATH = "/openapi.json";
    private static final String RESOURCE = "openapi.json";

    private final byte[] document;

    public OpenApiDocument() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The OpenAPI document " + RESOURCE + " is missing from the classpath");
            }
            this.document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
    }

    @Override
    public void handle(Context ctx) {
        ctx.contentType("application/json").result(document);
    }
}
