package io.damselfly.server.testing;

import io.damselfly.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * A client that sends some commands and then never reads: a socket with a 4 KiB receive buffer,
 * so what the server writes to it piles up in the server (the slow subscriber or monitor of the
 * output-buffer-limit tests). Closed by the test.
 */
public final class NonReadingClient implements AutoCloseable {
    private final Socket socket = new Socket();

    /** Connects, names the client with CLIENT SETNAME {@code name} and sends {@code command}. */
    public NonReadingClient(EmbeddedServer server, String name, String... command) throws IOException {
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(server.host(), server.port()));
        socket.getOutputStream().write(RawClient.encode("CLIENT", "SETNAME", name));
        socket.getOutputStream().write(RawClient.encode((Object[]) command));
        socket.getOutputStream().flush();
    }

    /**
     * Reads everything the server sent until the connection ends: whether the server closed it
     * within 10 seconds.
     */
    public boolean closedByServer() throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[65536];
        try {
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
