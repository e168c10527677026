package io.budgetguard.bench.ingest;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection that writes a pre-built {@code POST /v1/usage} (or a {@code GET}) and reads the
 * status and body:
 * the load generator's side costs a few microseconds per request, like wrk's, so that on a 2-core machine the CPU goes
 * to the server being measured rather than to the JDK HTTP client's machinery. Not a general HTTP client: it expects
 * {@code Content-Length} answers (what Jetty sends for these small bodies). Not thread-safe.
 */
final class LeanHttpConnection implements AutoCloseable {

    /** An answer: its status and body. */
    record Answer(int status, String body) {}

    private final URI base;
    private final byte[] head;
    private final boolean posts;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** A connection that posts to {@code path} of {@code base} with {@code authorization}. */
    LeanHttpConnection(URI base, String path, String authorization) {
        this(base, ("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nAuthorization: " + authorization + "\r\nContent-Type: application/json\r\nContent-Length: ")
                .getBytes(StandardCharsets.US_ASCII), true);
    }

    private LeanHttpConnection(URI base, byte[] head, boolean posts) {
        this.base = base;
        this.head = head;
        this.posts = posts;
    }

    /** A connection that sends {@code GET path} (no body) to {@code base}: {@link #send}'s body is then ignored. */
    static LeanHttpConnection get(URI base, String path) {
        return new LeanHttpConnection(base, ("GET " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":"
                + base.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), false);
    }

    Answer send(byte[] body) throws IOException {
        if (socket == null) {
            connect();
        }
        try {
            out.write(head);
            if (posts) {
                out.write((body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
            }
            out.flush();
            return read();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        socket.setSoTimeout(60_000);
        out = new java.io.BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    }

    private Answer read() throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.substring(9, 12));
        int length = -1;
        boolean close = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            String name = header.substring(0, colon).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(header.substring(colon + 1).trim());
            } else if (name.equalsIgnoreCase("Connection") && header.substring(colon + 1).trim().equalsIgnoreCase("close")) {
                close = true;
            } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                throw new IOException("Chunked answers are not supported by this load generator");
            }
        }
        byte[] body = length <= 0 ? new byte[0] : in.readNBytes(length);
        if (close) {
            close();
        }
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c == -1) {
                throw new IOException("The server closed the connection");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
        }
    }
}
