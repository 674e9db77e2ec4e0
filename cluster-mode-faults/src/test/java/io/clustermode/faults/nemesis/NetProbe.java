package io.clustermode.faults.nemesis;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny network probe run inside a namespace (a test cannot enter one itself): reads
 * commands on stdin, answers one line each.
 * <pre>
 * listen ADDR PORT               TCP accept-and-close and UDP receive on ADDR:PORT -> ok
 * tcp FROM TO PORT TIMEOUT_MS    connect from FROM to TO:PORT -> ok | fail REASON
 * udp FROM TO PORT TIMEOUT_MS    send a datagram FROM -> TO:PORT, wait for its arrival -> ok | fail
 * </pre>
 */
public final class NetProbe {

    private static final Set<String> RECEIVED = ConcurrentHashMap.newKeySet();

    private NetProbe() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        String line;
        int token = 0;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            String answer;
            try {
                switch (f[0]) {
                    case "listen":
                        listen(f[1], Integer.parseInt(f[2]));
                        answer = "ok";
                        break;
                    case "tcp":
                        try (Socket s = new Socket()) {
                            s.bind(new InetSocketAddress(f[1], 0));
                            s.connect(new InetSocketAddress(f[2], Integer.parseInt(f[3])), Integer.parseInt(f[4]));
                        }
                        answer = "ok";
                        break;
                    case "udp":
                        String t = "t" + (token++);
                        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(f[1], 0))) {
                            byte[] b = t.getBytes(StandardCharsets.UTF_8);
                            s.send(new DatagramPacket(b, b.length, InetAddress.getByName(f[2]), Integer.parseInt(f[3])));
                        }
                        long until = System.currentTimeMillis() + Integer.parseInt(f[4]);
                        while (!RECEIVED.contains(t) && System.currentTimeMillis() < until) {
                            Thread.sleep(5);
                        }
                        answer = RECEIVED.contains(t) ? "ok" : "fail no datagram";
                        break;
                    default:
                        answer = "fail unknown command";
                }
            } catch (Exception e) {
                answer = "fail " + e.getClass().getSimpleName() + " " + e.getMessage();
            }
            System.out.println(answer.replace('\n', ' '));
            System.out.flush();
        }
    }

    private static void listen(String address, int port) throws Exception {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(address, port));
        Thread tcp = new Thread(() -> {
            while (true) {
                try {
                    server.accept().close(); // accepted: enough to show the connection opened
                } catch (Exception e) {
                    return;
                }
            }
        });
        tcp.setDaemon(true);
        tcp.start();
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
        Thread datagrams = new Thread(() -> {
            byte[] buf = new byte[64];
            while (true) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udp.receive(p);
                    RECEIVED.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                } catch (Exception e) {
                    return;
                }
            }
        });
        datagrams.setDaemon(true);
        datagrams.start();
    }
}
