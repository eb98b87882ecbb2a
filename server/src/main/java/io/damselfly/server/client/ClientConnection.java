package io.damselfly.server.client;

import java.net.SocketAddress;

/**
 * The transport under a {@link ClientSession}, as far as the session needs one: where it is,
 * what waits to be written, and how to end it. A network connection is one (see net/); a
 * session that runs commands without a socket (a script's client, the near-cache's upstream
 * work) uses {@link #NONE}.
 */
public interface ClientConnection {
    /** The peer's address, or null when there is none. */
    SocketAddress remoteAddress();

    /** The local address, or null when there is none. */
    SocketAddress localAddress();

    /** The file descriptor CLIENT LIST shows, or -1 (as Redis shows for a script's client). */
    int fd();

    /** Reply bytes queued and not yet written (CLIENT LIST omem). */
    long pendingOutputBytes();

    boolean isOpen();

    /** Ends the connection; safe from any thread. */
    void close();

    /** No transport: always open, nothing pending, nothing to close. */
    ClientConnection NONE = new ClientConnection() {
        @Override
        public SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public SocketAddress localAddress() {
            return null;
        }

        @Override
        public int fd() {
            return -1;
        }

        @Override
        public long pendingOutputBytes() {
            return 0;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    };
}
