package io.budgetguard.ingest.hostile;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends a {@link HostileRequests} corpus over raw sockets from a few threads and tallies the answers: status codes per
 * kind, connections the server closed without an answer (acceptable only for incomplete or framing-breaking
 * requests), and failures — any 5xx but Jetty's 505 to a request line without an HTTP version (counted apart), a
 * request left unanswered past the read timeout, or a refused connection.
 * Well-framed requests share a keep-alive connection per thread, as a gateway's would; the others get one of their own.
 */
public final class HostileClient {

    /** What a run saw. {@code failures} holds the first few failing requests, for replay by index. */
    public record Result(long requests, long answered, long closedWithoutAnswer, long serverErrors,
            long versionNotSupported, long hangs,
            long connectFailures, Map<String, Map<Integer, Long>> statusesByKind, Map<String, Long> acceptedVariants,
            List<String> failures, double seconds) {

        public boolean clean() {
            return serverErrors == 0 && hangs == 0 && connectFailures == 0;
        }

        public long count(int status) {
            return statusesByKind.values().stream().mapToLong(m -> m.getOrDefault(status, 0L)).sum();
        }

        /** One line per kind: statuses and how often. */
        public String table() {
            StringBuilder out = new StringBuilder();
            statusesByKind.forEach((kind, statuses) -> out.append(String.format("  %-15s %s%n", kind, statuses)));
            return out.toString();
        }
    }

    private final String host;
    private final int port;
    private final int readTimeoutMs;

    public HostileClient(String host, int port, int readTimeoutMs) {
        this.host = host;
        this.port = port;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** Sends requests {@code 0 … count-1} of {@code corpus} from {@code threads} threads. */
    public Result run(HostileRequests corpus, long count, int threads) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        LongAdder answered = new LongAdder();
        LongAdder closed = new LongAdder();
        LongAdder serverErrors = new LongAdder();
        LongAdder protocolVersion = new LongAdder();
        LongAdder hangs = new LongAdder();
        LongAdder connectFailures = new LongAdder();
        Map<String, Map<Integer, LongAdder>> statuses = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, LongAdder> accepted = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                Connection shared = null;
                for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    HostileRequests.Request request = corpus.get(i);
                    Connection connection = null;
                    try {
                        if (request.ownConnection()) {
                            connection = new Connection();
                        } else {
                            if (shared == null) {
                                shared = new Connection();
                            }
                            connection = shared;
                        }
                        Integer status = connection.exchange(request);
                        if (status == null) {
                            closed.increment();
                            record(statuses, request, -1);
                            if (!request.ownConnection()) {
                                fail(failures, request, "connection closed without an answer");
                                serverErrors.increment();
                            }
                        } else {
                            answered.increment();
                            record(statuses, request, status);
                            if (status < 300 && request.kind() != HostileRequests.Kind.VALID) {
                                accepted.computeIfAbsent(request.kind() + " [" + request.variant() + "]",
                                        k -> new LongAdder()).increment();
                            }
                            if (status == 505) {
                                // Jetty's own answer to a request line without a version (HTTP/0.9), before any
                                // application code: the protocol's answer, counted apart (docs/SECURITY.md)
                                protocolVersion.increment();
                            } else if (status >= 500) {
                                serverErrors.increment();
                                fail(failures, request, "status " + status);
                            }
                        }
                        if (request.ownConnection() || status == null || connection.closedByServer) {
                            connection.close();
                            if (connection == shared) {
                                shared = null;
                            }
                        }
                    } catch (SocketTimeoutException e) {
                        hangs.increment();
                        fail(failures, request, "no answer within " + readTimeoutMs + " ms");
                        closeQuietly(connection);
                        if (connection == shared) {
                            shared = null;
                        }
                    } catch (java.net.ConnectException e) {
                        connectFailures.increment();
                        fail(failures, request, "connect: " + e.getMessage());
                    } catch (IOException e) {
                        // reset or broken pipe while sending what the server had already refused: it closed on us
                        // (counted under status -1 of the kind, with the answers the server closed without)
                        closed.increment();
                        record(statuses, request, -1);
                        closeQuietly(connection);
                        if (connection == shared) {
                            shared = null;
                        }
                    }
                }
                closeQuietly(shared);
            }, "hostile-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread worker : workers) {
            worker.join();
        }
        Map<String, Map<Integer, Long>> table = new TreeMap<>();
        statuses.forEach((kind, byStatus) -> {
            Map<Integer, Long> counts = new TreeMap<>();
            byStatus.forEach((status, adder) -> counts.put(status, adder.sum()));
            table.put(kind, counts);
        });
        return new Result(count, answered.sum(), closed.sum(), serverErrors.sum(), protocolVersion.sum(), hangs.sum(),
                connectFailures.sum(), table, new TreeMap<>(accepted.entrySet().stream().collect(
                        java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum()))),
                List.copyOf(failures), (System.nanoTime() - started) / 1e9);
    }

    private static void record(Map<String, Map<Integer, LongAdder>> statuses, HostileRequests.Request request, int status) {
        statuses.computeIfAbsent(request.kind().name(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    private static void fail(ConcurrentLinkedQueue<String> failures, HostileRequests.Request request, String what) {
        if (failures.size() < 50) {
            failures.add("#" + request.index() + " " + request.kind() + " [" + request.variant() + "]: " + what);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            connection.close();
        }
    }

    /** One socket; reads one HTTP/1.1 answer per request (Content-Length, chunked, or until close). */
    private final class Connection {

        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        boolean closedByServer;

        Connection() throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoLinger(true, 0); // no TIME_WAIT pile-up over a million requests on loopback
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(readTimeoutMs);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        }

        /** The answer's status, or null when the server closed the connection without answering. */
        Integer exchange(HostileRequests.Request request) throws IOException {
            try {
                out.write(request.bytes());
                out.flush();
            } catch (IOException e) {
                // the server may answer (413, 431…) and close before it read everything we send: read what it said
                Integer status = readAnswerQuietly();
                if (status != null) {
                    closedByServer = true;
                    return status;
                }
                throw e;
            }
            if (request.incomplete()) {
                socket.shutdownOutput();
            }
            return readAnswer();
        }

        private Integer readAnswerQuietly() {
            try {
                return readAnswer();
            } catch (IOException e) {
                return null;
            }
        }

        private Integer readAnswer() throws IOException {
            String statusLine = readLine();
            if (statusLine == null) {
                closedByServer = true;
                return null;
            }
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IOException("Not an HTTP answer: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
                    case "connection" -> closedByServer |= value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(readLine().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(readLine().split(";")[0].trim(), 16)) {
                    in.skipNBytes(size);
                    readLine();
                }
                for (String trailer = readLine(); trailer != null && !trailer.isEmpty(); trailer = readLine()) {
                    // trailers ignored
                }
            } else if (length >= 0) {
                in.skipNBytes(length);
            } else {
                in.transferTo(OutputStream.nullOutputStream());
                closedByServer = true;
            }
            return status;
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
