package io.damselfly.server.aof;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manifest of a multi-part AOF (Redis 7.0's aofManifest): which file is the base, which incr
 * files follow it in order, which history files wait for deletion, and the last sequence numbers
 * used, read from and written to {@code <appendfilename>.manifest} in the AOF directory.
 *
 * <p>Design: a mutable model, as Redis's, used from one thread at a time. A change that must not
 * be seen before it is on disk (a rewrite's new base, a new incr file) is made on a {@link #copy}
 * which replaces the live manifest only once {@link #persist} succeeded (aofManifestDup). The
 * text is Redis's byte for byte: one line per file, {@code file <name> seq <n> type <b|h|i>},
 * base first, then history, then incr (getAofManifestAsString); a name that needs it is written
 * quoted as sdscatrepr does and read back by sdssplitargs's rules. The parser follows
 * aofLoadManifestFromFile to the letter, quirks included: it reads the file as fgets does with a
 * 1025-byte buffer, so a line of more than 1024 bytes, or a last line without its newline, is
 * "too long"; a line is a C string (a NUL byte ends it); {@code seq} is read as atoll (garbage
 * is 0, which is "Invalid"); keys are matched ignoring case and unknown keys are ignored.
 *
 * <p>File names are Java strings; on disk they are UTF-8 (the JVM's file name encoding here), and
 * in the manifest a byte that is not printable ASCII is written {@code \xNN}, as Redis writes it.
 * A manifest naming a file with bytes that are not UTF-8 would not round-trip (Redis never writes
 * one: the names come from appendfilename).
 */
public final class AofManifest {
    private static final Logger log = LoggerFactory.getLogger(AofManifest.class);

    /** The kinds of file a manifest lists, with the letter the manifest writes for each. */
    public enum Type {
        BASE('b'), HISTORY('h'), INCR('i');

        /** The letter after {@code type} in the manifest. */
        public final char letter;

        Type(char letter) {
            this.letter = letter;
        }
    }

    /** One line of the manifest (aofInfo): a file name in the AOF directory, its sequence number and kind. */
    public record AofFile(String name, long seq, Type type) {
        public AofFile {
            Objects.requireNonNull(name);
            Objects.requireNonNull(type);
        }

        AofFile as(Type other) {
            return new AofFile(name, seq, other);
        }
    }

    /**
     * A manifest Redis would refuse to load: {@link #getMessage} is Redis's reason ("Invalid AOF
     * manifest file format" ...), {@link #logLines} the "FATAL AOF MANIFEST FILE ERROR" block.
     */
    public static final class FormatException extends IOException {
        private final int lineNumber;
        private final String line;

        FormatException(String reason, int lineNumber, String line) {
            super(reason);
            this.lineNumber = lineNumber;
            this.line = line;
        }

        /**
         * The messages aofLoadManifestFromFile logs at warning level before it exits, one
         * serverLog call each, with Redis's own newlines (the first starts with one, each ends
         * with one): log each as is. The line number and the line appear only when Redis shows them.
         */
        public List<String> logLines() {
            List<String> lines = new ArrayList<>(4);
            lines.add("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            if (line != null) {
                lines.add("Reading the manifest file, at line " + lineNumber + "\n");
                lines.add(">>> '" + line + "'\n");
            }
            lines.add(getMessage() + "\n");
            return lines;
        }
    }

    // naming rules (aof.c)
    static final String BASE_FILE_SUFFIX = ".base";
    static final String INCR_FILE_SUFFIX = ".incr";
    static final String RDB_FORMAT_SUFFIX = ".rdb";
    static final String AOF_FORMAT_SUFFIX = ".aof";
    static final String MANIFEST_NAME_SUFFIX = ".manifest";
    static final String TEMP_FILE_NAME_PREFIX = "temp-";

    /** MANIFEST_MAX_LINE: the longest manifest line Redis reads, newline included. */
    static final int MANIFEST_MAX_LINE = 1024;

    private AofFile base;
    private final List<AofFile> history = new ArrayList<>();
    private final List<AofFile> incr = new ArrayList<>();
    private long currentBaseSeq;
    private long currentIncrSeq;
    private boolean dirty;

    /** An empty manifest (aofManifestCreate): no files, sequences at 0. */
    public AofManifest() {
    }

    // ---------------------------------------------------------------- names

    /** {@code <appendfilename>.manifest} (getAofManifestFileName). */
    public static String manifestName(String aofFileName) {
        return aofFileName + MANIFEST_NAME_SUFFIX;
    }

    /** {@code temp-<appendfilename>.manifest} (getTempAofManifestFileName): what persist writes first. */
    public static String tempManifestName(String manifestName) {
        return TEMP_FILE_NAME_PREFIX + manifestName;
    }

    /** {@code temp-<appendfilename>.incr} (getTempIncrAofName): the incr file of AOF_WAIT_REWRITE. */
    public static String tempIncrFileName(String aofFileName) {
        return TEMP_FILE_NAME_PREFIX + aofFileName + INCR_FILE_SUFFIX;
    }

    // ---------------------------------------------------------------- reading

    /** The base file, or null. */
    public AofFile base() {
        return base;
    }

    /** The history files, in manifest order (unmodifiable view). */
    public List<AofFile> history() {
        return Collections.unmodifiableList(history);
    }

    /** The incr files, in manifest (and loading) order (unmodifiable view). */
    public List<AofFile> incrs() {
        return Collections.unmodifiableList(incr);
    }

    /** The sequence number of the newest base (curr_base_file_seq). */
    public long currentBaseSeq() {
        return currentBaseSeq;
    }

    /** The sequence number of the newest incr file (curr_incr_file_seq). */
    public long currentIncrSeq() {
        return currentIncrSeq;
    }

    /** Whether the model changed since it was read or last persisted. */
    public boolean dirty() {
        return dirty;
    }

    /** Whether the manifest names neither a base nor an incr file (nothing to load). */
    public boolean hasNoData() {
        return base == null && incr.isEmpty();
    }

    /** How many files a load reads: the base, if any, and the incr files (getBaseAndIncrAppendOnlyFilesNum). */
    public int baseAndIncrCount() {
        return (base == null ? 0 : 1) + incr.size();
    }

    /** A deep copy to change and swap in once persisted (aofManifestDup). */
    public AofManifest copy() {
        AofManifest c = new AofManifest();
        c.base = base;
        c.history.addAll(history);
        c.incr.addAll(incr);
        c.currentBaseSeq = currentBaseSeq;
        c.currentIncrSeq = currentIncrSeq;
        c.dirty = dirty;
        return c;
    }

    // ---------------------------------------------------------------- text

    /** The manifest's text as Redis writes it (getAofManifestAsString): base, then history, then incr. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        if (base != null) {
            formatLine(sb, base);
        }
        for (AofFile f : history) {
            formatLine(sb, f);
        }
        for (AofFile f : incr) {
            formatLine(sb, f);
        }
        return sb.toString();
    }

    /** aofInfoFormat: one line, the name quoted when sdsneedsrepr says so. */
    private static void formatLine(StringBuilder sb, AofFile f) {
        byte[] name = f.name().getBytes(StandardCharsets.UTF_8);
        sb.append("file ").append(needsRepr(name) ? repr(name) : f.name())
                .append(" seq ").append(f.seq())
                .append(" type ").append(f.type().letter).append('\n');
    }

    /** sdsneedsrepr: a byte sdssplitargs would not read back as itself outside quotes. */
    static boolean needsRepr(byte[] s) {
        for (byte b : s) {
            if (b == '\\' || b == '"' || !isPrint(b) || isSpace(b)) {
                return true;
            }
        }
        return false;
    }

    /** sdscatrepr: a double-quoted string with C escapes and \xNN for the rest. */
    static String repr(byte[] s) {
        StringBuilder sb = new StringBuilder(s.length + 2).append('"');
        for (byte b : s) {
            switch (b) {
                case '\\', '"' -> sb.append('\\').append((char) b);
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default -> {
                    if (isPrint(b)) {
                        sb.append((char) b);
                    } else {
                        sb.append(String.format("\\x%02x", b & 0xff));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** C isprint in the C locale. */
    private static boolean isPrint(int b) {
        return b >= 0x20 && b <= 0x7e;
    }

    /** C isspace in the C locale. */
    static boolean isSpace(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
    }

    /** Parses a manifest's text (aofLoadManifestFromFile's rules and errors). */
    public static AofManifest parse(String text) throws FormatException {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses a manifest's bytes (aofLoadManifestFromFile's rules and errors). */
    public static AofManifest parse(byte[] text) throws FormatException {
        AofManifest am = new AofManifest();
        long maxSeq = 0;
        int lineNumber = 0;
        int pos = 0;
        while (true) {
            // fgets(buf, MANIFEST_MAX_LINE + 1): up to 1024 bytes, or through the newline
            if (pos >= text.length) {
                if (lineNumber == 0) {
                    throw new FormatException("Found an empty AOF manifest", 0, null);
                }
                break;
            }
            int end = pos;
            int limit = Math.min(text.length, pos + MANIFEST_MAX_LINE);
            while (end < limit && text[end] != '\n') {
                end++;
            }
            boolean newline = end < limit; // text[end] == '\n'
            int chunkEnd = newline ? end + 1 : end;
            int cEnd = cStringEnd(text, pos, chunkEnd); // what C sees of the buffer
            int start = pos;
            pos = chunkEnd;
            lineNumber++;

            if (cEnd > start && text[start] == '#') {
                continue; // a comment
            }
            if (!newline || cEnd < end) {
                // strchr(buf, '\n') finds none: no newline within 1024 bytes, or a NUL before it
                throw new FormatException("The AOF manifest file contains too long line", lineNumber, null);
            }
            String trimmed = trim(text, start, cEnd);
            // shown as the file's bytes (UTF-8), split as C does, byte by byte (ISO-8859-1)
            String line = new String(trimmed.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            if (line.isEmpty()) {
                throw new FormatException("Invalid AOF manifest file format", lineNumber, line);
            }
            List<byte[]> argv = splitArgs(trimmed.getBytes(StandardCharsets.ISO_8859_1));
            if (argv == null || argv.size() < 6 || argv.size() % 2 != 0) {
                throw new FormatException("Invalid AOF manifest file format", lineNumber, line);
            }
            String name = null;
            long seq = 0;
            int type = 0;
            for (int i = 0; i < argv.size(); i += 2) {
                String key = cString(argv.get(i));
                byte[] value = argv.get(i + 1);
                if (key.equalsIgnoreCase("file")) {
                    byte[] raw = cBytes(value);
                    name = new String(raw, StandardCharsets.UTF_8);
                    if (!isBaseName(raw)) {
                        throw new FormatException("File can't be a path, just a filename", lineNumber, line);
                    }
                } else if (key.equalsIgnoreCase("seq")) {
                    seq = CNumbers.strtol(value, 0);
                } else if (key.equalsIgnoreCase("type")) {
                    type = value.length == 0 ? 0 : value[0];
                }
            }
            // C tests the name's pointer: a quoted empty name ("") is a name
            if (name == null || seq == 0 || type == 0) {
                throw new FormatException("Invalid AOF manifest file format", lineNumber, line);
            }
            if (type == 'b') {
                if (am.base != null) {
                    throw new FormatException("Found duplicate base file information", lineNumber, line);
                }
                am.base = new AofFile(name, seq, Type.BASE);
                am.currentBaseSeq = seq;
            } else if (type == 'h') {
                am.history.add(new AofFile(name, seq, Type.HISTORY));
            } else if (type == 'i') {
                if (seq <= maxSeq) {
                    throw new FormatException("Found a non-monotonic sequence number", lineNumber, line);
                }
                am.incr.add(new AofFile(name, seq, Type.INCR));
                am.currentIncrSeq = seq;
                maxSeq = seq;
            } else {
                throw new FormatException("Unknown AOF file type", lineNumber, line);
            }
        }
        return am;
    }

    /** The end of the C string that starts at {@code from}: the first NUL, or {@code to}. */
    private static int cStringEnd(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return to;
    }

    /** sdstrim(line, " \t\r\n"), the bytes kept one char each (ISO-8859-1) so that the shown line is the file's. */
    private static String trim(byte[] b, int from, int to) {
        while (from < to && isTrimmed(b[from])) {
            from++;
        }
        while (to > from && isTrimmed(b[to - 1])) {
            to--;
        }
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isTrimmed(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    /** The bytes before the first NUL: what sdsnew(argv[i]) keeps of a split argument. */
    private static byte[] cBytes(byte[] b) {
        int end = cStringEnd(b, 0, b.length);
        return end == b.length ? b : java.util.Arrays.copyOf(b, end);
    }

    private static String cString(byte[] b) {
        return new String(cBytes(b), StandardCharsets.ISO_8859_1);
    }

    /** pathIsBaseName: no '/' and no '\'. */
    private static boolean isBaseName(byte[] name) {
        for (byte b : name) {
            if (b == '/' || b == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * sdssplitargs: space-separated tokens; "..." with \xNN and \n \r \t \b \a escapes (any other
     * escaped byte stands for itself), '...' with \' only; a closing quote must be followed by a
     * space or the end. Null for unbalanced quotes or a quote closed against a token.
     */
    static List<byte[]> splitArgs(byte[] line) {
        List<byte[]> out = new ArrayList<>();
        int p = 0;
        int n = line.length;
        while (true) {
            while (p < n && isSpace(line[p])) {
                p++;
            }
            if (p >= n) {
                return out;
            }
            ByteArrayOutputStream current = new ByteArrayOutputStream();
            boolean inq = false;
            boolean insq = false;
            boolean done = false;
            while (!done) {
                int c = p < n ? line[p] : 0; // the C string's terminating NUL
                int next = p + 1 < n ? line[p + 1] : 0;
                if (inq) {
                    if (c == '\\' && next == 'x' && p + 3 < n && isHex(line[p + 2]) && isHex(line[p + 3])) {
                        current.write(Character.digit(line[p + 2], 16) * 16 + Character.digit(line[p + 3], 16));
                        p += 3;
                    } else if (c == '\\' && next != 0) {
                        p++;
                        current.write(switch (line[p]) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> line[p];
                        });
                    } else if (c == '"') {
                        if (next != 0 && !isSpace(next)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null; // unterminated quotes
                    } else {
                        current.write(c);
                    }
                } else if (insq) {
                    if (c == '\\' && next == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (next != 0 && !isSpace(next)) {
                            return null;
                        }
                        done = true;
                    } else if (c == 0) {
                        return null;
                    } else {
                        current.write(c);
                    }
                } else {
                    switch (c) {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inq = true;
                        case '\'' -> insq = true;
                        default -> current.write(c);
                    }
                }
                if (p < n) {
                    p++;
                }
            }
            out.add(current.toByteArray());
        }
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    // ---------------------------------------------------------------- disk

    /**
     * Reads {@code <aofDir>/<manifestName>} (aofLoadManifestFromDisk): null when the directory or
     * the file does not exist (a first start, or an old-style AOF to upgrade); a
     * {@link FormatException} for a manifest Redis would refuse; an IOException with Redis's
     * message when it cannot be read (logged here, as Redis logs it before exiting).
     */
    public static AofManifest load(Path aofDir, String manifestName) throws IOException {
        if (!Files.isDirectory(aofDir)) {
            log.trace("The AOF directory {} doesn't exist", aofDir);
            return null;
        }
        Path file = aofDir.resolve(manifestName);
        if (!Files.isRegularFile(file)) {
            log.trace("The AOF manifest file {} doesn't exist", manifestName);
            return null;
        }
        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (IOException e) {
            String msg = "Fatal error: can't open the AOF manifest file " + file + " for reading: " + reason(e);
            log.warn(msg);
            throw new IOException(msg, e);
        }
        return parse(text);
    }

    /**
     * Writes the manifest if it changed (persistAofManifest): {@code temp-<manifestName>}, fsync,
     * renamed over {@code <manifestName>}, then the directory fsynced, as new files may have
     * been added to it. A failure is logged as Redis logs it and thrown with that message; the
     * manifest then stays dirty.
     */
    public void persist(Path aofDir, String manifestName) throws IOException {
        if (!dirty) {
            return;
        }
        String tempName = tempManifestName(manifestName);
        Path temp = aofDir.resolve(tempName);
        Path target = aofDir.resolve(manifestName);
        byte[] text = format().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            try {
                ByteBuffer buf = ByteBuffer.wrap(text);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            } catch (IOException e) {
                throw failed("Error trying to write the temporary AOF manifest file " + tempName + ": " + reason(e), e);
            }
            try {
                ch.force(true);
            } catch (IOException e) {
                throw failed("Fail to fsync the temp AOF file " + tempName + ": " + reason(e) + ".", e);
            }
        } catch (ManifestWriteException e) {
            throw e;
        } catch (IOException e) {
            throw failed("Can't open the AOF manifest file " + tempName + ": " + reason(e), e);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw failed("Error trying to rename the temporary AOF manifest file " + tempName + " into "
                    + manifestName + ": " + reason(e), e);
        }
        try {
            fsyncDirectory(aofDir);
        } catch (IOException e) {
            throw failed("Fail to fsync AOF directory " + target + ": " + reason(e) + ".", e);
        }
        dirty = false;
    }

    /** An IOException whose message was logged already. */
    private static final class ManifestWriteException extends IOException {
        ManifestWriteException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static ManifestWriteException failed(String message, IOException cause) {
        log.warn(message);
        return new ManifestWriteException(message, cause);
    }

    /** fsyncFileDir: makes a rename or a new file in {@code dir} durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** What strerror would say, near enough: the exception's reason without its class. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    // ---------------------------------------------------------------- changes

    /**
     * Makes the base, if any, a history file (first in the history list) and adds a new base
     * named {@code <appendfilename>.<seq>.base.rdb} (or {@code .aof} without the RDB preamble)
     * with the next base sequence number; returns its name (getNewBaseFileNameAndMarkPreAsHistory).
     */
    public String newBaseFileNameAndMarkPreviousAsHistory(String aofFileName, boolean rdbPreamble) {
        if (base != null) {
            history.add(0, base.as(Type.HISTORY));
        }
        long seq = ++currentBaseSeq;
        String name = aofFileName + "." + seq + BASE_FILE_SUFFIX + (rdbPreamble ? RDB_FORMAT_SUFFIX : AOF_FORMAT_SUFFIX);
        base = new AofFile(name, seq, Type.BASE);
        dirty = true;
        return name;
    }

    /** Adds a new last incr file {@code <appendfilename>.<seq>.incr.aof} with the next incr sequence number; returns its name (getNewIncrAofName). */
    public String newIncrFileName(String aofFileName) {
        long seq = ++currentIncrSeq;
        String name = aofFileName + "." + seq + INCR_FILE_SUFFIX + AOF_FORMAT_SUFFIX;
        incr.add(new AofFile(name, seq, Type.INCR));
        dirty = true;
        return name;
    }

    /** The last incr file's name, adding a new one when there is none (getLastIncrAofName). */
    public String lastIncrFileName(String aofFileName) {
        return incr.isEmpty() ? newIncrFileName(aofFileName) : incr.get(incr.size() - 1).name();
    }

    /**
     * After a successful rewrite, turns the incr files into history files, put at the head of the
     * history list, newest first, as Redis does (markRewrittenIncrAofAsHistory). With
     * {@code keepLast} (Redis: the AOF is open, aof_fd != -1) the last incr file is the one
     * being written and stays.
     */
    public void markRewrittenIncrsAsHistory(boolean keepLast) {
        if (incr.isEmpty()) {
            return;
        }
        int last = keepLast ? incr.size() - 1 : incr.size();
        // Redis walks from the tail and adds each at the head, so the oldest ends up first
        for (int i = last - 1; i >= 0; i--) {
            history.add(0, incr.remove(i).as(Type.HISTORY));
        }
        dirty = true;
    }

    /**
     * Deletes the history files from {@code aofDir} and from the model, logging "Removing the
     * history file %s in the background" for each, and marks the manifest changed; returns the
     * names removed. The caller persists afterwards and checks aof-disable-auto-gc first, as
     * aofDelHistoryFiles does. Redis unlinks in a background thread: this deletes on the calling
     * thread, so call it where a file system call may wait. A file already gone is no error;
     * another failure to delete is logged and the entry still leaves the model (Redis does not
     * look at bg_unlink's outcome either).
     */
    public List<String> deleteHistoryFiles(Path aofDir) {
        if (history.isEmpty()) {
            return List.of();
        }
        List<String> removed = new ArrayList<>(history.size());
        for (AofFile f : history) {
            log.info("Removing the history file {} in the background", f.name());
            try {
                Files.deleteIfExists(aofDir.resolve(f.name()));
            } catch (IOException e) {
                log.warn("Cannot remove the history file {}: {}", f.name(), reason(e));
            }
            removed.add(f.name());
        }
        history.clear();
        dirty = true;
        return removed;
    }

    /**
     * The old-style upgrade (aofUpgradePrepare): {@code <dir>/<appendfilename>} becomes the base
     * (seq 1) of this manifest, the manifest is persisted in {@code aofDir} (created if missing)
     * and the old file moved into it; logs "Successfully migrated an old-style AOF file ..." as
     * Redis does. A failure is logged with Redis's message and thrown (Redis exits); a crash
     * half-way is retried at the next start, as in Redis (see {@link AofLoading}).
     */
    public void upgradeFromOldStyle(Path dir, Path aofDir, String aofFileName) throws IOException {
        try {
            Files.createDirectories(aofDir);
        } catch (IOException e) {
            String msg = "Can't open or create append-only dir " + aofDir + ": " + reason(e);
            log.warn(msg);
            throw new IOException(msg, e);
        }
        base = new AofFile(aofFileName, 1, Type.BASE);
        currentBaseSeq = 1;
        dirty = true;
        persist(aofDir, manifestName(aofFileName));
        try {
            Files.move(dir.resolve(aofFileName), aofDir.resolve(aofFileName), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            String msg = "Error trying to move the old AOF file " + aofFileName + " into dir " + aofDir + ": " + reason(e);
            log.warn(msg);
            throw new IOException(msg, e);
        }
        log.info("Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).", aofFileName, aofDir);
    }

    // ---------------------------------------------------------------- sizes

    /** The size of one file of the AOF directory, for INFO's aof sizes; 0 when it cannot be read (getAppendOnlyFileSize). */
    public static long fileSize(Path aofDir, String name) {
        try {
            return Files.size(aofDir.resolve(name));
        } catch (IOException e) {
            log.warn("Unable to obtain the AOF file {} length. stat: {}", name, reason(e));
            return 0;
        }
    }

    /** The base file's size, 0 without a base (what Redis sets aof_rewrite_base_size to after a load). */
    public long baseSize(Path aofDir) {
        return base == null ? 0 : fileSize(aofDir, base.name());
    }

    @Override
    public String toString() {
        return format();
    }
}
