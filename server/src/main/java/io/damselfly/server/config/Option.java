package io.damselfly.server.config;

import io.damselfly.server.persist.SavePoints;
import io.damselfly.server.persist.SaveSchedule;

/**
 * Every option damselfly accepts. One line each: the command-line flag (Dragonfly's name where
 * Dragonfly has the option), the CONFIG GET/SET name (Redis's, or null where Redis has none),
 * type, default, whether CONFIG SET may change it at run time, and the one-line description
 * that conf/damselfly.conf and --help print.
 */
public enum Option {
    PORT("port", "port", OptionType.INT, "6379", true, 0, 65535, "TCP port to listen on; 0 picks a free port"),
    BIND("bind", "bind", OptionType.STRING, "127.0.0.1", true,
            "Addresses to listen on, space-separated (at most 16): * is every IPv4 interface, ::* every IPv6 one, a leading - skips an address this host does not have; empty means no TCP listener"),
    // Redis process directives
    DAEMONIZE("daemonize", "daemonize", OptionType.BOOL, "no", false,
            "Run in the background: the JVM cannot fork, so it starts itself again detached (setsid), waits until that copy listens, and exits"),
    PIDFILE("pidfile", "pidfile", OptionType.STRING, "", false, "File the server writes its process id to at start and removes at shutdown; empty means none"),
    LOGFILE("logfile", "logfile", OptionType.STRING, "", false, "File the server's log goes to; empty means standard output"),
    LOGLEVEL("loglevel", "loglevel", OptionType.ENUM, "notice", true, new String[] {"debug", "verbose", "notice", "warning"},
            "Least severe log messages written: debug, verbose, notice or warning"),
    TIMEOUT("timeout", "timeout", OptionType.INT, "0", true, 0, Integer.MAX_VALUE,
            "Seconds after which an idle client is disconnected (not blocked clients, subscribers or monitors); 0 never"),
    PROTECTED_MODE("protected_mode", "protected-mode", OptionType.BOOL, "yes", true,
            "While the default user needs no password, accept connections only from 127.0.0.1 and ::1 (others get Redis's DENIED error)"),
    SET_PROC_TITLE("set_proc_title", "set-proc-title", OptionType.BOOL, "yes", false,
            "Redis sets its process title; accepted, but a JVM cannot change its title, so it has no effect"),
    PROC_TITLE_TEMPLATE("proc_title_template", "proc-title-template", OptionType.STRING, "{title} {listen-addr} {server-mode}", true,
            "Redis's process title template, validated as Redis does ({title} {listen-addr} {server-mode} {config-file} {port} {tls-port} {unixsocket}); no effect, a JVM cannot change its title"),
    SYSLOG_ENABLED("syslog_enabled", "syslog-enabled", OptionType.BOOL, "no", false, "Redis's syslog logging; accepted, no effect: the log goes to logfile (a warning at start when yes)"),
    SYSLOG_IDENT("syslog_ident", "syslog-ident", OptionType.STRING, "redis", false, "Syslog identity; accepted, unused (no syslog)"),
    SYSLOG_FACILITY("syslog_facility", "syslog-facility", OptionType.ENUM, "local0", false,
            new String[] {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"},
            "Syslog facility; accepted, unused (no syslog)"),
    SUPERVISED("supervised", "supervised", OptionType.ENUM, "no", false, new String[] {"upstart", "systemd", "auto", "no"},
            "Supervision: systemd (sd_notify READY=1 to NOTIFY_SOCKET once listening, for Type=notify units), auto (systemd when NOTIFY_SOCKET is set), no; upstart is accepted but not done"),
    CRASH_LOG_ENABLED("crash_log_enabled", "crash-log-enabled", OptionType.BOOL, "yes", true,
            "Redis's crash report on a fatal signal; accepted, the JVM writes its own (hs_err) report"),
    CRASH_MEMCHECK_ENABLED("crash_memcheck_enabled", "crash-memcheck-enabled", OptionType.BOOL, "yes", true,
            "Redis's memory test after a crash; accepted, no effect"),
    ENABLE_PROTECTED_CONFIGS("enable_protected_configs", "enable-protected-configs", OptionType.ENUM, "no", false,
            new String[] {"no", "yes", "local"},
            "Whether CONFIG SET may change protected options (dir, dbfilename): no, yes, or local (from loopback connections only)"),
    UNIXSOCKET("unixsocket", "unixsocket", OptionType.STRING, "", false,
            "Unix domain socket to listen on as well (native epoll transport only; a stale file there is replaced, the socket removed at shutdown); empty means none"),
    UNIXSOCKETPERM("unixsocketperm", "unixsocketperm", OptionType.OCTAL, "0", false, 0, 0777,
            "Permissions of the unix socket, octal (700); 0 leaves the umask's"),
    IGNORE_WARNINGS("ignore_warnings", "ignore-warnings", OptionType.STRING, "", true, "Redis's start-up warnings to silence (ARM64-COW-BUG); accepted, damselfly has none"),
    ADMIN_PORT("admin_port", null, OptionType.INT, "9999", false, -1, 65535,
            "HTTP port for the dashboard (/), /metrics, /health and /stats (also speaks RESP), bound where --bind says; 0 picks a free port, -1 turns it off"),
    PRIMARY_PORT_HTTP_ENABLED("primary_port_http_enabled", null, OptionType.BOOL, "true", false,
            "Also serve the HTTP endpoints on the main port, to connections whose first line is an HTTP request line"),
    ADMIN_NOPASS("admin_nopass", null, OptionType.BOOL, "false", false,
            "Serve the admin port's HTTP endpoints without asking for requirepass (HTTP basic auth)"),
    REQUIREPASS("requirepass", "requirepass", OptionType.STRING, "", true, "Password clients must AUTH with; empty means none"),
    ACLFILE("aclfile", "aclfile", OptionType.STRING, "", false,
            "ACL file of 'user' lines read at start and by ACL LOAD, written by ACL SAVE; empty means none (users then come from 'user' lines of the config file)"),
    ACLLOG_MAX_LEN("acllog_max_len", "acllog-max-len", OptionType.INT, "128", true, 0, Long.MAX_VALUE, "Entries ACL LOG keeps; the oldest go first"),
    ACL_PUBSUB_DEFAULT("acl_pubsub_default", "acl-pubsub-default", OptionType.ENUM, "resetchannels", true,
            new String[] {"allchannels", "resetchannels"}, "Channels a new ACL user may use: none (resetchannels) or all (allchannels)"),
    MAXCLIENTS("maxclients", "maxclients", OptionType.INT, "10000", true, 1, 1_000_000, "Most clients connected at once; more are refused"),
    CONN_IO_THREADS("conn_io_threads", null, OptionType.INT, "0", false, 0, 1024, "Event-loop threads serving connections; 0 means one per core"),
    NUM_SHARDS("num_shards", null, OptionType.INT, "0", false, 0, 1024, "Keyspace shards, each with its own lock; 0 means automatic (4 per I/O thread, at least 16)"),
    PIPELINE_SQUASH("pipeline_squash", null, OptionType.INT, "1", true, 0, 0xFFFF_FFFFL,
            "Pipelining: once more than this many commands of one read batch have run, consecutive commands for the same shard run under one lock acquisition; 0 turns it off"),
    TCP_NODELAY("tcp_nodelay", null, OptionType.BOOL, "true", false, "Disable Nagle's algorithm on client sockets"),
    TCP_BACKLOG("tcp_backlog", "tcp-backlog", OptionType.INT, "511", false, 1, 65535, "Listen backlog"),
    TCP_KEEPALIVE("tcp_keepalive", "tcp-keepalive", OptionType.INT, "300", true, 0, Integer.MAX_VALUE, "TCP keepalive on client sockets (seconds; 0 = off)"),
    HZ("hz", "hz", OptionType.INT, "10", true, 0, Integer.MAX_VALUE, "Background task frequency (active expiry) per second; clamped to 1..500 as in Redis"),
    DATABASES("databases", "databases", OptionType.INT, "16", false, 1, 1_000_000, "Number of logical databases for SELECT"),
    DIR("dir", "dir", OptionType.STRING, ".", true, "Directory for snapshot files"),
    DBFILENAME("dbfilename", "dbfilename", OptionType.STRING, "dump.rdb", true, "Snapshot file name"),
    MAXMEMORY("maxmemory", "maxmemory", OptionType.MEMORY, "0", true, 0, Long.MAX_VALUE, "Memory limit for keys and values (e.g. 256mb, 6gb); 0 means no limit"),
    MAX_EVICTION_PER_HEARTBEAT("max_eviction_per_heartbeat", null, OptionType.INT, "100", true, 0, 0xFFFF_FFFFL,
            "Most keys the background tick (hz times a second) evicts when memory is over maxmemory, on top of the eviction before each command; 0 means no count limit"),
    CACHE_MODE("cache_mode", null, OptionType.BOOL, "false", false, "Evict keys at maxmemory (allkeys-tinylfu unless maxmemory_policy says otherwise) instead of refusing writes"),
    MAXMEMORY_POLICY("maxmemory_policy", "maxmemory-policy", OptionType.ENUM, "noeviction", true,
            new String[] {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
                    "allkeys-lfu", "allkeys-random", "noeviction", "allkeys-tinylfu"},
            "What to do at maxmemory: refuse writes (noeviction) or evict by policy"),
    LFU_LOG_FACTOR("lfu_log_factor", "lfu-log-factor", OptionType.INT, "10", true, 0, Integer.MAX_VALUE, "LFU counter logarithm factor"),
    LFU_DECAY_TIME("lfu_decay_time", "lfu-decay-time", OptionType.INT, "1", true, 0, Integer.MAX_VALUE, "Minutes per LFU counter decay step"),
    PROTO_MAX_BULK_LEN("proto_max_bulk_len", "proto-max-bulk-len", OptionType.MEMORY, "512mb", true, 1024 * 1024, Integer.MAX_VALUE, "Largest bulk string a client may send"),
    OUTPUT_BUFFER_LIMIT("output_buffer_limit", null, OptionType.MEMORY, "1gb", true, 1024 * 1024, Long.MAX_VALUE, "Unsent reply bytes after which a client that does not read is disconnected"),
    CLIENT_QUERY_BUFFER_LIMIT("client_query_buffer_limit", "client-query-buffer-limit", OptionType.MEMORY, "1gb", true, 1024 * 1024, Long.MAX_VALUE,
            "Input a client may have sent and the server not yet parsed into arguments (including an argument being received); past it the client is disconnected"),
    REQUEST_MEMORY_LIMIT("request_memory_limit", null, OptionType.MEMORY, "0", true, 0, Long.MAX_VALUE,
            "Memory all clients together may hold in unfinished requests; past it the client holding the most is disconnected. 0 means the heap beyond maxmemory + maxmemory/8 and 40 MiB for the server (a quarter of the heap without maxmemory)"),
    SAVE("save", "save", OptionType.STRING, "", true, "Redis save points: pairs of seconds and changes (\"3600 1 300 100\"), a snapshot when any pair's changes happened within its seconds; empty means none"),
    SAVE_SCHEDULE("save_schedule", null, OptionType.STRING, "", false,
            "Dragonfly's older snapshot schedule: HH:MM with * wildcards per digit (*:30 is half past every hour), or a cron line; UTC; empty means none"),
    SNAPSHOT_CRON("snapshot_cron", null, OptionType.STRING, "", true,
            "Snapshot schedule as a 5-field cron line (minute hour day-of-month month day-of-week), e.g. */15 * * * *; UTC; empty means none"),
    ENABLE_DEBUG_COMMAND("enable_debug_command", "enable-debug-command", OptionType.ENUM, "no", false,
            new String[] {"no", "yes", "local"},
            "Whether DEBUG may run: no, yes, or local (from loopback connections only); for tests such as Redis's own suite"),
    ENABLE_MODULE_COMMAND("enable_module_command", "enable-module-command", OptionType.ENUM, "no", false,
            new String[] {"no", "yes", "local"},
            "Whether MODULE LOAD, LOADEX and UNLOAD may run: no, yes, or local (from loopback connections only); damselfly loads no Redis modules, so when allowed they answer Redis's loading error"),
    APPENDONLY("appendonly", "appendonly", OptionType.BOOL, "no", true, "Append-only file; damselfly has none, so only 'no' is accepted"),
    COMMAND_STATISTICS("command_statistics", null, OptionType.BOOL, "true", false,
            "Count every command's calls and time (INFO commandstats and latencystats, LATENCY HISTOGRAM, SLOWLOG); off only to measure what that costs"),
    LATENCY_TRACKING("latency_tracking", "latency-tracking", OptionType.BOOL, "yes", true, "Record each command's latency in a histogram (INFO latencystats, LATENCY HISTOGRAM)"),
    LATENCY_TRACKING_INFO_PERCENTILES("latency_tracking_info_percentiles", "latency-tracking-info-percentiles", OptionType.PERCENTILES, "50 99 99.9", true,
            "Percentiles INFO latencystats reports, space-separated, each from 0 to 100"),
    LATENCY_MONITOR_THRESHOLD("latency_monitor_threshold", "latency-monitor-threshold", OptionType.INT, "0", true, 0, Long.MAX_VALUE,
            "Events (commands, expire cycles) of at least this many milliseconds are recorded for LATENCY LATEST, HISTORY, GRAPH and DOCTOR; 0 turns the latency monitor off"),
    SLOWLOG_LOG_SLOWER_THAN("slowlog_log_slower_than", "slowlog-log-slower-than", OptionType.INT, "10000", true, -1, Long.MAX_VALUE,
            "Commands that run at least this many microseconds go to the slow log; 0 logs every command, -1 none"),
    HASH_MAX_LISTPACK_ENTRIES("hash_max_listpack_entries", "hash-max-listpack-entries", OptionType.INT, "512", true, 0, Long.MAX_VALUE,
            "A hash keeps its compact (listpack) form up to this many fields; alias hash-max-ziplist-entries"),
    HASH_MAX_LISTPACK_VALUE("hash_max_listpack_value", "hash-max-listpack-value", OptionType.MEMORY, "64", true, 0, Long.MAX_VALUE,
            "A hash keeps its compact (listpack) form while no field or value is longer than this; alias hash-max-ziplist-value"),
    ZSET_MAX_LISTPACK_ENTRIES("zset_max_listpack_entries", "zset-max-listpack-entries", OptionType.INT, "128", true, 0, Long.MAX_VALUE,
            "A sorted set keeps its compact (listpack) form up to this many members; alias zset-max-ziplist-entries"),
    ZSET_MAX_LISTPACK_VALUE("zset_max_listpack_value", "zset-max-listpack-value", OptionType.MEMORY, "64", true, 0, Long.MAX_VALUE,
            "A sorted set keeps its compact (listpack) form while no member is longer than this; alias zset-max-ziplist-value"),
    SLOWLOG_MAX_LEN("slowlog_max_len", "slowlog-max-len", OptionType.INT, "128", true, 0, Long.MAX_VALUE, "Entries the slow log keeps; the oldest go first"),
    LIST_MAX_LISTPACK_SIZE("list_max_listpack_size", "list-max-listpack-size", OptionType.INT, "-2", true, Integer.MIN_VALUE, Integer.MAX_VALUE,
            "Redis's quicklist node size (negative: -1..-5 = 4..64 KiB per node; positive: entries per node); kept for compatibility, lists are stored whole"),
    SET_MAX_INTSET_ENTRIES("set_max_intset_entries", "set-max-intset-entries", OptionType.INT, "512", true, 0, Long.MAX_VALUE,
            "A set of integers keeps its compact (intset) form up to this many members"),
    STREAM_NODE_MAX_BYTES("stream_node_max_bytes", "stream-node-max-bytes", OptionType.MEMORY, "4096", true, 0, Long.MAX_VALUE,
            "A stream node (Redis's listpack) takes new entries while it is smaller than this many bytes; 0 means no limit"),
    STREAM_NODE_MAX_ENTRIES("stream_node_max_entries", "stream-node-max-entries", OptionType.INT, "100", true, 0, Long.MAX_VALUE,
            "A stream node takes at most this many entries; 0 means no limit"),
    HLL_SPARSE_MAX_BYTES("hll_sparse_max_bytes", "hll-sparse-max-bytes", OptionType.MEMORY, "3000", true, 0, Long.MAX_VALUE,
            "A HyperLogLog keeps its sparse form while it is at most this many bytes long, then turns dense (12304 bytes)"),
    LIST_COMPRESS_DEPTH("list_compress_depth", "list-compress-depth", OptionType.INT, "0", true, 0, Integer.MAX_VALUE,
            "Redis's quicklist compression depth; kept for compatibility, lists are not compressed"),
    NOTIFY_KEYSPACE_EVENTS("notify_keyspace_events", "notify-keyspace-events", OptionType.STRING, "", true,
            "Key events published as Pub/Sub messages: Redis's class letters (K E g $ l s h z x e t m d n A); empty means none"),
    CLIENT_OUTPUT_BUFFER_LIMIT("client_output_buffer_limit", "client-output-buffer-limit", OptionType.STRING,
            ClientOutputBufferLimits.DEFAULT, true,
            "Per client class (normal, replica, pubsub): hard limit, soft limit and soft seconds of unsent reply bytes past which a client is disconnected; 0 means none"),
    BUSY_REPLY_THRESHOLD("busy_reply_threshold", "busy-reply-threshold", OptionType.INT, "5000", true, 0, Long.MAX_VALUE,
            "Milliseconds a script may run before other clients' commands answer BUSY (and SCRIPT KILL / FUNCTION KILL may stop it); 0 never; alias lua-time-limit"),
    TRACKING_TABLE_MAX_KEYS("tracking_table_max_keys", "tracking-table-max-keys", OptionType.INT, "1000000", true, 0, Long.MAX_VALUE,
            "Keys CLIENT TRACKING remembers readers for; past it keys are invalidated to make room; 0 means no limit"),
    MIN_REPLICAS_TO_WRITE("min_replicas_to_write", "min-replicas-to-write", OptionType.INT, "0", true, 0, Integer.MAX_VALUE,
            "Write commands are refused (NOREPLICAS) unless this many replicas are in sync; damselfly has no replicas, so any value above 0 refuses writes, as Redis does without replicas; 0 means off; alias min-slaves-to-write"),
    MIN_REPLICAS_MAX_LAG("min_replicas_max_lag", "min-replicas-max-lag", OptionType.INT, "10", true, 0, Integer.MAX_VALUE,
            "Seconds within which a replica must have answered to count as in sync for min-replicas-to-write; 0 turns that check off; alias min-slaves-max-lag"),
    UPSTREAM("upstream", null, OptionType.STRING, "", false,
            "Near-cache sidecar mode: redis://[user:pass@]host:port[/db] (or rediss:// for TLS) of the Redis or Dragonfly to front; hot reads are served locally, kept coherent by CLIENT TRACKING; empty means standalone"),
    NEAR_CACHE_MAXMEMORY("near_cache_maxmemory", null, OptionType.MEMORY, "0", false, 0, Long.MAX_VALUE,
            "Memory for the near-cache's local copies (allkeys-tinylfu eviction); 0 means maxmemory if set, else a quarter of the heap"),
    NEAR_CACHE_TTL("near_cache_ttl", null, OptionType.INT, "0", false, 0, Long.MAX_VALUE,
            "Milliseconds a local copy may live at most; the bound when the upstream refuses tracking (1000 when 0), a cap with tracking when above 0"),
    NEAR_CACHE_MAX_VALUE("near_cache_max_value", null, OptionType.MEMORY, "1mb", false, 0, Integer.MAX_VALUE,
            "Largest DUMP payload the near-cache keeps locally; reads of larger keys pass through to the upstream"),
    SERVE_STALE("serve_stale", null, OptionType.BOOL, "false", false,
            "While the upstream is unreachable, keep serving the near-cache's local copies instead of flushing them"),
    UPSTREAM_TIMEOUT_MS("upstream_timeout_ms", null, OptionType.INT, "2000", false, 1, Integer.MAX_VALUE,
            "Connect and request timeout towards the upstream, in milliseconds"),
    UPSTREAM_CONNECTIONS("upstream_connections", null, OptionType.INT, "2", false, 1, 1024,
            "Pooled pass-through connections to the upstream per I/O thread and client protocol (RESP2, RESP3)");

    final String flag;
    final String redisName;
    final OptionType type;
    final String defaultValue;
    final boolean mutable;
    final long min;
    final long max;
    final String[] choices;
    final String description;

    Option(String flag, String redisName, OptionType type, String defaultValue, boolean mutable, String description) {
        this(flag, redisName, type, defaultValue, mutable, Long.MIN_VALUE, Long.MAX_VALUE, new String[0], description);
    }

    Option(String flag, String redisName, OptionType type, String defaultValue, boolean mutable, long min, long max,
           String description) {
        this(flag, redisName, type, defaultValue, mutable, min, max, new String[0], description);
    }

    Option(String flag, String redisName, OptionType type, String defaultValue, boolean mutable, String[] choices,
           String description) {
        this(flag, redisName, type, defaultValue, mutable, Long.MIN_VALUE, Long.MAX_VALUE, choices, description);
    }

    Option(String flag, String redisName, OptionType type, String defaultValue, boolean mutable, long min, long max,
           String[] choices, String description) {
        this.flag = flag;
        this.redisName = redisName;
        this.type = type;
        this.defaultValue = defaultValue;
        this.mutable = mutable;
        this.min = min;
        this.max = max;
        this.choices = choices;
        this.description = description;
    }

    public String flag() {
        return flag;
    }

    /**
     * Redis's second name for the option (config.c's alias: the -ziplist- name from before 7.0),
     * or null. Accepted wherever the names are, and listed by CONFIG GET patterns as Redis lists it.
     */
    public String alias() {
        if (this == BUSY_REPLY_THRESHOLD) {
            return "lua-time-limit";
        }
        if (this == MIN_REPLICAS_TO_WRITE || this == MIN_REPLICAS_MAX_LAG) {
            return redisName.replace("replicas", "slaves");
        }
        // Redis 7.0 renamed every -ziplist- option to -listpack- and kept the old name as an alias
        return redisName != null && redisName.contains("-listpack-") ? redisName.replace("-listpack-", "-ziplist-") : null;
    }

    /** The CONFIG GET/SET name, or null when Redis has no such option. */
    public String redisName() {
        return redisName;
    }

    public OptionType type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    public boolean isMutable() {
        return mutable;
    }

    public String description() {
        return description;
    }

    /** The name CONFIG GET lists it under: the Redis name, or the flag when Redis has none. */
    public String configName() {
        return redisName != null ? redisName : flag;
    }

    /**
     * Whether CONFIG SET refuses it as Redis 7 refuses its PROTECTED_CONFIG options (with the
     * default enable-protected-configs no): dir and dbfilename would let any client that may run
     * CONFIG write a snapshot to an arbitrary file. Start-up flags and config files still set them.
     */
    public boolean isProtected() {
        return this == DIR || this == DBFILENAME;
    }

    /**
     * Whether the value is a secret, as Redis's SENSITIVE_CONFIG options: CONFIG SET shows it as
     * "(redacted)" in the slow log.
     */
    public boolean isSensitive() {
        return this == REQUIREPASS;
    }

    /** The eviction policy damselfly adds to Redis's eight (cache mode's default). */
    static final String EXTENSION_POLICY = "allkeys-tinylfu";

    /** Redis keeps hz within these bounds whatever is configured (server.h CONFIG_MIN_HZ/MAX_HZ). */
    static final long MIN_HZ = 1;
    static final long MAX_HZ = 500;

    /** Parses and validates a value for this option; throws IllegalArgumentException. */
    public Object parse(String text) {
        Object v;
        try {
            v = type.parse(text, choices, min, max);
        } catch (IllegalArgumentException e) {
            if (this == MAXMEMORY_POLICY) {
                // Redis's own list, byte for byte as redis-server refuses a policy; allkeys-tinylfu,
                // the extension, is accepted but not advertised in Redis's error
                throw new IllegalArgumentException(e.getMessage().replace(", " + EXTENSION_POLICY, ""));
            }
            throw e;
        }
        if (this == HZ) {
            // Redis accepts any non-negative hz and clamps it, so CONFIG GET hz shows the clamped value
            v = Math.max(MIN_HZ, Math.min(MAX_HZ, (Long) v));
        }
        if (this == SAVE) {
            v = SavePoints.parse((String) v);
        }
        if (this == SAVE_SCHEDULE) {
            v = SaveSchedule.parse((String) v);
        }
        if (this == SNAPSHOT_CRON) {
            v = SaveSchedule.parseCron((String) v);
        }
        if (this == APPENDONLY && (Boolean) v) {
            throw new IllegalArgumentException("the append-only file is not supported");
        }
        if (this == BIND) {
            v = normalizeBind((String) v);
        }
        if (this == PROC_TITLE_TEMPLATE && !ProcTitle.valid((String) v)) {
            throw new IllegalArgumentException("template format is invalid or contains unknown variables");
        }
        if (this == NOTIFY_KEYSPACE_EVENTS) {
            v = KeyspaceEventClasses.parse((String) v);
        }
        if (this == CLIENT_OUTPUT_BUFFER_LIMIT) {
            v = ClientOutputBufferLimits.parse((String) v);
        }
        return v;
    }

    /** Redis's CONFIG_BINDADDR_MAX. */
    static final int MAX_BIND_ADDRESSES = 16;

    /**
     * A bind value as Redis keeps it: the addresses, at most 16, split at each space as CONFIG SET
     * splits a multi-argument option (two spaces make an empty address, which no listener can
     * bind, as in Redis; a config file's line is split at runs of blanks before it gets here);
     * "" for none.
     */
    private static String normalizeBind(String text) {
        if (text.isEmpty()) {
            return "";
        }
        if (text.split(" ", -1).length > MAX_BIND_ADDRESSES) {
            throw new IllegalArgumentException("Too many bind addresses specified.");
        }
        return text;
    }

    /**
     * The value a parsed {@code value} gives over the {@code current} one: itself, except for
     * client-output-buffer-limit, where a value names only the classes it changes.
     */
    public Object merge(Object current, Object value) {
        if (value instanceof ClientOutputBufferLimits limits) {
            return limits.over((ClientOutputBufferLimits) current);
        }
        return value;
    }

    /**
     * Checks a parsed value against what this process can hold; throws IllegalArgumentException
     * with the reason. Run on the value that takes effect (the last one the command line and its
     * files give, or a CONFIG SET's), so a file's value that a later flag overrides is not checked.
     */
    public void validate(Object value) {
        if (this == MAXMEMORY) {
            // refused now rather than an OutOfMemoryError once the data grows
            HeapBudget.requireFits((Long) value);
        }
    }

    public String format(Object value) {
        return type.format(value);
    }

    /** The option named by a flag (dashes and underscores alike) or a Redis name, or null. */
    public static Option byName(String name) {
        String n = name.replace('-', '_');
        for (Option o : values()) {
            if (o.flag.equalsIgnoreCase(n) || (o.redisName != null && o.redisName.replace('-', '_').equalsIgnoreCase(n))
                    || (o.alias() != null && o.alias().replace('-', '_').equalsIgnoreCase(n))) {
                return o;
            }
        }
        return null;
    }
}
