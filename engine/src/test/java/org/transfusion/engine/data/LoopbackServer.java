package org.transfusion.engine.data;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server standing in for a dataset's publisher in download tests: it serves {@link #body} for every
 * path under {@code /files/} (404 while it is null) and counts the requests, so a test can show that a cached
 * dataset is not fetched again. Bound to 127.0.0.1 only: nothing outside this machine can reach it.
 */
final class LoopbackServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    volatile byte[] body;

    LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/files/", exchange -> {
            requests.incrementAndGet();
            byte[] b = body;
            if (b == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, b.length);
                exchange.getResponseBody().write(b);
            }
            exchange.close();
        });
        server.start();
    }

    /** The base URL the files are served under, ending in a slash. */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/files/";
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
