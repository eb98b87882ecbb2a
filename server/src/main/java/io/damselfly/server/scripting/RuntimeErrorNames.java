package io.damselfly.server.scripting;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.Prototype;

/**
 * Lua 5.1's wording of the VM's runtime errors, which is what Redis's scripts see: luaj says
 * "attempt to call nil" or "attempt to index ? (a nil value)" where Lua says "attempt to call
 * field 'f' (a nil value)" or "attempt to index local 't' (a nil value)".
 *
 * <p>How. The instruction hook remembers the instruction that failed; this class reads which
 * register it used and, as ldebug.c's getobjname does, where that register's value came from
 * (a local variable, a global or field read with a constant key, a method, an upvalue),
 * scanning the function's code up to the failing instruction (findsetreg). Lua 5.2 bytecode is
 * what luaj runs: a global is a field of the {@code _ENV} upvalue. Errors this does not recognise
 * keep luaj's text.
 */
final class RuntimeErrorNames {
    private RuntimeErrorNames() {
    }

    private static final Pattern CALL = Pattern.compile("attempt to call (\\w+)");
    private static final Pattern INDEX = Pattern.compile("attempt to index \\? \\(a (\\w+) value\\)");
    private static final Pattern SET_INDEX = Pattern.compile("index expected, got (\\w+)");
    private static final Pattern ARITH = Pattern.compile("attempt to perform arithmetic __\\w+ on (\\w+) and (\\w+)");
    private static final Pattern UNARY_ARITH = Pattern.compile("attempt to perform arithmetic on (\\w+)");
    private static final Pattern CONCAT = Pattern.compile("attempt to concatenate (\\w+) and (\\w+)");
    private static final Pattern COMPARE = Pattern.compile("attempt to compare __\\w+ on (\\w+) and (\\w+)");
    private static final Pattern COMPARE_MIXED = Pattern.compile("attempt to compare (\\w+) with (\\w+)(?: expected, got \\w+)?");
    private static final Pattern LENGTH = Pattern.compile("attempt to get length of (\\w+)");

    /** The Lua 5.1 text of luaj's runtime error {@code raw}, raised at instruction {@code pc} of {@code p}. */
    static String lua51(String raw, Prototype p, int pc) {
        if (raw == null) {
            return null;
        }
        int op = p != null && pc >= 0 && pc < p.code.length ? Lua.GET_OPCODE(p.code[pc]) : -1;
        int i = op >= 0 ? p.code[pc] : 0;
        Matcher m;
        if ((m = CALL.matcher(raw)).matches()) {
            int reg = op == Lua.OP_CALL || op == Lua.OP_TAILCALL ? Lua.GETARG_A(i) : -1;
            return typeError("call", m.group(1), p, pc, reg);
        }
        if ((m = INDEX.matcher(raw)).matches() || (m = SET_INDEX.matcher(raw)).matches()) {
            if (op == Lua.OP_GETTABUP || op == Lua.OP_SETTABUP) {
                // an upvalue indexed in place (a global is _ENV's field, and _ENV is never nil)
                String up = upvalueName(p, op == Lua.OP_GETTABUP ? Lua.GETARG_B(i) : Lua.GETARG_A(i));
                return up == null ? "attempt to index a " + m.group(1) + " value"
                        : "attempt to index upvalue '" + up + "' (a " + m.group(1) + " value)";
            }
            int reg = switch (op) {
                case Lua.OP_GETTABLE, Lua.OP_SELF -> Lua.GETARG_B(i);
                case Lua.OP_SETTABLE -> Lua.GETARG_A(i);
                default -> -1;
            };
            return typeError("index", m.group(1), p, pc, reg);
        }
        if ((m = ARITH.matcher(raw)).matches()) {
            // luaG_aritherror: the first operand that is not a number
            boolean first = !"number".equals(m.group(1));
            int rk = op >= Lua.OP_ADD && op <= Lua.OP_POW ? (first ? Lua.GETARG_B(i) : Lua.GETARG_C(i)) : -1;
            int reg = rk >= 0 && !Lua.ISK(rk) ? rk : -1;
            return typeError("perform arithmetic on", first ? m.group(1) : m.group(2), p, pc, reg);
        }
        if ((m = UNARY_ARITH.matcher(raw)).matches()) {
            return typeError("perform arithmetic on", m.group(1), p, pc, op == Lua.OP_UNM ? Lua.GETARG_B(i) : -1);
        }
        if ((m = CONCAT.matcher(raw)).matches()) {
            // luaG_concaterror: the first operand that is neither a string nor a number
            String a = m.group(1);
            String bad = "string".equals(a) || "number".equals(a) ? m.group(2) : a;
            return "attempt to concatenate a " + bad + " value";
        }
        if ((m = COMPARE.matcher(raw)).matches()) {
            String a = m.group(1);
            String b = m.group(2);
            return a.equals(b) ? "attempt to compare two " + a + " values" : "attempt to compare " + a + " with " + b;
        }
        if ((m = COMPARE_MIXED.matcher(raw)).matches()) {
            return compareError(m.group(1), m.group(2), p, op, i);
        }
        if ((m = LENGTH.matcher(raw)).matches()) {
            return typeError("get length of", m.group(1), p, pc, op == Lua.OP_LEN ? Lua.GETARG_B(i) : -1);
        }
        return raw;
    }

    /**
     * luaG_ordererror: "attempt to compare T1 with T2", the left operand's type first. luaj names
     * the two types in no fixed order, so the left one is read from a constant operand of the LT
     * or LE instruction where there is one.
     */
    private static String compareError(String a, String b, Prototype p, int op, int i) {
        String left = null;
        if (op == Lua.OP_LT || op == Lua.OP_LE) {
            int lb = Lua.GETARG_B(i);
            int rc = Lua.GETARG_C(i);
            if (Lua.ISK(lb)) {
                left = p.k[Lua.INDEXK(lb)].typename();
            } else if (Lua.ISK(rc)) {
                String right = p.k[Lua.INDEXK(rc)].typename();
                left = right.equals(a) ? b : right.equals(b) ? a : null;
            }
        }
        if (left != null && (left.equals(a) || left.equals(b))) {
            String right = left.equals(a) ? b : a;
            return left.equals(right) ? "attempt to compare two " + left + " values" : "attempt to compare " + left + " with " + right;
        }
        return a.equals(b) ? "attempt to compare two " + a + " values" : "attempt to compare " + a + " with " + b;
    }

    /** luaG_typeerror: "attempt to OP KIND 'NAME' (a TYPE value)", or "attempt to OP a TYPE value". */
    private static String typeError(String operation, String type, Prototype p, int pc, int reg) {
        String[] name = reg >= 0 ? objectName(p, pc, reg) : null;
        if (name == null) {
            return "attempt to " + operation + " a " + type + " value";
        }
        return "attempt to " + operation + " " + name[0] + " '" + name[1] + "' (a " + type + " value)";
    }

    /** getobjname: {kind, name} of what register {@code reg} holds at {@code pc}, or null. */
    static String[] objectName(Prototype p, int pc, int reg) {
        String local = localName(p, reg + 1, pc);
        if (local != null) {
            return new String[] {"local", local};
        }
        int set = findSetRegister(p, pc, reg);
        if (set < 0) {
            return null;
        }
        int i = p.code[set];
        switch (Lua.GET_OPCODE(i)) {
            case Lua.OP_MOVE -> {
                int b = Lua.GETARG_B(i);
                return b < Lua.GETARG_A(i) ? objectName(p, set, b) : null;
            }
            case Lua.OP_GETTABUP, Lua.OP_GETTABLE -> {
                String key = constantKey(p, Lua.GETARG_C(i));
                int t = Lua.GETARG_B(i);
                String table = Lua.GET_OPCODE(i) == Lua.OP_GETTABLE ? localName(p, t + 1, set) : upvalueName(p, t);
                return new String[] {"_ENV".equals(table) ? "global" : "field", key};
            }
            case Lua.OP_GETUPVAL -> {
                String up = upvalueName(p, Lua.GETARG_B(i));
                return up == null ? null : new String[] {"upvalue", up};
            }
            case Lua.OP_SELF -> {
                return new String[] {"method", constantKey(p, Lua.GETARG_C(i))};
            }
            default -> {
                return null;
            }
        }
    }

    /** kname: a constant string key (an RK operand that is a constant), else "?", as Lua 5.1 names it. */
    private static String constantKey(Prototype p, int rk) {
        if (!Lua.ISK(rk)) {
            return "?";
        }
        int k = Lua.INDEXK(rk);
        return k < p.k.length && p.k[k] instanceof LuaString s ? s.tojstring() : "?";
    }

    private static String upvalueName(Prototype p, int index) {
        return p.upvalues != null && index < p.upvalues.length && p.upvalues[index].name != null
                ? p.upvalues[index].name.tojstring() : null;
    }

    /** luaF_getlocalname: the name of the n-th local (1-based) active at {@code pc}, or null. */
    private static String localName(Prototype p, int n, int pc) {
        if (p.locvars == null) {
            return null;
        }
        for (int i = 0; i < p.locvars.length && p.locvars[i].startpc <= pc; i++) {
            if (pc < p.locvars[i].endpc) {
                n--;
                if (n == 0) {
                    return p.locvars[i].varname.tojstring();
                }
            }
        }
        return null;
    }

    /** findsetreg (Lua 5.2): the last instruction before {@code lastPc} that set {@code reg}, or -1. */
    private static int findSetRegister(Prototype p, int lastPc, int reg) {
        int set = -1;
        int jumpTarget = 0;
        for (int pc = 0; pc < lastPc; pc++) {
            int i = p.code[pc];
            int op = Lua.GET_OPCODE(i);
            int a = Lua.GETARG_A(i);
            boolean sets = switch (op) {
                case Lua.OP_LOADNIL -> a <= reg && reg <= a + Lua.GETARG_B(i);
                case Lua.OP_TFORCALL -> reg >= a + 2;
                case Lua.OP_CALL, Lua.OP_TAILCALL -> reg >= a;
                case Lua.OP_JMP -> {
                    int dest = pc + 1 + Lua.GETARG_sBx(i);
                    if (pc < dest && dest <= lastPc && dest > jumpTarget) {
                        jumpTarget = dest;
                    }
                    yield false;
                }
                case Lua.OP_SETTABUP, Lua.OP_SETUPVAL, Lua.OP_SETTABLE, Lua.OP_EQ, Lua.OP_LT, Lua.OP_LE, Lua.OP_TEST,
                        Lua.OP_RETURN, Lua.OP_SETLIST, Lua.OP_EXTRAARG -> false;
                default -> reg == a;
            };
            if (sets) {
                set = pc < jumpTarget ? -1 : pc;
            }
        }
        return set;
    }
}
