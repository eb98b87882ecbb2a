package io.damselfly.server.scripting;

/**
 * One script running now (Redis's scriptRunCtx): who called it, what it may do, and the state
 * other threads read while it runs: its start (for BUSY), whether it has written (SCRIPT KILL
 * then answers UNKILLABLE) and whether it was killed.
 */
final class ScriptRun {
    /** The thread running the script: only it may call redis.call, and it is never BUSY to itself. */
    final Thread thread = Thread.currentThread();
    final long startNanos = System.nanoTime();
    /** An EVAL (SCRIPT KILL stops it) rather than an FCALL (FUNCTION KILL does). */
    final boolean eval;
    /** The SHA1 of an EVAL script or the function's name, as error replies and logs name it. */
    final String name;
    /** EVAL_RO, FCALL_RO, or a no-writes script: write commands are refused. */
    final boolean readOnly;
    /** allow-oom (not in compatibility mode): deny-oom commands run even over maxmemory. */
    final boolean allowOom;
    /** Memory was over maxmemory when the script started (Redis's pre_command_oom_state). */
    final boolean oomAtStart;
    final ScriptClient client;
    /** The caller's command (FUNCTION STATS shows it). */
    final byte[][] command;

    /** The client that called the script (ACL LOG shows it for a refused redis.call). */
    io.damselfly.server.client.ClientSession caller;
    /** The scratch of the ACL checks of the script's commands. */
    final io.damselfly.server.acl.AclCheck aclCheck = new io.damselfly.server.acl.AclCheck();
    volatile boolean killed;
    /** A write command has run: the script can no longer be killed. */
    volatile boolean dirty;
    boolean slowLogged;
    /**
     * The error the script replied with, when INFO errorstats should count it (not when it
     * came from redis.call, whose command counted it already: Redis's ignore_error_stats_update).
     */
    String errorToCount;
    /** The script's reply is an error: the call failed (cmdstat's failed_calls), counted in errorstats or not. */
    boolean failed;

    ScriptRun(boolean eval, String name, boolean readOnly, boolean allowOom, boolean oomAtStart,
            ScriptClient client, byte[][] command) {
        this.eval = eval;
        this.name = name;
        this.readOnly = readOnly;
        this.allowOom = allowOom;
        this.oomAtStart = oomAtStart;
        this.client = client;
        this.command = command;
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
