package io.clustermode.discovery.kubernetes;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTPS front for a plain HTTP server of the tests (the fabric8 mock API server, which serves
 * TLS only with a self-signed certificate of its own): it terminates TLS on loopback with a
 * certificate of the test's CA and passes the bytes both ways, so requests, responses and
 * upgraded watch streams reach the mock unchanged.
 */
final class TlsFront implements AutoCloseable {

    private final SSLServerSocket server;
    private final int backendPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    TlsFront(SSLContext context, int backendPort) throws IOException {
        this.backendPort = backendPort;
        this.server = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "tls-front-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port it listens on, on 127.0.0.1. */
    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                SSLSocket client = (SSLSocket) server.accept();
                sockets.add(client);
                Thread handshake = new Thread(() -> connect(client), "tls-front-conn");
                handshake.setDaemon(true);
                handshake.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void connect(SSLSocket client) {
        try {
            client.startHandshake(); // a client that does not trust the certificate fails here
            Socket backend = new Socket();
            sockets.add(backend);
            backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), 5_000);
            pump(backend.getInputStream(), client.getOutputStream(), client, backend);
            pump(client.getInputStream(), backend.getOutputStream(), client, backend);
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private void pump(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // one side went away
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "tls-front-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closeQuietly(server);
        sockets.forEach(TlsFront::closeQuietly);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
