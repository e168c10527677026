package io.budgetguard.ingest.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.secrets.Secrets;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import io.budgetguard.common.http.ProblemException;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading request bodies: JSON content type, a hard size limit enforced while reading, problems for what is wrong. */
public final class RequestBodies {

    /** 1 MiB, the limit of PRODUCT.md §3.1 for every request body. */
    public static final int MAX_BODY_BYTES = 1024 * 1024;

    private static final byte[] EMPTY = new byte[0];
    /** A quoted token of 8 characters or more in a parser message. */
    private static final Pattern QUOTED = Pattern.compile("'([^']{8,})'");

    private RequestBodies() {}

    /** Refuses (415) a content type other than {@code application/json} (parameters such as charset allowed). */
    public static void requireJson(Context ctx) {
        requireJson(ctx.req());
    }

    /** As {@link #requireJson(Context)}, over the servlet request. */
    public static void requireJson(HttpServletRequest request) {
        if (!isJson(request.getHeader("Content-Type"))) {
            throw Problems.unsupportedMediaType("Content-Type must be application/json");
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mime = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return mime.equalsIgnoreCase("application/json");
    }

    /**
     * The body's bytes, at most {@link #MAX_BODY_BYTES}; 413 as soon as it is known to be longer, from
     * {@code Content-Length} or while reading a chunked body.
     */
    public static byte[] read(Context ctx) {
        return read(ctx.req());
    }

    /** As {@link #read(Context)}, over the servlet request. */
    public static byte[] read(HttpServletRequest request) {
        long declared = request.getContentLengthLong();
        if (declared > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        if (declared == 0) {
            return EMPTY;
        }
        try (InputStream in = request.getInputStream()) {
            if (declared > 0) {
                // the usual case: read straight into an array of the declared size, without readNBytes's chunk
                // list and final copy (a 100 KiB batch was read into 13 chunks, then copied once more)
                byte[] body = new byte[(int) declared];
                int read = in.readNBytes(body, 0, body.length);
                return read == body.length ? body : Arrays.copyOf(body, read);
            }
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return body;
        } catch (IOException e) {
            // the client's fault, not ours: the connection ended inside the body (fewer bytes than Content-Length),
            // or its chunked framing is invalid (found by the hostile corpus, docs/SECURITY.md)
            throw Problems.badRequest("The request body is incomplete or its framing is invalid");
        }
    }

    /**
     * An admin request's JSON object. An empty body is an empty object; a non-empty body must be
     * {@code application/json} (415) and a JSON object (400).
     */
    public static ObjectNode readObject(Context ctx) {
        byte[] body = read(ctx);
        if (isBlank(body)) {
            return Json.MAPPER.createObjectNode();
        }
        requireJson(ctx);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw Problems.badRequest("The body is not valid JSON: " + describe(e));
        } catch (CharConversionException | NumberFormatException e) {
            throw unreadable(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || !node.isObject()) {
            throw Problems.badRequest("The body must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * A short description of a JSON syntax error with its position. Jackson quotes the offending token ("Unrecognized
     * token 'bg_k…'"), which may be a key pasted in the wrong place: quoted text is masked.
     */
    public static String describe(JacksonException e) {
        String message = e.getOriginalMessage();
        if (message != null) {
            int newline = message.indexOf('\n');
            message = newline < 0 ? message : message.substring(0, newline);
            message = QUOTED.matcher(message).replaceAll(quoted -> Matcher.quoteReplacement(
                    "'" + Secrets.mask(quoted.group(1)) + "'"));
            if (message.length() > 200) {
                message = message.substring(0, 200) + "…";
            }
        }
        var location = e.getLocation();
        return (message == null ? "syntax error" : message)
                + (location == null ? "" : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")");
    }

    /**
     * 400 for a body Jackson cannot read although it is not a plain syntax error: bytes that made it guess UTF-32 and
     * are no UTF-32 ({@link CharConversionException}: JSON is UTF-8), or a number no decimal can hold, such as
     * {@code 1e99999999999} ({@link NumberFormatException} where a tree is built). Both were answered 500 before the
     * hostile corpus found them (docs/SECURITY.md).
     */
    public static ProblemException unreadable(Exception e) {
        return Problems.badRequest(e instanceof CharConversionException
                ? "The body is not valid JSON: it must be UTF-8"
                : "The body is not valid JSON: a number is out of range");
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static RuntimeException tooLarge() {
        return Problems.payloadTooLarge("The body exceeds " + MAX_BODY_BYTES + " bytes (1 MiB)");
    }
}
