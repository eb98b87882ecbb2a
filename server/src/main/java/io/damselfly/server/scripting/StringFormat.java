package io.damselfly.server.scripting;

import io.damselfly.protocol.PrintfG;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Lua 5.1's string.format (lstrlib.c str_format), which luaj gets wrong for width and precision
 * of floats ({@code %5.2f} gives "1.5"). Each conversion goes to C printf's rules: d i (the number
 * cast to an integer), u c o x X, e E f g G (g as C prints it, trailing zeros dropped), q, s, and
 * %%, with the flags - + space # 0, a width and a precision of at most two digits each.
 */
final class StringFormat extends VarArgFunction {
    @Override
    public Varargs invoke(Varargs args) {
        LuaString fmt = args.checkstring(1);
        byte[] f = LuaToReply.bytes(fmt);
        ByteArrayOutputStream out = new ByteArrayOutputStream(f.length + 16);
        int arg = 1;
        int i = 0;
        while (i < f.length) {
            byte b = f[i++];
            if (b != '%') {
                out.write(b);
                continue;
            }
            if (i < f.length && f[i] == '%') {
                out.write('%');
                i++;
                continue;
            }
            int start = i;
            while (i < f.length && "-+ #0".indexOf(f[i]) >= 0) {
                i++;
            }
            if (i - start > 5) {
                throw new LuaError("invalid format (repeated flags)");
            }
            int digits = 0;
            while (i < f.length && Character.isDigit(f[i])) {
                i++;
                digits++;
            }
            if (i < f.length && f[i] == '.') {
                i++;
                int p = 0;
                while (i < f.length && Character.isDigit(f[i])) {
                    i++;
                    p++;
                }
                digits = Math.max(digits, p);
            }
            if (digits > 2) {
                throw new LuaError("invalid format (width or precision too long)");
            }
            if (i >= f.length) {
                throw new LuaError("invalid option '%' to 'format'");
            }
            String spec = new String(f, start, i - start, StandardCharsets.ISO_8859_1);
            char conv = (char) f[i++];
            arg++;
            switch (conv) {
                case 'c' -> out.write((int) number(args, arg));
                case 'd', 'i' -> write(out, cFormat(spec, 'd', (long) number(args, arg)));
                case 'u' -> write(out, cFormat(spec, 'd', (long) number(args, arg)));
                case 'o', 'x', 'X' -> write(out, cFormat(spec, conv, (long) number(args, arg)));
                case 'e', 'E', 'f' -> write(out, cFormatDouble(spec, conv, number(args, arg)));
                case 'g', 'G' -> write(out, formatG(spec, conv, number(args, arg)));
                case 'q' -> quote(out, LuaToReply.bytes(string(args, arg).checkstring()));
                case 's' -> {
                    LuaValue v = args.arg(arg);
                    if (!v.isstring()) {
                        throw badArgument(arg, "string", args.narg() < arg ? "no value" : v.typename());
                    }
                    byte[] bytes = LuaToReply.bytes(v.checkstring());
                    if (spec.isEmpty()) {
                        out.write(bytes, 0, bytes.length);
                    } else {
                        write(out, String.format(Locale.ROOT, "%" + spec.replace("0", "") + "s",
                                new String(bytes, StandardCharsets.ISO_8859_1)));
                    }
                }
                default -> throw new LuaError("invalid option '%" + conv + "' to 'format'");
            }
        }
        return LuaValue.valueOf(out.toByteArray());
    }

    private static double number(Varargs args, int i) {
        LuaValue v = args.arg(i);
        if (!v.isnumber()) {
            throw badArgument(i, "number", args.narg() < i ? "no value" : v.typename());
        }
        return v.todouble();
    }

    private static LuaValue string(Varargs args, int i) {
        LuaValue v = args.arg(i);
        if (!v.isstring()) {
            throw badArgument(i, "string", args.narg() < i ? "no value" : v.typename());
        }
        return v;
    }

    /** luaL_argerror's text, as Lua 5.1 words it. */
    private static LuaError badArgument(int i, String expected, String got) {
        return new LuaError("bad argument #" + i + " to 'format' (" + expected + " expected, got " + got + ")");
    }

    private static void write(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        out.write(b, 0, b.length);
    }

    /** An integer conversion; Java's Formatter agrees with C's for these flags but ' ' and '+' on x/o. */
    private static String cFormat(String spec, char conv, long v) {
        if (conv != 'd') {
            spec = spec.replace("+", "").replace(" ", "");
        }
        int dot = spec.indexOf('.');
        if (dot >= 0) {
            // C's precision for integers is a minimum digit count: pad by hand
            int precision = dot + 1 < spec.length() ? Integer.parseInt(spec.substring(dot + 1)) : 0;
            String digits = Long.toString(Math.abs(v), conv == 'd' ? 10 : conv == 'o' ? 8 : 16);
            if (conv == 'X') {
                digits = digits.toUpperCase(Locale.ROOT);
            }
            while (digits.length() < precision) {
                digits = "0" + digits;
            }
            String sign = v < 0 ? "-" : spec.contains("+") ? "+" : spec.contains(" ") ? " " : "";
            String body = sign + digits;
            String flags = spec.substring(0, dot).replace("0", "");
            int width = 0;
            String w = flags.replaceAll("[^0-9]", "");
            if (!w.isEmpty()) {
                width = Integer.parseInt(w);
            }
            StringBuilder sb = new StringBuilder(body);
            while (sb.length() < width) {
                if (flags.contains("-")) {
                    sb.append(' ');
                } else {
                    sb.insert(0, ' ');
                }
            }
            return sb.toString();
        }
        return String.format(Locale.ROOT, "%" + spec + conv, v);
    }

    private static String cFormatDouble(String spec, char conv, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            String s = Double.isNaN(d) ? "nan" : d > 0 ? (spec.contains("+") ? "+inf" : "inf") : "-inf";
            return pad(spec, Character.isUpperCase(conv) ? s.toUpperCase(Locale.ROOT) : s);
        }
        if (conv == 'f' && !spec.contains("#")) {
            // C rounds the exact binary value half to even; Java's Formatter rounds half up
            int dot = spec.indexOf('.');
            int precision = dot < 0 ? 6 : dot + 1 < spec.length() ? Integer.parseInt(spec.substring(dot + 1)) : 0;
            String flags = dot < 0 ? spec : spec.substring(0, dot);
            String body = new java.math.BigDecimal(Math.abs(d)).setScale(precision, java.math.RoundingMode.HALF_EVEN).toPlainString();
            boolean negative = d < 0 || (d == 0 && Double.doubleToRawLongBits(d) != 0);
            String sign = negative ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
            return pad(flags, sign + body);
        }
        // C writes at least two exponent digits, as Java does
        return String.format(Locale.ROOT, "%" + spec + conv, d);
    }

    private static String formatG(String spec, char conv, double d) {
        int precision = 6;
        int dot = spec.indexOf('.');
        String flags = dot >= 0 ? spec.substring(0, dot) : spec;
        if (dot >= 0) {
            precision = dot + 1 < spec.length() ? Integer.parseInt(spec.substring(dot + 1)) : 0;
        }
        if (precision == 0) {
            precision = 1;
        }
        String s = Double.isNaN(d) ? "nan" : PrintfG.format(d, precision);
        if (flags.contains("+") && !s.startsWith("-")) {
            s = "+" + s;
        } else if (flags.contains(" ") && !s.startsWith("-")) {
            s = " " + s;
        }
        if (conv == 'G') {
            s = s.toUpperCase(Locale.ROOT);
        }
        return pad(flags, s);
    }

    private static String pad(String flags, String s) {
        String w = flags.replaceAll("^[-+ #0]*", "");
        int dot = w.indexOf('.');
        if (dot >= 0) {
            w = w.substring(0, dot);
        }
        int width = w.isEmpty() ? 0 : Integer.parseInt(w);
        StringBuilder sb = new StringBuilder(s);
        boolean left = flags.contains("-");
        boolean zero = !left && flags.matches("^[-+ #]*0.*");
        while (sb.length() < width) {
            if (left) {
                sb.append(' ');
            } else if (zero) {
                int at = sb.length() > 0 && "+- ".indexOf(sb.charAt(0)) >= 0 ? 1 : 0;
                sb.insert(at, '0');
            } else {
                sb.insert(0, ' ');
            }
        }
        return sb.toString();
    }

    /** %q: the string in double quotes, escaping " \ newline, \r as \r, and NUL as \000. */
    private static void quote(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        for (byte b : s) {
            switch (b) {
                case '"', '\\', '\n' -> {
                    out.write('\\');
                    out.write(b);
                }
                case '\r' -> {
                    out.write('\\');
                    out.write('r');
                }
                case 0 -> {
                    out.write('\\');
                    out.write('0');
                    out.write('0');
                    out.write('0');
                }
                default -> out.write(b);
            }
        }
        out.write('"');
    }
}
