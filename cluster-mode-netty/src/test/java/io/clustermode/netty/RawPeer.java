package io.clustermode.netty;

import io.clustermode.codec.Handshake;
import io.clustermode.codec.HandshakeReply;
import io.clustermode.NodeId;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A hand-driven TCP client that speaks (or abuses) the wire format. */
final class RawPeer implements AutoCloseable {

    final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    RawPeer(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(20_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    /** Sends a hello and returns the answer. */
    HandshakeReply handshake(String cluster, String id) throws Exception {
        return handshake(Handshake.current(cluster, NodeId.of(id)));
    }

    HandshakeReply handshake(Handshake hello) throws Exception {
        sendFrame(hello.encode());
        return HandshakeReply.decode(ByteBuffer.wrap(readFrame()));
    }

    void sendFrame(byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    byte[] readFrame() throws IOException {
        int length = in.readInt();
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    /**
     * Whether the other side closes the connection within the read timeout: end of stream, or a
     * reset (Linux resets when unread input is left behind).
     */
    boolean closedByPeer() throws IOException {
        try {
            byte[] sink = new byte[4096];
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
