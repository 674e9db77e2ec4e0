package io.clustermode.transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;

/**
 * A {@code host:port} address, the way options, seed lists, peers' addresses and the HTTP
 * directory spell it: {@code 10.0.0.5:7600}, {@code node-1.example:7600}, {@code [::1]:7600}.
 * The one parser and printer of such addresses in every module.
 *
 * <p><b>IPv6 goes in brackets</b> ({@code [fd00::1]:7600}), as in URLs (RFC 3986). A bare IPv6
 * address ({@code fd00::1:7600}) is refused with a message that says so: whether its last group
 * is a port or part of the address cannot be told, and a guess would connect somewhere else.
 *
 * <p>Parsing never resolves a name: that is left to whoever connects or listens, so a name that
 * does not resolve yet only delays that one address. Every refusal is an
 * {@link IllegalArgumentException} whose message names the option (as the caller calls it, for
 * example {@code --bind} or {@code server (--dns-server)}), the text given and what is wrong
 * with it.
 *
 * @param host a name, an IPv4 address or an IPv6 address, without brackets; not blank, no white space
 * @param port 0 to 65535; 0 (any free port) only makes sense for an address to listen on
 */
public record HostPort(String host, int port) {

    /** What every refusal says the value must look like. */
    private static final String SHAPE = "host:port (IPv6 in brackets, as [::1]:7600)";

    /**
     * Checks the parts; a host given in brackets loses them.
     *
     * @throws IllegalArgumentException when the host is blank or holds white space, or the port is
     *                                  not 0 to 65535
     */
    public HostPort {
        if (host != null && host.length() > 2 && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host == null || host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("host must not be blank or hold white space, was '" + host + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
    }

    /**
     * The address a node connects to: a host and a port of 1 to 65535.
     *
     * @param option what the value is called, for the message (e.g. {@code --seeds})
     * @param text   the value
     * @throws IllegalArgumentException naming {@code option}, {@code text} and what is wrong
     */
    public static HostPort parse(String option, String text) {
        return parse(option, text, 1, -1);
    }

    /**
     * An address to listen on: as {@link #parse}, but port 0 (any free port) is allowed too.
     *
     * @throws IllegalArgumentException naming {@code option}, {@code text} and what is wrong
     */
    public static HostPort parseListen(String option, String text) {
        return parse(option, text, 0, -1);
    }

    /**
     * As {@link #parse}, but the port may be left out ({@code 10.0.0.10}, {@code [fd00::1]},
     * {@code dns.example}); then it is {@code defaultPort}.
     *
     * @throws IllegalArgumentException naming {@code option}, {@code text} and what is wrong
     */
    public static HostPort parse(String option, String text, int defaultPort) {
        if (defaultPort < 1 || defaultPort > 65_535) {
            throw new IllegalArgumentException("defaultPort must be 1 to 65535, was " + defaultPort);
        }
        return parse(option, text, 1, defaultPort);
    }

    private static HostPort parse(String option, String text, int lowestPort, int defaultPort) {
        if (text == null) {
            throw refused(option, null, "it is missing");
        }
        if (text.isEmpty()) {
            throw refused(option, text, "it is empty");
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw refused(option, text, "the '[' of an IPv6 address is not closed");
            }
            host = text.substring(1, close);
            if (host.indexOf(':') < 0) {
                throw refused(option, text, "brackets are for IPv6 addresses only");
            }
            String rest = text.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw refused(option, text, "after ']' comes ':' and the port");
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw refused(option, text, "an IPv6 address must be in brackets (its last group could be the port)");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isBlank()) {
            throw refused(option, text, "the host is missing");
        }
        if (host.chars().anyMatch(Character::isWhitespace)) {
            throw refused(option, text, "the host holds white space");
        }
        if (port == null) {
            if (defaultPort < 0) {
                throw refused(option, text, "the port is missing");
            }
            return new HostPort(host, defaultPort);
        }
        return new HostPort(host, port(option, text, port, lowestPort));
    }

    private static int port(String option, String text, String port, int lowest) {
        if (port.isEmpty()) {
            throw refused(option, text, "the port is missing");
        }
        int value;
        try {
            value = port.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.parseInt(port) : -1;
        } catch (NumberFormatException tooLong) {
            value = Integer.MAX_VALUE;
        }
        if (value < 0) {
            throw refused(option, text, "the port '" + port + "' is not a number");
        }
        if (value < lowest || value > 65_535) {
            throw refused(option, text, "the port must be " + lowest + " to 65535"
                    + (lowest == 0 ? " (0: any free port)" : ""));
        }
        return value;
    }

    private static IllegalArgumentException refused(String option, String text, String why) {
        String was = text == null ? "" : ", was '" + text + "'";
        return new IllegalArgumentException(option + " must be " + SHAPE + was + ": " + why);
    }

    /**
     * The address of a socket: its IP address when it has one (a bound or connected socket), else
     * the name it was made with.
     */
    public static HostPort of(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return new HostPort(host, address.getPort());
    }

    /**
     * {@code host:port} of a socket address, for logs and for peers; what is not an IP socket
     * address (an in-memory channel's) as it prints itself.
     */
    public static String format(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? of(inet).toString() : String.valueOf(address);
    }

    /**
     * The host of a socket address without the port, as an IP address when it has one: what a
     * per-host limit or log throttle counts by.
     */
    public static String hostOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    /** This address with another host, the same port. */
    public HostPort withHost(String otherHost) {
        return new HostPort(otherHost, port);
    }

    /** An unresolved socket address: resolving is left to the connect or the bind. */
    public InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Whether the host is a loopback name or address, which no other machine can reach. */
    public boolean isLoopback() {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    /** Whether the host stands for every interface of this machine ({@code 0.0.0.0} or {@code ::}). */
    public boolean isWildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** {@code host:port}, an IPv6 host in brackets: what {@link #parse} reads back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
