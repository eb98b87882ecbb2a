package io.damselfly.server.replica;

import io.damselfly.protocol.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The connection to the primary, as a replica speaks it (replication.c syncWithMaster and
 * readSyncBulkPayload): the handshake (PING, AUTH with masterauth, REPLCONF listening-port and
 * capa eof and psync2, PSYNC with the replication id and next offset of the primary this replica
 * followed last, or ? -1), the stream at once after +CONTINUE, or the snapshot that follows
 * +FULLRESYNC, written to a temporary file: one bulk of known length from a primary that saved
 * it to disk, or {@code $EOF:<40-byte mark>}, the image and the mark again from one that streams
 * it as it makes it (diskless sync; the replica finds the end where a read ends with the mark,
 * as readSyncBulkPayload does, since the primary sends nothing more until this replica's first
 * acknowledgement). Then the replication stream, one command at a time with the bytes it took,
 * which is how the replica counts its offset.
 *
 * <p>Protocol errors and anything unexpected close the link; {@link ReplicaRole} connects again.
 * A command frame is bounded ({@link #MAX_BULK}), so a broken primary cannot make this grow
 * without bound. Runs on the link's own event loop; the file is written there, never on a
 * client's loop.
 */
final class MasterLink extends ByteToMessageDecoder {
    /** Largest argument the stream may carry (Redis's proto-max-bulk-len default). */
    static final long MAX_BULK = 512L * 1024 * 1024;
    private static final int MAX_ARGS = 1024 * 1024;

    /** What the link tells its role. */
    interface Events {
        /** The connection is up: the handshake begins. */
        void connected();

        /** Bytes arrived (any: a handshake reply, the file, the stream, a keep-alive newline). */
        void received();

        /** The primary accepted the handshake and sends a snapshot of {@code length} bytes. */
        void fullResync(String replId, long offset);

        /**
         * The primary continues the stream where this replica asked (+CONTINUE); {@code newReplId}
         * is the id it gave, or null when it gave none (the same as asked for).
         */
        void continued(String newReplId);

        /** The primary answered PSYNC with neither +CONTINUE nor +FULLRESYNC ({@code reply}); the link fails next. */
        void psyncRefused(String reply);

        /** The snapshot is in {@code file}: load it (on this link's thread). */
        void snapshotReceived(Path file) throws IOException;

        /** One command of the stream and its bytes as they came ({@code frame}, valid during the call). */
        void command(byte[][] argv, ByteBuf frame);

        /** The link failed; {@code why} for the log. */
        void failed(String why);
    }

    private enum Step { PONG, AUTH, PORT, IP, CAPA, PSYNC, BULK_LENGTH, BULK, STREAM }

    private final Events events;
    private final String[] auth;
    private final int listeningPort;
    /** replica-announce-ip, told with REPLCONF ip-address; empty for none. */
    private final String announceIp;
    private final Path tempFile;
    /**
     * PSYNC's arguments when the handshake gets there: the primary's id and next offset ("? -1"
     * for a full synchronisation), and FAILOVER when the primary is asked to take over.
     */
    private final Supplier<String[]> psyncRequest;
    private Step step = Step.PONG;
    private FileChannel file;
    /** Bytes of the snapshot still to come, when its length was given. */
    private long bulkLeft;
    /** The end mark of a streamed snapshot ({@code $EOF:}), or null when its length was given. */
    private byte[] eofMark;
    /** The last {@link #EOF_MARK_LENGTH} bytes of a streamed snapshot received so far. */
    private final byte[] lastBytes = new byte[EOF_MARK_LENGTH];
    private long streamedBytes;
    /** Redis's CONFIG_RUN_ID_SIZE: the length of a diskless transfer's end mark. */
    static final int EOF_MARK_LENGTH = 40;

    /**
     * {@code auth} is AUTH's arguments (masteruser, masterauth), or null; {@code announceIp} is
     * replica-announce-ip ("" for none); {@code psyncRequest} answers PSYNC's arguments.
     */
    MasterLink(Events events, String[] auth, int listeningPort, String announceIp, Path tempFile,
            Supplier<String[]> psyncRequest) {
        this.events = events;
        this.auth = auth;
        this.listeningPort = listeningPort;
        this.announceIp = announceIp;
        this.tempFile = tempFile;
        this.psyncRequest = psyncRequest;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        events.connected();
        send(ctx.channel(), "PING");
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        events.received();
        while (in.isReadable()) {
            if (step == Step.BULK && eofMark != null) {
                if (!streamed(in)) {
                    return;
                }
                step = Step.STREAM;
                events.snapshotReceived(tempFile);
                continue;
            }
            if (step == Step.BULK) {
                int n = (int) Math.min(bulkLeft, in.readableBytes());
                in.readBytes(file, n);
                bulkLeft -= n;
                if (bulkLeft > 0) {
                    return;
                }
                file.force(false);
                file.close();
                file = null;
                step = Step.STREAM;
                events.snapshotReceived(tempFile);
                continue;
            }
            if (step == Step.STREAM) {
                if (!command(in)) {
                    return;
                }
                continue;
            }
            String line = line(in);
            if (line == null) {
                return;
            }
            handshake(ctx, line);
        }
    }

    /** One handshake reply, and the next request. */
    private void handshake(ChannelHandlerContext ctx, String line) throws IOException {
        if (line.isEmpty() && (step == Step.PSYNC || step == Step.BULK_LENGTH)) {
            // newlines are the primary's keep-alives while it prepares the snapshot
            return;
        }
        switch (step) {
            case PONG -> {
                if (line.startsWith("-") && !line.startsWith("-NOAUTH")) {
                    fail(ctx, "Error reply to PING from master: '" + line + "'");
                    return;
                }
                if (auth != null) {
                    step = Step.AUTH;
                    List<String> a = new ArrayList<>(List.of("AUTH"));
                    a.addAll(List.of(auth));
                    send(ctx.channel(), a.toArray(String[]::new));
                } else {
                    sendPort(ctx);
                }
            }
            case AUTH -> {
                if (!line.startsWith("+")) {
                    fail(ctx, "Unable to AUTH to MASTER: " + line);
                    return;
                }
                sendPort(ctx);
            }
            case PORT, IP -> {
                // an error to either is only logged by Redis (an old primary): go on
                if (step == Step.PORT && !announceIp.isEmpty()) {
                    step = Step.IP;
                    send(ctx.channel(), "REPLCONF", "ip-address", announceIp);
                    return;
                }
                step = Step.CAPA;
                send(ctx.channel(), "REPLCONF", "capa", "eof", "capa", "psync2");
            }
            case CAPA -> {
                step = Step.PSYNC;
                List<String> psync = new ArrayList<>(List.of("PSYNC"));
                psync.addAll(List.of(psyncRequest.get()));
                send(ctx.channel(), psync.toArray(String[]::new));
            }
            case PSYNC -> {
                String[] f = line.split(" ");
                if (f[0].equals("+CONTINUE")) {
                    step = Step.STREAM;
                    events.continued(f.length > 1 && !f[1].isEmpty() ? f[1] : null);
                    return;
                }
                if (!f[0].equals("+FULLRESYNC") || f.length < 3) {
                    events.psyncRefused(line);
                    fail(ctx, "Unexpected reply to PSYNC from master: " + line);
                    return;
                }
                events.fullResync(f[1], Long.parseLong(f[2]));
                step = Step.BULK_LENGTH;
            }
            case BULK_LENGTH -> {
                if (!line.startsWith("$")) {
                    fail(ctx, "Bad protocol from MASTER, the first byte is not '$' (we received '" + line + "')");
                    return;
                }
                if (line.startsWith("$EOF:")) {
                    if (line.length() != 5 + EOF_MARK_LENGTH) {
                        fail(ctx, "Bad EOF mark from MASTER: '" + line + "'");
                        return;
                    }
                    eofMark = line.substring(5).getBytes(StandardCharsets.ISO_8859_1);
                    streamedBytes = 0;
                } else {
                    eofMark = null;
                    bulkLeft = Long.parseLong(line.substring(1));
                }
                file = FileChannel.open(tempFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                step = Step.BULK;
            }
            default -> fail(ctx, "unexpected handshake state " + step);
        }
    }

    /**
     * Writes what arrived of a streamed snapshot to the file; true once it ended with the mark
     * (then cut from the file, which is closed).
     */
    private boolean streamed(ByteBuf in) throws IOException {
        int n = in.readableBytes();
        // the last bytes seen, across reads, to compare with the mark
        if (n >= EOF_MARK_LENGTH) {
            in.getBytes(in.writerIndex() - EOF_MARK_LENGTH, lastBytes);
        } else {
            System.arraycopy(lastBytes, n, lastBytes, 0, EOF_MARK_LENGTH - n);
            in.getBytes(in.readerIndex(), lastBytes, EOF_MARK_LENGTH - n, n);
        }
        while (in.isReadable()) {
            in.readBytes(file, in.readableBytes());
        }
        streamedBytes += n;
        if (streamedBytes < EOF_MARK_LENGTH || !java.util.Arrays.equals(lastBytes, eofMark)) {
            return false;
        }
        file.truncate(streamedBytes - EOF_MARK_LENGTH);
        file.force(false);
        file.close();
        file = null;
        eofMark = null;
        return true;
    }

    private void sendPort(ChannelHandlerContext ctx) {
        step = Step.PORT;
        send(ctx.channel(), "REPLCONF", "listening-port", Integer.toString(listeningPort));
    }

    /**
     * One command of the stream if all of it has arrived (false otherwise, nothing consumed).
     * Only multibulk frames: a primary never sends inline commands in the stream.
     */
    private boolean command(ByteBuf in) {
        int start = in.readerIndex();
        if (in.getByte(start) == '\n') {
            // a keep-alive newline: counted by neither side
            in.skipBytes(1);
            return true;
        }
        if (in.getByte(start) != '*') {
            throw new IllegalStateException("the replication stream is not a command: '" + (char) in.getByte(start) + "'");
        }
        String count = line(in);
        if (count == null) {
            in.readerIndex(start);
            return false;
        }
        int argc = Integer.parseInt(count.substring(1));
        if (argc < 1 || argc > MAX_ARGS) {
            throw new IllegalStateException("bad argument count in the replication stream: " + argc);
        }
        byte[][] argv = new byte[argc][];
        for (int i = 0; i < argc; i++) {
            String len = line(in);
            if (len == null) {
                in.readerIndex(start);
                return false;
            }
            if (!len.startsWith("$")) {
                throw new IllegalStateException("expected a bulk string in the replication stream, got '" + len + "'");
            }
            long n = Long.parseLong(len.substring(1));
            if (n < 0 || n > MAX_BULK) {
                throw new IllegalStateException("bad bulk length in the replication stream: " + n);
            }
            if (in.readableBytes() < n + 2) {
                in.readerIndex(start);
                return false;
            }
            argv[i] = new byte[(int) n];
            in.readBytes(argv[i]);
            in.skipBytes(2);
        }
        events.command(argv, in.slice(start, in.readerIndex() - start));
        return true;
    }

    /** A CRLF- (or LF-) terminated line without its terminator, or null when incomplete. */
    private static String line(ByteBuf in) {
        int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (eol < 0) {
            if (in.readableBytes() > 64 * 1024) {
                throw new IllegalStateException("a line of the replication handshake is too long");
            }
            return null;
        }
        int end = eol > in.readerIndex() && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
        String s = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
        in.readerIndex(eol + 1);
        return s;
    }

    /** Sends a command to the primary, as any client sends one (an array of bulk strings). */
    static void send(Channel channel, String... args) {
        ByteBuf out = channel.alloc().buffer();
        RespWriter.writeArrayHeader(out, args.length);
        for (String a : args) {
            RespWriter.writeBulk(out, a.getBytes(StandardCharsets.UTF_8));
        }
        channel.writeAndFlush(out);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        events.failed(why);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause.toString());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (file != null) {
            file.close();
            file = null;
        }
        events.failed("connection lost");
        super.channelInactive(ctx);
    }
}
