package io.damselfly.server.config;

import io.damselfly.server.persist.SavePoints;
import io.damselfly.server.persist.SaveSchedule;
import java.nio.file.Path;

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
            "Whether CONFIG SET may change protected options (dir, dbfilename): no, yes, or local (from 127.0.0.1, ::1 or the unix socket only, as Redis's islocalClient)"),
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
    CONN_IO_BALANCING("conn_io_balancing", null, OptionType.BOOL, "true", false,
            "Serve connections on as few event loops as keep up, spreading them to more when a loop is saturated and a core is idle; false deals them to the loops in turn"),
    CONN_IO_IDLE_POLL_US("conn_io_idle_poll_us", null, OptionType.INT, "50", true, 0, 1000,
            "Microseconds an event loop that ran out of work keeps polling its sockets before it sleeps (a client's request then wakes no thread; a timer due meanwhile runs at the poll's end); 0 sleeps at once"),
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
            "Whether DEBUG may run: no, yes, or local (from 127.0.0.1, ::1 or the unix socket only, as Redis's islocalClient); for tests such as Redis's own suite"),
    ENABLE_MODULE_COMMAND("enable_module_command", "enable-module-command", OptionType.ENUM, "no", false,
            new String[] {"no", "yes", "local"},
            "Whether MODULE LOAD, LOADEX and UNLOAD may run: no, yes, or local (from 127.0.0.1, ::1 or the unix socket only, as Redis's islocalClient); damselfly loads no Redis modules, so when allowed they answer Redis's loading error"),
    APPENDONLY("appendonly", "appendonly", OptionType.BOOL, "no", true,
            "Append-only file (Redis 7's multi-part AOF in <dir>/<appenddirname>): every write logged, replayed at start instead of the RDB file"),
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
            "Write commands are refused (NOREPLICAS) unless this many replicas are online and heard from within min-replicas-max-lag, as Redis; 0 means off; alias min-slaves-to-write"),
    MIN_REPLICAS_MAX_LAG("min_replicas_max_lag", "min-replicas-max-lag", OptionType.INT, "10", true, 0, Integer.MAX_VALUE,
            "Seconds within which a replica must have answered to count as in sync for min-replicas-to-write; 0 turns that check off; alias min-slaves-max-lag"),
    // Redis directives accepted for compatibility
    LAZYFREE_LAZY_EVICTION("lazyfree_lazy_eviction", "lazyfree-lazy-eviction", OptionType.BOOL, "no", true,
            "Count evicted values Redis would free in the background in INFO lazyfreed_objects (values are always freed by the collector here)"),
    LAZYFREE_LAZY_EXPIRE("lazyfree_lazy_expire", "lazyfree-lazy-expire", OptionType.BOOL, "no", true,
            "Count expired values Redis would free in the background in INFO lazyfreed_objects"),
    LAZYFREE_LAZY_SERVER_DEL("lazyfree_lazy_server_del", "lazyfree-lazy-server-del", OptionType.BOOL, "no", true,
            "Count overwritten values Redis would free in the background in INFO lazyfreed_objects"),
    LAZYFREE_LAZY_USER_DEL("lazyfree_lazy_user_del", "lazyfree-lazy-user-del", OptionType.BOOL, "no", true,
            "DEL acts as UNLINK: values Redis would free in the background count in INFO lazyfreed_objects"),
    LAZYFREE_LAZY_USER_FLUSH("lazyfree_lazy_user_flush", "lazyfree-lazy-user-flush", OptionType.BOOL, "no", true,
            "FLUSHALL, FLUSHDB, SCRIPT FLUSH and FUNCTION FLUSH without a mode run as ASYNC (counted in INFO lazyfreed_objects)"),
    STOP_WRITES_ON_BGSAVE_ERROR("stop_writes_on_bgsave_error", "stop-writes-on-bgsave-error", OptionType.BOOL, "yes", true,
            "With save points configured, refuse write commands (MISCONF) after a failed background save until a save succeeds"),
    RDBCOMPRESSION("rdbcompression", "rdbcompression", OptionType.BOOL, "yes", true,
            "Compress strings in snapshot files with LZF"),
    RDBCHECKSUM("rdbchecksum", "rdbchecksum", OptionType.BOOL, "yes", false,
            "Write a CRC64 checksum at the end of snapshot files and check it on load; with no, 0 is written and not checked"),
    RDB_DEL_SYNC_FILES("rdb_del_sync_files", "rdb-del-sync-files", OptionType.BOOL, "no", true,
            "accepted for compatibility: without persistence (no save points or schedule, appendonly no) the snapshot a replica's full synchronisation saves is always removed once it is open for sending, as Redis 7's default diskless sync writes none"),
    RDB_SAVE_INCREMENTAL_FSYNC("rdb_save_incremental_fsync", "rdb-save-incremental-fsync", OptionType.BOOL, "yes", true,
            "Flush snapshot files to disk every 32 MB while saving"),
    // Redis's hidden configs (config.c HIDDEN_CONFIG): for tests, listed by CONFIG GET only when named exactly
    RDB_KEY_SAVE_DELAY("rdb_key_save_delay", "rdb-key-save-delay", OptionType.INT, "0", true, Integer.MIN_VALUE, Integer.MAX_VALUE,
            "For tests (hidden, as in Redis): microseconds a save (BGSAVE, SAVE, save points, shutdown) waits after each key, read as the save starts; -n waits 1 microsecond for one key in n at random; 0 none; not DEBUG RELOAD, which saves on its client's event loop"),
    KEY_LOAD_DELAY("key_load_delay", "key-load-delay", OptionType.INT, "0", true, Integer.MIN_VALUE, Integer.MAX_VALUE,
            "For tests (hidden, as in Redis): microseconds loading an RDB file (at start, DEBUG RELOAD) waits after each key; -n waits 1 microsecond for one key in n at random; 0 none"),
    USE_EXIT_ON_PANIC("use_exit_on_panic", "use-exit-on-panic", OptionType.BOOL, "no", true,
            "For tests (hidden, as in Redis): accepted; Redis exits instead of aborting on a panic, damselfly has no panic to abort on"),
    AOF_DISABLE_AUTO_GC("aof_disable_auto_gc", "aof-disable-auto-gc", OptionType.BOOL, "no", true,
            "For tests (hidden, as in Redis): accepted; damselfly deletes the AOF's history files after each rewrite"),
    LOADING_PROCESS_EVENTS_INTERVAL_BYTES("loading_process_events_interval_bytes", "loading-process-events-interval-bytes", OptionType.INT,
            "2097152", true, 1024, Integer.MAX_VALUE,
            "For tests (hidden, as in Redis): accepted; Redis serves clients between loading this many bytes, damselfly serves them all through a load (it loads off its event loops)"),
    OOM_SCORE_ADJ("oom_score_adj", "oom-score-adj", OptionType.ENUM, "no", true,
            new String[] {"no", "yes", "relative", "absolute"}, "Write the primary's or the replica's value of oom-score-adj-values to /proc/self/oom_score_adj (Linux): relative (yes) adds it to the value at start, absolute sets it; no restores the value at start"),
    OOM_SCORE_ADJ_VALUES("oom_score_adj_values", "oom-score-adj-values", OptionType.STRING, "0 200 800", true,
            "Three OOM score adjustments (primary, replica, background child), each -2000..2000; damselfly forks no child, so the third is unused"),
    ACTIVEREHASHING("activerehashing", "activerehashing", OptionType.BOOL, "yes", true,
            "accepted for compatibility: damselfly's tables rehash incrementally on every write"),
    DYNAMIC_HZ("dynamic_hz", "dynamic-hz", OptionType.BOOL, "yes", true,
            "accepted for compatibility: the background tick runs at hz whatever the client count"),
    JEMALLOC_BG_THREAD("jemalloc_bg_thread", "jemalloc-bg-thread", OptionType.BOOL, "yes", true,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    DISABLE_THP("disable_thp", "disable-thp", OptionType.BOOL, "yes", false,
            "accepted for compatibility: there is no fork, so transparent huge pages cost no copy-on-write"),
    ALWAYS_SHOW_LOGO("always_show_logo", "always-show-logo", OptionType.BOOL, "no", false,
            "yes logs, at start, the facts Redis's logo shows (version, mode, port, PID) as plain lines; no ASCII art"),
    ACTIVEDEFRAG("activedefrag", "activedefrag", OptionType.BOOL, "no", true,
            "accepted for compatibility: the JVM's collector compacts memory; yes is refused as by a Redis built without jemalloc"),
    ACTIVE_DEFRAG_IGNORE_BYTES("active_defrag_ignore_bytes", "active-defrag-ignore-bytes", OptionType.MEMORY, "104857600", true, 1, Long.MAX_VALUE,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    ACTIVE_DEFRAG_THRESHOLD_LOWER("active_defrag_threshold_lower", "active-defrag-threshold-lower", OptionType.INT, "10", true, 0, 1000,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    ACTIVE_DEFRAG_THRESHOLD_UPPER("active_defrag_threshold_upper", "active-defrag-threshold-upper", OptionType.INT, "100", true, 0, 1000,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    ACTIVE_DEFRAG_CYCLE_MIN("active_defrag_cycle_min", "active-defrag-cycle-min", OptionType.INT, "1", true, 1, 99,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    ACTIVE_DEFRAG_CYCLE_MAX("active_defrag_cycle_max", "active-defrag-cycle-max", OptionType.INT, "25", true, 1, 99,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    ACTIVE_DEFRAG_MAX_SCAN_FIELDS("active_defrag_max_scan_fields", "active-defrag-max-scan-fields", OptionType.INT, "1000", true, 1, Long.MAX_VALUE,
            "accepted for compatibility: the JVM manages memory, not jemalloc"),
    ACTIVE_EXPIRE_EFFORT("active_expire_effort", "active-expire-effort", OptionType.INT, "1", true, 1, 10,
            "accepted for compatibility: the active expiry cycle has a fixed effort"),
    MAXMEMORY_SAMPLES("maxmemory_samples", "maxmemory-samples", OptionType.INT, "5", true, 1, Integer.MAX_VALUE,
            "accepted for compatibility: eviction here does not sample keys"),
    MAXMEMORY_EVICTION_TENACITY("maxmemory_eviction_tenacity", "maxmemory-eviction-tenacity", OptionType.INT, "10", true, 0, 100,
            "accepted for compatibility: eviction runs before each write until memory is below maxmemory"),
    IO_THREADS("io_threads", "io-threads", OptionType.INT, "1", false, 1, 128,
            "accepted for compatibility: conn_io_threads sets the I/O threads"),
    IO_THREADS_DO_READS("io_threads_do_reads", "io-threads-do-reads", OptionType.BOOL, "no", false,
            "accepted for compatibility: every I/O thread reads and parses"),
    SHUTDOWN_TIMEOUT("shutdown_timeout", "shutdown-timeout", OptionType.INT, "10", true, 0, Integer.MAX_VALUE,
            "Seconds a primary's shutdown (SHUTDOWN, SIGTERM, SIGINT) waits, writes paused, for every replica to acknowledge its whole stream before it stops (0: no wait); SHUTDOWN NOW skips the wait, SHUTDOWN ABORT ends it"),
    PROPAGATION_ERROR_BEHAVIOR("propagation_error_behavior", "propagation-error-behavior", OptionType.ENUM, "ignore", true,
            new String[] {"ignore", "panic", "panic-on-replicas"}, "accepted for compatibility: damselfly's replication does not use it"),
    SANITIZE_DUMP_PAYLOAD("sanitize_dump_payload", "sanitize-dump-payload", OptionType.ENUM, "no", true,
            new String[] {"no", "yes", "clients"}, "accepted for compatibility: RESTORE always checks a payload whole before using it"),
    BIND_SOURCE_ADDR("bind_source_addr", "bind-source-addr", OptionType.STRING, "", true,
            "The address a replica's link to its primary leaves from; empty: the system's choice"),
    SOCKET_MARK_ID("socket_mark_id", "socket-mark-id", OptionType.INT, "0", false, 0, 0xFFFF_FFFFL,
            "accepted for compatibility: sockets are not marked"),
    AOF_LOAD_TRUNCATED("aof_load_truncated", "aof-load-truncated", OptionType.BOOL, "yes", true,
            "Load an AOF whose last file ends in the middle of a command, cutting it off there (no: refuse to start)"),
    AOF_USE_RDB_PREAMBLE("aof_use_rdb_preamble", "aof-use-rdb-preamble", OptionType.BOOL, "yes", true,
            "A rewrite writes the AOF base file as an RDB image (no: as commands)"),
    AOF_TIMESTAMP_ENABLED("aof_timestamp_enabled", "aof-timestamp-enabled", OptionType.BOOL, "no", true,
            "Annotate the AOF with #TS:<unix time> lines"),
    AOF_REWRITE_INCREMENTAL_FSYNC("aof_rewrite_incremental_fsync", "aof-rewrite-incremental-fsync", OptionType.BOOL, "yes", true,
            "accepted for compatibility: a rewrite's snapshot is fsynced every 32 MB as rdb-save-incremental-fsync says"),
    APPENDFILENAME("appendfilename", "appendfilename", OptionType.STRING, "appendonly.aof", false,
            "Base name of the AOF files and manifest"),
    APPENDDIRNAME("appenddirname", "appenddirname", OptionType.STRING, "appendonlydir", false,
            "Directory of the AOF files, inside dir"),
    APPENDFSYNC("appendfsync", "appendfsync", OptionType.ENUM, "everysec", true,
            new String[] {"everysec", "always", "no"}, "When the AOF is forced to disk: always (before each reply, blocking the loop as Redis blocks), everysec, no"),
    NO_APPENDFSYNC_ON_REWRITE("no_appendfsync_on_rewrite", "no-appendfsync-on-rewrite", OptionType.BOOL, "no", true,
            "accepted for compatibility: fsync goes on during rewrites"),
    AUTO_AOF_REWRITE_PERCENTAGE("auto_aof_rewrite_percentage", "auto-aof-rewrite-percentage", OptionType.INT, "100", true, 0, Integer.MAX_VALUE,
            "Rewrite the AOF when it grew by this percentage since the last rewrite (0: never automatically)"),
    AUTO_AOF_REWRITE_MIN_SIZE("auto_aof_rewrite_min_size", "auto-aof-rewrite-min-size", OptionType.MEMORY, "67108864", true, 0, Long.MAX_VALUE,
            "Smallest AOF size for an automatic rewrite"),
    REPL_DISABLE_TCP_NODELAY("repl_disable_tcp_nodelay", "repl-disable-tcp-nodelay", OptionType.BOOL, "no", true,
            "accepted for compatibility: damselfly's replication does not use it"),
    REPL_DISKLESS_SYNC("repl_diskless_sync", "repl-diskless-sync", OptionType.BOOL, "yes", true,
            "Send a full synchronisation's snapshot straight to the replicas' sockets as it is made, writing no file, to replicas that take it (capa eof); no: save it to the RDB file first"),
    REPL_DISKLESS_SYNC_DELAY("repl_diskless_sync_delay", "repl-diskless-sync-delay", OptionType.INT, "5", true, 0, Integer.MAX_VALUE,
            "Seconds a diskless synchronisation waits for more replicas to share its snapshot"),
    REPL_DISKLESS_SYNC_MAX_REPLICAS("repl_diskless_sync_max_replicas", "repl-diskless-sync-max-replicas", OptionType.INT, "0", true, 0, Integer.MAX_VALUE,
            "Start a diskless synchronisation before its delay once this many replicas wait (0: wait the whole delay)"),
    REPL_DISKLESS_LOAD("repl_diskless_load", "repl-diskless-load", OptionType.ENUM, "disabled", true,
            new String[] {"disabled", "on-empty-db", "swapdb"}, "accepted for compatibility: a replica always writes the snapshot it receives to a file and loads it from there, as with the default disabled"),
    REPL_BACKLOG_SIZE("repl_backlog_size", "repl-backlog-size", OptionType.MEMORY, "1048576", true, 1, Long.MAX_VALUE,
            "Bytes of the replication stream kept so a replica that lost its link continues (PSYNC) instead of loading a new snapshot"),
    REPL_BACKLOG_TTL("repl_backlog_ttl", "repl-backlog-ttl", OptionType.INT, "3600", true, 0, Long.MAX_VALUE,
            "Seconds a primary without replicas keeps its backlog before freeing it (and taking a new replication id); 0 keeps it"),
    REPL_TIMEOUT("repl_timeout", "repl-timeout", OptionType.INT, "60", true, 1, Integer.MAX_VALUE,
            "Seconds of silence after which a replica gives up its primary's link (and reconnects), and a primary drops a replica that stopped acknowledging"),
    REPL_PING_REPLICA_PERIOD("repl_ping_replica_period", "repl-ping-replica-period", OptionType.INT, "10", true, 1, Integer.MAX_VALUE,
            "Seconds between the PINGs a primary sends down the replication stream to its replicas"),
    REPLICA_LAZY_FLUSH("replica_lazy_flush", "replica-lazy-flush", OptionType.BOOL, "no", true,
            "accepted for compatibility: damselfly's replication does not use it"),
    REPLICA_SERVE_STALE_DATA("replica_serve_stale_data", "replica-serve-stale-data", OptionType.BOOL, "yes", true,
            "As a replica whose link to the primary is down, serve its data; no: refuse every command but the few Redis allows then (MASTERDOWN)"),
    REPLICA_READ_ONLY("replica_read_only", "replica-read-only", OptionType.BOOL, "yes", true,
            "As a replica (REPLICAOF), refuse writes of clients other than the primary with READONLY"),
    REPLICA_IGNORE_MAXMEMORY("replica_ignore_maxmemory", "replica-ignore-maxmemory", OptionType.BOOL, "yes", true,
            "As a replica, neither evict nor refuse commands for maxmemory: the primary's deletions decide what goes; no: evict on its own"),
    REPLICA_IGNORE_DISK_WRITE_ERRORS("replica_ignore_disk_write_errors", "replica-ignore-disk-write-errors", OptionType.BOOL, "no", true,
            "accepted for compatibility: damselfly's replication does not use it"),
    REPLICA_ANNOUNCED("replica_announced", "replica-announced", OptionType.BOOL, "yes", true,
            "Shown as a replica's replica_announced in INFO replication"),
    REPLICA_PRIORITY("replica_priority", "replica-priority", OptionType.INT, "100", true, 0, Integer.MAX_VALUE,
            "Shown as a replica's slave_priority in INFO replication (no Sentinel here to read it)"),
    REPLICA_ANNOUNCE_IP("replica_announce_ip", "replica-announce-ip", OptionType.STRING, "", true,
            "As a replica, the address told to the primary (REPLCONF ip-address), which it shows in INFO and ROLE instead of the connection's; empty for none"),
    REPLICA_ANNOUNCE_PORT("replica_announce_port", "replica-announce-port", OptionType.INT, "0", true, 0, 65535,
            "As a replica, the port told to the primary (REPLCONF listening-port) instead of the one bound; 0 for that"),
    MASTERAUTH("masterauth", "masterauth", OptionType.STRING, "", true,
            "As a replica, the password sent to the primary (AUTH) before synchronising"),
    MASTERUSER("masteruser", "masteruser", OptionType.STRING, "", true,
            "As a replica, the user name sent with masterauth (AUTH user password)"),
    SHUTDOWN_ON_SIGINT("shutdown_on_sigint", "shutdown-on-sigint", OptionType.STRING, "default", true,
            "What SIGINT's shutdown does, as SHUTDOWN's modifiers: default (save when persistence is configured), save, nosave, now (no wait for lagging replicas), force (exit even if the save fails)"),
    SHUTDOWN_ON_SIGTERM("shutdown_on_sigterm", "shutdown-on-sigterm", OptionType.STRING, "default", true,
            "What SIGTERM's shutdown does: default, save, nosave, now, force, as shutdown-on-sigint"),
    CLUSTER_ENABLED("cluster_enabled", "cluster-enabled", OptionType.BOOL, "no", false,
            "Must be no: damselfly has no cluster mode (CLUSTER answers as a standalone redis-server)"),
    CLUSTER_CONFIG_FILE("cluster_config_file", "cluster-config-file", OptionType.STRING, "nodes.conf", false, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_PORT("cluster_port", "cluster-port", OptionType.INT, "0", false, 0, 65535,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_NODE_TIMEOUT("cluster_node_timeout", "cluster-node-timeout", OptionType.INT, "15000", true, 0, Long.MAX_VALUE,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_REPLICA_VALIDITY_FACTOR("cluster_replica_validity_factor", "cluster-replica-validity-factor", OptionType.INT, "10", true, 0, Integer.MAX_VALUE,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_MIGRATION_BARRIER("cluster_migration_barrier", "cluster-migration-barrier", OptionType.INT, "1", true, 0, Integer.MAX_VALUE,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ALLOW_REPLICA_MIGRATION("cluster_allow_replica_migration", "cluster-allow-replica-migration", OptionType.BOOL, "yes", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_REQUIRE_FULL_COVERAGE("cluster_require_full_coverage", "cluster-require-full-coverage", OptionType.BOOL, "yes", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_REPLICA_NO_FAILOVER("cluster_replica_no_failover", "cluster-replica-no-failover", OptionType.BOOL, "no", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ALLOW_READS_WHEN_DOWN("cluster_allow_reads_when_down", "cluster-allow-reads-when-down", OptionType.BOOL, "no", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ALLOW_PUBSUBSHARD_WHEN_DOWN("cluster_allow_pubsubshard_when_down", "cluster-allow-pubsubshard-when-down", OptionType.BOOL, "yes", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_LINK_SENDBUF_LIMIT("cluster_link_sendbuf_limit", "cluster-link-sendbuf-limit", OptionType.MEMORY, "0", true, 0, Long.MAX_VALUE,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ANNOUNCE_IP("cluster_announce_ip", "cluster-announce-ip", OptionType.STRING, "", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ANNOUNCE_HOSTNAME("cluster_announce_hostname", "cluster-announce-hostname", OptionType.STRING, "", true, "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ANNOUNCE_PORT("cluster_announce_port", "cluster-announce-port", OptionType.INT, "0", true, 0, 65535,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ANNOUNCE_BUS_PORT("cluster_announce_bus_port", "cluster-announce-bus-port", OptionType.INT, "0", true, 0, 65535,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_ANNOUNCE_TLS_PORT("cluster_announce_tls_port", "cluster-announce-tls-port", OptionType.INT, "0", true, 0, 65535,
            "accepted for compatibility: damselfly has no cluster mode"),
    CLUSTER_PREFERRED_ENDPOINT_TYPE("cluster_preferred_endpoint_type", "cluster-preferred-endpoint-type", OptionType.ENUM, "ip", true,
            new String[] {"ip", "hostname", "unknown-endpoint"}, "accepted for compatibility: damselfly has no cluster mode"),
    REPLICAOF("replicaof", "replicaof", OptionType.STRING, "", false,
            "<host> <port>: start as a replica of that primary (REPLICAOF at run time); alias slaveof"),
    MAXMEMORY_CLIENTS("maxmemory_clients", "maxmemory-clients", OptionType.STRING, "0", true,
            "accepted for compatibility: clients are not evicted for their memory here (client-output-buffer-limit and request_memory_limit bound it); bytes or a percentage of maxmemory up to 100%"),
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
        switch (this) {
            case REPLICA_LAZY_FLUSH, REPLICA_SERVE_STALE_DATA, REPLICA_READ_ONLY, REPLICA_IGNORE_MAXMEMORY,
                    REPLICA_PRIORITY, REPLICA_ANNOUNCE_IP, REPLICA_ANNOUNCE_PORT, REPL_PING_REPLICA_PERIOD, REPLICAOF,
                    CLUSTER_REPLICA_VALIDITY_FACTOR, CLUSTER_REPLICA_NO_FAILOVER -> {
                return redisName.replace("replica", "slave");
            }
            default -> {
            }
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
        return this == REQUIREPASS || this == MASTERAUTH || this == MASTERUSER;
    }

    /**
     * Whether the option is one of Redis's HIDDEN_CONFIG ones (rdb-key-save-delay, key-load-delay and
     * the others Redis's tests set: knobs for tests): CONFIG GET returns it only when it is named exactly, never for a pattern.
     * CONFIG SET and CONFIG REWRITE treat it as any other (rewrite writes it when it is not the
     * default), as config.c does.
     */
    public boolean isHidden() {
        return switch (this) {
            case RDB_KEY_SAVE_DELAY, KEY_LOAD_DELAY, LOADING_PROCESS_EVENTS_INTERVAL_BYTES, USE_EXIT_ON_PANIC,
                    AOF_DISABLE_AUTO_GC -> true;
            default -> false;
        };
    }

    /** The eviction policy damselfly adds to Redis's eight (cache mode's default). */
    static final String EXTENSION_POLICY = "allkeys-tinylfu";

    /** Redis keeps hz within these bounds whatever is configured (server.h CONFIG_MIN_HZ/MAX_HZ). */
    static final long MIN_HZ = 1;
    static final long MAX_HZ = 500;

    /** Redis's smallest replication backlog (server.h CONFIG_REPL_BACKLOG_MIN_SIZE). */
    static final long REPL_BACKLOG_MIN_SIZE = 16 * 1024;

    /**
     * Parses and validates a value for this option as Redis reads it from CONFIG SET or a config
     * file's "name value" line; throws IllegalArgumentException. A boolean Redis has takes only
     * yes or no, as in Redis; one Redis lacks is a Dragonfly (or damselfly) flag and takes
     * Dragonfly's words everywhere, as Dragonfly's CONFIG SET parses its flags as absl does.
     */
    public Object parse(String text) {
        return parseValue(type == OptionType.BOOL && redisName == null ? OptionType.flagBoolean(text) : text);
    }

    /**
     * Parses a value given in Dragonfly's flag syntax ({@code --name=value}, a bare {@code --name},
     * {@code --noname}, on the command line or in a flag file): a boolean takes absl's words
     * (true/false, 1/0, t/f, yes/no, y/n), so Dragonfly command lines start unchanged.
     */
    public Object parseFlag(String text) {
        return parseValue(type == OptionType.BOOL ? OptionType.flagBoolean(text) : text);
    }

    private Object parseValue(String text) {
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
        if (this == ACTIVEDEFRAG && (Boolean) v) {
            // as isValidActiveDefrag in a Redis built without its jemalloc: there is nothing to defragment here
            throw new IllegalArgumentException("Active defragmentation cannot be enabled: it requires a Redis server "
                    + "compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution");
        }
        if (this == REPL_BACKLOG_SIZE) {
            // resizeReplicationBacklog's floor (CONFIG_REPL_BACKLOG_MIN_SIZE), which CONFIG GET then shows
            v = Math.max(REPL_BACKLOG_MIN_SIZE, (Long) v);
        }
        if (this == REPLICAOF && !((String) v).isEmpty()) {
            String[] hostPort = ((String) v).trim().split("\\s+");
            Long port = hostPort.length == 2 ? io.damselfly.server.keyspace.Numbers.parseLong(hostPort[1].getBytes(java.nio.charset.StandardCharsets.US_ASCII)) : null;
            if (port == null || port < 0 || port > 65535) {
                throw new IllegalArgumentException("replicaof takes a host and a port");
            }
        }
        if (this == CLUSTER_ENABLED && (Boolean) v) {
            throw new IllegalArgumentException("damselfly has no cluster mode: cluster-enabled must be no");
        }
        if (this == CLUSTER_ANNOUNCE_HOSTNAME) {
            announcedHostname((String) v);
        }
        if (this == SHUTDOWN_ON_SIGINT || this == SHUTDOWN_ON_SIGTERM) {
            v = shutdownFlags((String) v);
        }
        if (this == MAXMEMORY_CLIENTS) {
            v = clientMemory((String) v);
        }
        if (this == OOM_SCORE_ADJ_VALUES) {
            v = OomScoreAdj.parseValues((String) v);
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

    /** isValidAnnouncedHostname: under 256 characters, letters, digits, hyphens and dots. */
    private static void announcedHostname(String text) {
        if (text.length() >= 256) {
            throw new IllegalArgumentException("Hostnames must be less than 256 characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                throw new IllegalArgumentException("Hostnames may only contain alphanumeric characters, hyphens or dots");
            }
        }
    }

    /** shutdown-on-sigint/-sigterm's flags, in Redis's order (save, nosave, now, force; "default" for none). */
    private static final String[] SHUTDOWN_FLAGS = {"default", "save", "nosave", "now", "force"};

    /**
     * A multi-argument enum of flags as Redis reads shutdown-on-sig*: blank-separated names, OR'ed;
     * save and nosave exclude each other. Answers the CONFIG GET form.
     */
    private static String shutdownFlags(String text) {
        String trimmed = text.strip();
        String[] words = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (words.length == 0) {
            throw new IllegalArgumentException("argument(s) must be one of the following: " + String.join(", ", SHUTDOWN_FLAGS));
        }
        boolean[] set = new boolean[SHUTDOWN_FLAGS.length];
        for (String w : words) {
            int found = -1;
            for (int i = 0; i < SHUTDOWN_FLAGS.length; i++) {
                if (SHUTDOWN_FLAGS[i].equalsIgnoreCase(w)) {
                    found = i;
                }
            }
            if (found < 0) {
                throw new IllegalArgumentException("argument(s) must be one of the following: " + String.join(", ", SHUTDOWN_FLAGS));
            }
            set[found] = true;
        }
        if (set[1] && set[2]) {
            throw new IllegalArgumentException("shutdown options SAVE and NOSAVE can't be used simultaneously");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < SHUTDOWN_FLAGS.length; i++) {
            if (set[i]) {
                sb.append(sb.length() == 0 ? "" : " ").append(SHUTDOWN_FLAGS[i]);
            }
        }
        return sb.length() == 0 ? "default" : sb.toString();
    }

    /**
     * maxmemory-clients as Redis's numericParseString reads a MEMORY|PERCENT config: a memory
     * value (its bytes), else digits and '%' up to 100 (kept as "N%").
     */
    private static String clientMemory(String text) {
        try {
            return Long.toString((Long) OptionType.MEMORY.parse(text, new String[0], 0, Long.MAX_VALUE));
        } catch (IllegalArgumentException notMemory) {
            // a percentage, below
        }
        if (text.length() > 1 && text.endsWith("%")) {
            String digits = text.substring(0, text.length() - 1);
            long pct;
            try {
                pct = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                pct = -1;
            }
            if (pct > 100) {
                throw new IllegalArgumentException("percentage argument must be less or equal to 100");
            }
            if (pct >= 0) {
                return pct + "%";
            }
        }
        throw new IllegalArgumentException("argument must be a memory or percent value");
    }

    /**
     * The value a parsed {@code value} gives over the {@code current} one: itself, except for
     * client-output-buffer-limit, where a value names only the classes it changes, and dir.
     */
    public Object merge(Object current, Object value) {
        if (value instanceof ClientOutputBufferLimits limits) {
            return limits.over((ClientOutputBufferLimits) current);
        }
        if (this == DIR) {
            // Redis chdirs to dir (config line and CONFIG SET alike), so a relative dir is taken
            // from the current one and CONFIG GET shows getcwd(): an absolute path
            return Path.of((String) current).toAbsolutePath().resolve((String) value).normalize().toString();
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
