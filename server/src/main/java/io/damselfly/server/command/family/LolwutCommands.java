package io.damselfly.server.command.family;

import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.Errors;
import io.damselfly.server.keyspace.Numbers;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * LOLWUT [VERSION v] [...]: Redis 7.0.15's computer art (lolwut.c, lolwut5.c, lolwut6.c). Without
 * VERSION, or with a version that has no drawing, the server's version line; VERSION 5 draws Georg
 * Nees's "Schotter" in braille characters, VERSION 6 a skyline in the terminal's four grays.
 *
 * <p>The drawings are ported step for step, C's float arithmetic and truncations included, so the
 * parts that do not depend on chance (Schotter's first two rows of squares, the skyline's sky)
 * come out byte for byte as redis-server's; the rest uses random numbers, as Redis's rand() does.
 */
public final class LolwutCommands {
    static final String VERSION = "7.0.15";

    /**
     * The largest canvas drawn: 2^24 one-byte pixels. Redis's limits (1000 columns, 200 squares a
     * column) allow a Schotter of 2000 x 399,204 pixels, 800 MB that redis-server allocates and
     * draws; here that would take a heap the data needs, so such a drawing is refused. The
     * defaults need 132 x 196.
     */
    static final long MAX_PIXELS = 1L << 24;
    static final String TOO_LARGE = "ERR LOLWUT drawing too large (at most 16777216 pixels)";

    private LolwutCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("lolwut", LolwutCommands::lolwut);
    }

    /** LOLWUT [VERSION version] [version-specific arguments] */
    static void lolwut(CommandContext c) {
        int first = 1;
        String version = VERSION;
        if (c.argc() >= 3 && c.argIs(1, "version")) {
            long v = longArg(c, 2);
            // as lolwut.c: "%u.0.0" of the version as an unsigned int
            version = Integer.toUnsignedString((int) v) + ".0.0";
            first = 3;
        }
        boolean five = (version.startsWith("5.") && version.charAt(2) != '9') || version.startsWith("4.9");
        boolean six = (version.startsWith("6.") && version.charAt(2) != '9') || version.startsWith("5.9");
        Random rand = ThreadLocalRandom.current();
        String text;
        if (five) {
            long cols = c.argc() > first ? longArg(c, first) : 66;
            long perRow = c.argc() > first + 1 ? longArg(c, first + 1) : 8;
            long perCol = c.argc() > first + 2 ? longArg(c, first + 2) : 12;
            text = schotter((int) clamp(cols, 1000), (int) clamp(perRow, 200), (int) clamp(perCol, 200), rand);
        } else if (six) {
            long cols = c.argc() > first ? longArg(c, first) : 80;
            long rows = c.argc() > first + 1 ? longArg(c, first + 1) : 20;
            text = skyline((int) clamp(cols, 1000), (int) clamp(rows, 1000), rand);
        } else {
            text = "Redis ver. " + VERSION + "\n";
        }
        c.reply().verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
    }

    /** getLongFromObjectOrReply: a long, else Redis's "not an integer" error. */
    private static long longArg(CommandContext c, int i) {
        Long v = Numbers.parseLong(c.arg(i));
        if (v == null) {
            throw new io.damselfly.server.command.CommandError(Errors.NOT_INTEGER);
        }
        return v;
    }

    private static long clamp(long v, long max) {
        return Math.max(1, Math.min(max, v));
    }

    // ---- the canvas (lolwut.c) -------------------------------------------------------------

    /** lwCanvas: one byte per pixel, a color. */
    static final class Canvas {
        final int width;
        final int height;
        final byte[] pixels;

        Canvas(int width, int height, int background) {
            this.width = width;
            this.height = height;
            this.pixels = new byte[width * height];
            java.util.Arrays.fill(pixels, (byte) background);
        }

        void set(int x, int y, int color) {
            if (x >= 0 && x < width && y >= 0 && y < height) {
                pixels[x + y * width] = (byte) color;
            }
        }

        int get(int x, int y) {
            return x < 0 || x >= width || y < 0 || y >= height ? 0 : pixels[x + y * width];
        }

        /** lwDrawLine: Bresenham. */
        void line(int x1, int y1, int x2, int y2, int color) {
            int dx = Math.abs(x2 - x1);
            int dy = Math.abs(y2 - y1);
            int sx = x1 < x2 ? 1 : -1;
            int sy = y1 < y2 ? 1 : -1;
            int err = dx - dy;
            while (true) {
                set(x1, y1, color);
                if (x1 == x2 && y1 == y2) {
                    break;
                }
                int e2 = err * 2;
                if (e2 > -dy) {
                    err -= dy;
                    x1 += sx;
                }
                if (e2 < dx) {
                    err += dx;
                    y1 += sy;
                }
            }
        }

        /** lwDrawSquare: the four corners on a circle, starting at 45 degrees plus the angle. */
        void square(int x, int y, float size, float angle, int color) {
            int[] px = new int[4];
            int[] py = new int[4];
            size = (float) (size / 1.4142135623);
            size = (float) cRound(size);
            float k = (float) (Math.PI / 4 + angle);
            for (int j = 0; j < 4; j++) {
                px[j] = (int) cRound(Math.sin(k) * size + x);
                py[j] = (int) cRound(Math.cos(k) * size + y);
                k = (float) (k + Math.PI / 2);
            }
            for (int j = 0; j < 4; j++) {
                line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
            }
        }
    }

    /** C's round(): halves away from zero. */
    private static double cRound(double d) {
        return Math.signum(d) * Math.floor(Math.abs(d) + 0.5);
    }

    /** rand() / RAND_MAX as a float in [0, 1]. */
    private static float unit(Random rand) {
        return rand.nextInt(Integer.MAX_VALUE) / (float) (Integer.MAX_VALUE - 1);
    }

    // ---- LOLWUT 5: Schotter (lolwut5.c) ----------------------------------------------------

    static String schotter(int cols, int perRow, int perCol, Random rand) {
        int width = cols * 2;
        int padding = width > 4 ? 2 : 0;
        float side = (float) (width - padding * 2) / perRow;
        int height = (int) (side * perCol + padding * 2);
        if ((long) width * height > MAX_PIXELS) {
            throw new io.damselfly.server.command.CommandError(TOO_LARGE);
        }
        Canvas canvas = new Canvas(width, height, 0);
        for (int y = 0; y < perCol; y++) {
            for (int x = 0; x < perRow; x++) {
                int sx = (int) (x * side + side / 2 + padding);
                int sy = (int) (y * side + side / 2 + padding);
                float angle = 0;
                if (y > 1) {
                    // rotated and moved more, at random, row by row down the sheet
                    float r1 = unit(rand) / perCol * y;
                    float r2 = unit(rand) / perCol * y;
                    float r3 = unit(rand) / perCol * y;
                    if (rand.nextBoolean()) {
                        r1 = -r1;
                    }
                    if (rand.nextBoolean()) {
                        r2 = -r2;
                    }
                    if (rand.nextBoolean()) {
                        r3 = -r3;
                    }
                    angle = r1;
                    sx = (int) (sx + r2 * side / 3);
                    sy = (int) (sy + r3 * side / 3);
                }
                canvas.square(sx, sy, side, angle, 1);
            }
        }
        return braille(canvas) + "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. " + VERSION + "\n";
    }

    /** renderCanvas of lolwut5.c: one braille character per 2x4 pixels. */
    static String braille(Canvas canvas) {
        StringBuilder text = new StringBuilder();
        for (int y = 0; y < canvas.height; y += 4) {
            for (int x = 0; x < canvas.width; x += 2) {
                int bits = 0;
                bits |= canvas.get(x, y) != 0 ? 1 : 0;
                bits |= canvas.get(x, y + 1) != 0 ? 1 << 1 : 0;
                bits |= canvas.get(x, y + 2) != 0 ? 1 << 2 : 0;
                bits |= canvas.get(x + 1, y) != 0 ? 1 << 3 : 0;
                bits |= canvas.get(x + 1, y + 1) != 0 ? 1 << 4 : 0;
                bits |= canvas.get(x + 1, y + 2) != 0 ? 1 << 5 : 0;
                bits |= canvas.get(x, y + 3) != 0 ? 1 << 6 : 0;
                bits |= canvas.get(x + 1, y + 3) != 0 ? 1 << 7 : 0;
                text.append((char) (0x2800 + bits));
            }
            if (y != canvas.height - 1) {
                text.append('\n');
            }
        }
        return text.toString();
    }

    // ---- LOLWUT 6: a skyline (lolwut6.c) ---------------------------------------------------

    static String skyline(int cols, int rows, Random rand) {
        Canvas canvas = new Canvas(cols, rows, 3);
        // the background skyscrapers without windows, the lighter gray behind
        for (int color = 2; color >= 1; color--) {
            for (int offset = -10; offset < canvas.width;) {
                offset += rand.nextInt(8);
                int width = 10 + rand.nextInt(9);
                int height = color == 2 ? canvas.height / 2 + rand.nextInt(canvas.height) / 2
                        : canvas.height / 2 + rand.nextInt(canvas.height) / 3;
                skyscraper(canvas, offset, width, height, false, color, rand);
                offset += color == 2 ? width / 2 : width + 1;
            }
        }
        // the foreground ones, black, with windows
        for (int offset = -10; offset < canvas.width;) {
            offset += rand.nextInt(8);
            int width = 5 + rand.nextInt(14);
            if (width % 4 != 0) {
                width += width % 3;
            }
            int height = canvas.height / 3 + rand.nextInt(canvas.height) / 2;
            skyscraper(canvas, offset, width, height, true, 0, rand);
            offset += width + 5;
        }
        StringBuilder text = new StringBuilder();
        for (int y = 0; y < canvas.height; y++) {
            for (int x = 0; x < canvas.width; x++) {
                String ce = switch (canvas.get(x, y)) {
                    case 1 -> "0;90;100m";
                    case 2 -> "0;37;47m";
                    case 3 -> "0;97;107m";
                    default -> "0;30;40m";
                };
                text.append("\033[").append(ce).append(" \033[0m");
            }
            if (y != canvas.height - 1) {
                text.append('\n');
            }
        }
        return text + "\nDedicated to the 8 bit game developers of past and present.\n"
                + "Original 8 bit image from Plaguemon by hikikomori. Redis ver. " + VERSION + "\n";
    }

    /** generateSkyscraper: a block from the ground up, the roof two pixels narrower each side. */
    private static void skyscraper(Canvas canvas, int xoff, int width, int height, boolean windows, int color, Random rand) {
        int starty = canvas.height - 1;
        int endy = starty - height + 1;
        for (int y = starty; y >= endy; y--) {
            for (int x = xoff; x < xoff + width; x++) {
                if (y == endy && (x <= xoff + 1 || x >= xoff + width - 2)) {
                    continue;
                }
                int c = color;
                if (windows && x > xoff + 1 && x < xoff + width - 2 && y > endy + 1 && y < starty - 1) {
                    int relx = x - (xoff + 1);
                    int rely = y - (endy + 1);
                    // windows two pixels wide, one tall (terminal cells are not square)
                    if ((relx / 2) % 2 != 0 && rely % 2 != 0) {
                        do {
                            c = 1 + rand.nextInt(2);
                        } while (c == color);
                        if (relx % 2 != 0) {
                            c = canvas.get(x - 1, y);
                        }
                    }
                }
                canvas.set(x, y, c);
            }
        }
    }
}
