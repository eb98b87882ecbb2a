package io.damselfly.server.keyspace;

/** An operation's integer answer, or the status that stopped it. */
public record LongResult(OpStatus status, long value) {
    public static LongResult ok(long value) {
        return new LongResult(OpStatus.OK, value);
    }

    public static LongResult failed(OpStatus status) {
        return new LongResult(status, 0);
    }

    public boolean isOk() {
        return status == OpStatus.OK;
    }
}
