package io.damselfly.server.config;

/** A bad option on the command line or in a config file: the start is refused with this text. */
public final class ConfigException extends Exception {
    private final Option option;
    private final String reason;

    public ConfigException(String message) {
        super(message);
        this.option = null;
        this.reason = message;
    }

    /** A value that {@code option} rejects, for {@code reason} (Redis's wording, e.g. "argument must be a memory value"). */
    public ConfigException(Option option, String reason) {
        super("CONFIG SET failed (possibly related to argument '" + option.configName() + "') - " + reason);
        this.option = option;
        this.reason = reason;
    }

    /** The option whose value was rejected, or null when the error is not about one option. */
    public Option option() {
        return option;
    }

    /** Why the value was rejected, without the option's name. */
    public String reason() {
        return reason;
    }
}
