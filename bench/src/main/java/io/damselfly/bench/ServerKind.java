package io.damselfly.bench;

/** The two servers every workload runs against, in the order each round runs them. */
public enum ServerKind {
    REDIS("redis"),
    DAMSELFLY("damselfly");

    /** Column name in the results table. */
    public final String label;

    ServerKind(String label) {
        this.label = label;
    }
}
