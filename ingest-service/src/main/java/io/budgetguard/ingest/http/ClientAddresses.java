package io.budgetguard.ingest.http;

import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client address a request came from, for per-address limits. By default it is the TCP peer
 * ({@code ctx.ip()}); a client cannot choose it. Behind a reverse proxy or load balancer every request would then
 * seem to come from the proxy, so the proxies' addresses must be listed ({@code INGEST_TRUSTED_PROXIES}): only when
 * the peer is a trusted proxy is {@code X-Forwarded-For} read, from the right, skipping trusted hops, and the first
 * untrusted address is the client. Entries further left were written by the client and are never believed.
 */
public final class ClientAddresses {

    public static final String FORWARDED_FOR = "X-Forwarded-For";

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private record Range(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int fullBytes = prefix / 8;
            for (int i = 0; i < fullBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (address[fullBytes] & mask) == (network[fullBytes] & mask);
        }
    }

    private final List<Range> trusted;

    /** @param trustedProxies addresses ({@code 10.0.0.7}, {@code ::1}) or CIDR ranges ({@code 10.0.0.0/8}) */
    public ClientAddresses(List<String> trustedProxies) {
        List<Range> ranges = new ArrayList<>();
        for (String proxy : trustedProxies) {
            Range range = range(proxy);
            if (range == null) {
                throw new IllegalArgumentException("Not an IP address or CIDR range: '" + proxy + "'");
            }
            ranges.add(range);
        }
        this.trusted = List.copyOf(ranges);
    }

    /** The client's address for this request. */
    public String of(Context ctx) {
        return of(ctx.req());
    }

    /** The client's address for this request (servlet API: routes served ahead of Javalin). */
    public String of(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (trusted.isEmpty()) {
            return peer;
        }
        Enumeration<String> headers = request.getHeaders(FORWARDED_FOR);
        if (headers == null || !headers.hasMoreElements()) {
            return peer;
        }
        StringBuilder joined = new StringBuilder();
        while (headers.hasMoreElements()) {
            if (!joined.isEmpty()) {
                joined.append(',');
            }
            joined.append(headers.nextElement());
        }
        return of(peer, joined.toString());
    }

    /** The client's address given the TCP peer and the (comma-joined) {@code X-Forwarded-For} values. */
    public String of(String peer, String forwardedFor) {
        if (trusted.isEmpty() || forwardedFor == null || !isTrusted(peer)) {
            return peer;
        }
        String client = peer;
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            byte[] address = parse(hop);
            if (address == null) {
                return client; // a malformed hop: the last address a trusted proxy vouched for is all we know
            }
            client = hop;
            if (!isTrusted(address)) {
                return hop;
            }
        }
        return client;
    }

    /** True for an IP address literal or a CIDR range (never a host name: nothing here resolves names). */
    public static boolean isAddressOrRange(String text) {
        return range(text) != null;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = parse(address);
        return bytes != null && isTrusted(bytes);
    }

    private boolean isTrusted(byte[] address) {
        for (Range range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static Range range(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        byte[] network = parse(slash < 0 ? trimmed : trimmed.substring(0, slash));
        if (network == null) {
            return null;
        }
        int bits = network.length * 8;
        if (slash < 0) {
            return new Range(network, bits);
        }
        try {
            int prefix = Integer.parseInt(trimmed.substring(slash + 1));
            return prefix < 0 || prefix > bits ? null : new Range(network, prefix);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The bytes of an IPv4 or IPv6 literal (brackets allowed), null for anything else; never a DNS lookup. */
    static byte[] parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        var ipv4 = IPV4.matcher(literal);
        if (ipv4.matches()) {
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int part = Integer.parseInt(ipv4.group(i + 1));
                if (part > 255) {
                    return null;
                }
                bytes[i] = (byte) part;
            }
            return bytes;
        }
        if (literal.indexOf(':') >= 0 && IPV6.matcher(literal).matches()) {
            try {
                // a literal with a colon is parsed, never resolved
                byte[] bytes = InetAddress.getByName(literal).getAddress();
                return bytes.length == 16 && isMappedIpv4(bytes) ? new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]}
                        : bytes;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean isMappedIpv4(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }
}
