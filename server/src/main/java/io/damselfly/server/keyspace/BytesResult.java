package io.damselfly.server.keyspace;

/** An operation's bytes answer, or the status that stopped it. */
public record BytesResult(OpStatus status, byte[] value) {
    public static BytesResult ok(byte[] value) {
        return new BytesResult(OpStatus.OK, value);
    }

    public static BytesResult failed(OpStatus status) {
        return new BytesResult(status, null);
    }

    public boolean isOk() {
        return status == OpStatus.OK;
    }
}
