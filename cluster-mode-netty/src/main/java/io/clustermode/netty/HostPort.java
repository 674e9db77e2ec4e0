package io.clustermode.netty;

import java.net.InetSocketAddress;

/** Parsing and printing of "host:port" addresses, with IPv6 hosts in brackets. */
final class HostPort {

    private HostPort() {
    }

    /**
     * An unresolved address for {@code hostPort}: resolving is left to the connect, on the
     * transport's threads, so a name that does not resolve yet only delays that peer.
     *
     * @throws IllegalArgumentException when it is not "host:port" with a port of 1 to 65535
     */
    static InetSocketAddress parse(String hostPort) {
        if (hostPort == null) {
            throw new IllegalArgumentException("address is missing");
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + hostPort + "': an IPv6 host must be in brackets, as [::1]:9000");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("'" + hostPort + "' has no host");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + hostPort + "' has no numeric port");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + hostPort + "': port must be 1 to 65535");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** "host:port" of a socket address, the way logs and {@link #parse} want it. */
    static String format(java.net.SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return host + ":" + inet.getPort();
    }

    /** The host of a socket address, without the port: what a per-host limit or log counts by. */
    static String hostOf(java.net.SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
