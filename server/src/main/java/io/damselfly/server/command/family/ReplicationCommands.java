package io.damselfly.server.command.family;

import io.damselfly.server.client.ClientSession;
import io.damselfly.server.command.CommandContext;
import io.damselfly.server.command.CommandTable;
import io.damselfly.server.command.DeferredReply;
import io.damselfly.server.command.Errors;
import io.damselfly.server.keyspace.Numbers;
import io.damselfly.server.replication.Failover;
import io.damselfly.server.replication.ReplicationStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary's side of replication (replication.c): SYNC and PSYNC attach a replica to the
 * replication stream (a full synchronisation, or PSYNC's continuation from the backlog), REPLCONF
 * takes what a replica says of itself and its acknowledgements, WAIT waits for them, ROLE shows
 * the primary and its replicas; REPLICAOF (SLAVEOF) makes this server a replica of another.
 */
public final class ReplicationCommands {
    private static final Logger log = LoggerFactory.getLogger(ReplicationCommands.class);
    /** Redis's longest REPLCONF ip-address, plus one (anet.h NET_HOST_STR_LEN). */
    private static final int NET_HOST_STR_LEN = 256;

    private ReplicationCommands() {
    }

    public static void register(CommandTable.Builder t) {
        t.add("wait", ReplicationCommands::waitForReplicas);
        t.add("role", ReplicationCommands::role);
        t.add("sync", ReplicationCommands::sync);
        t.add("psync", ReplicationCommands::psync);
        t.add("replconf", ReplicationCommands::replconf);
        t.add("replicaof", ReplicationCommands::replicaof);
        t.add("slaveof", ReplicationCommands::replicaof);
        t.add("failover", ReplicationCommands::failover);
    }

    /**
     * FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: failoverCommand's parsing, checks and
     * replies; the failover itself is {@link io.damselfly.server.replication.Failover}.
     */
    static void failover(CommandContext c) {
        Failover failover = c.server().failover();
        if (c.argc() == 2 && c.argIs(1, "abort")) {
            reply(c, failover.abortByRequest());
            return;
        }
        long timeout = 0;
        boolean force = false;
        String host = null;
        long port = 0;
        for (int j = 1; j < c.argc(); j++) {
            if (c.argIs(j, "timeout") && j + 1 < c.argc() && timeout == 0) {
                timeout = c.longArg(j + 1);
                if (timeout <= 0) {
                    c.reply().error("ERR FAILOVER timeout must be greater than 0");
                    return;
                }
                j++;
            } else if (c.argIs(j, "to") && j + 2 < c.argc() && host == null) {
                port = c.longArg(j + 2);
                host = c.argString(j + 1);
                j += 2;
            } else if (c.argIs(j, "force") && !force) {
                force = true;
            } else {
                throw c.syntaxError();
            }
        }
        reply(c, failover.start(host, (int) port, timeout, force, c.server().replicaRole().isReplica()));
    }

    private static void reply(CommandContext c, String error) {
        if (error != null) {
            c.reply().error(error);
        } else {
            c.reply().ok();
        }
    }

    /**
     * REPLICAOF host port | NO ONE (and SLAVEOF): replicaofCommand's checks and replies; the
     * replica's side is {@link io.damselfly.server.replica.ReplicaRole}.
     */
    static void replicaof(CommandContext c) {
        if (c.server().failover().running()) {
            c.reply().error("ERR REPLICAOF not allowed while failing over.");
            return;
        }
        if (c.argIs(1, "no") && c.argIs(2, "one")) {
            c.server().replicaRole().stop();
            c.reply().ok();
            return;
        }
        if (c.server().propagation().stream().isReplica(c.client())) {
            c.reply().error("ERR Command is not valid when client is a replica.");
            return;
        }
        Long port = Numbers.parseLong(c.arg(2));
        if (port == null || port < 0 || port > 65535) {
            c.reply().error("ERR Invalid master port");
            return;
        }
        c.reply().simple(c.server().replicaRole().replicate(c.argString(1), (int) (long) port));
    }

    /** SYNC: a full synchronisation, the file as a bulk and then the stream, no reply before them. */
    static void sync(CommandContext c) {
        if (!mayAttach(c)) {
            return;
        }
        c.server().propagation().stream().countFullSync();
        c.server().fullSync().start(c.client(), false);
    }

    /**
     * PSYNC replicationid offset: +CONTINUE and the stream from {@code offset} when the backlog
     * still holds it under this server's id, else +FULLRESYNC id offset and a full synchronisation.
     */
    static void psync(CommandContext c) {
        if (c.argc() > 3 && c.argIs(3, "failover") && !takeOver(c)) {
            return;
        }
        if (!mayAttach(c)) {
            return;
        }
        ReplicationStream stream = c.server().propagation().stream();
        Long from = Numbers.parseLong(c.arg(2));
        if (from == null) {
            // as syncCommand: refused, and logged
            log.warn("Replica {} asks for synchronization but with a wrong offset", c.client().address());
            c.reply().error(Errors.NOT_INTEGER);
            return;
        }
        if (stream.continueFrom(c.client(), c.client().subscriber(), c.argString(1), from)) {
            return;
        }
        stream.countFullSync();
        c.server().fullSync().start(c.client(), true);
    }

    /**
     * PSYNC id offset FAILOVER, from a primary handing over to this replica (syncCommand): with
     * the id this replica follows, it becomes a primary at once, keeping that id as its second,
     * so the PSYNC then continues; answers false after replying an error.
     */
    private static boolean takeOver(CommandContext c) {
        log.warn("Failover request received for replid {}.", c.argString(1));
        if (!c.server().replicaRole().isReplica()) {
            c.reply().error("ERR PSYNC FAILOVER can't be sent to a master.");
            return false;
        }
        if (!c.argString(1).equalsIgnoreCase(c.server().propagation().stream().replId())) {
            c.reply().error("ERR PSYNC FAILOVER replid must match my replid.");
            return false;
        }
        c.server().replicaRole().stop();
        log.info("MASTER MODE enabled (failover request from '{}')", c.client().address());
        return true;
    }

    /** Redis's checks before SYNC/PSYNC: once per client, and not from a client that is not a connection. */
    private static boolean mayAttach(CommandContext c) {
        ClientSession client = c.client();
        if (c.server().failover().running()) {
            c.reply().error("NOMASTERLINK Can't SYNC while failing over");
            return false;
        }
        if (client.rdbFilter() != ClientSession.RdbFilter.ALL && !client.replicaTakesEof()) {
            // syncCommand: Redis streams a filtered snapshot to the socket, which needs "capa eof"
            c.reply().error("ERR Filtered replica requires EOF capability");
            return false;
        }
        if (c.server().replicaRole().isReplica() && !c.server().replicaRole().linkUp()) {
            // a replica passes its primary's stream on (chained replication), once it has one
            c.reply().error("NOMASTERLINK Can't SYNC while not connected with my master");
            return false;
        }
        if (c.server().propagation().stream().isReplica(client)) {
            // as syncCommand: a replica asking again is ignored
            return false;
        }
        if (client.subscriber() == null) {
            c.reply().error("ERR Replica can't be attached to a client without a connection");
            return false;
        }
        return true;
    }

    /**
     * REPLCONF option value ...: listening-port, ip-address and capa are taken and answered OK;
     * ACK records the replica's offset and answers nothing; GETACK is a replica's business and is
     * ignored here, as replconfCommand does on a primary.
     */
    static void replconf(CommandContext c) {
        if (c.argc() % 2 == 0) {
            c.reply().error("ERR syntax error");
            return;
        }
        ReplicationStream stream = c.server().propagation().stream();
        for (int j = 1; j < c.argc(); j += 2) {
            if (c.argIs(j, "listening-port")) {
                Long port = Numbers.parseLong(c.arg(j + 1));
                if (port == null) {
                    c.reply().error("ERR value is not an integer or out of range");
                    return;
                }
                c.client().setReplicaAnnouncement((int) (long) port, null);
            } else if (c.argIs(j, "ip-address")) {
                byte[] ip = c.arg(j + 1);
                if (ip.length >= NET_HOST_STR_LEN) {
                    c.reply().error("ERR REPLCONF ip-address provided by replica instance is too long: " + ip.length + " bytes");
                    return;
                }
                c.client().setReplicaAnnouncement(-1, c.argString(j + 1));
            } else if (c.argIs(j, "capa")) {
                // "eof": the replica takes a snapshot streamed with an end mark (diskless sync,
                // and a filtered snapshot, which Redis streams to the socket)
                if (c.argIs(j + 1, "eof")) {
                    c.client().setReplicaTakesEof();
                }
            } else if (c.argIs(j, "rdb-only")) {
                // redis-cli --rdb: it closes the link itself once it has the file
            } else if (c.argIs(j, "rdb-filter-only")) {
                ClientSession.RdbFilter filter = ClientSession.RdbFilter.NOTHING;
                for (String f : c.argString(j + 1).trim().split("\\s+")) {
                    if (f.isEmpty()) {
                        continue;
                    }
                    if (!f.equalsIgnoreCase("functions")) {
                        c.reply().error("ERR Unsupported rdb-filter-only option: " + f);
                        return;
                    }
                    filter = ClientSession.RdbFilter.FUNCTIONS;
                }
                c.client().setRdbFilter(filter);
            } else if (c.argIs(j, "ack")) {
                Long offset = Numbers.parseLong(c.arg(j + 1));
                if (offset != null) {
                    stream.acknowledged(c.client(), offset);
                }
                return;
            } else if (c.argIs(j, "getack")) {
                return;
            } else {
                c.reply().error("ERR Unrecognized REPLCONF option: " + c.argString(j));
                return;
            }
        }
        c.reply().ok();
    }

    /**
     * WAIT numreplicas timeout: the replicas that acknowledged this client's last write, once
     * {@code numreplicas} have or the timeout passes (0: no timeout), blocking the client
     * meanwhile; inside MULTI or a script it answers at once, and a replica refuses it, as Redis.
     */
    static void waitForReplicas(CommandContext c) {
        if (c.server().replicaRole().isReplica()) {
            c.reply().error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a "
                    + "replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
            return;
        }
        long wanted = c.longArg(1);
        long timeout = Timeouts.millis(c, 2);
        ReplicationStream stream = c.server().propagation().stream();
        long offset = c.client().replicationOffset();
        int acknowledged = stream.acknowledgedAtLeast(offset);
        if (acknowledged >= wanted || !c.canDefer()) {
            c.reply().integer(acknowledged);
            return;
        }
        DeferredReply slot = c.deferReply(true);
        Object waiting = stream.awaitAcknowledgements(offset, (int) Math.min(Integer.MAX_VALUE, wanted),
                n -> slot.complete(r -> r.integer(n)));
        slot.onResolved(() -> stream.stopWaiting(waiting));
        slot.timeoutAfter(timeout, r -> r.integer(stream.acknowledgedAtLeast(offset)));
    }

    /** ROLE: ["master", replication offset, [[ip, port, acknowledged offset] ...]], or a replica's five. */
    static void role(CommandContext c) {
        if (c.server().replicaRole().isReplica()) {
            Object[] role = c.server().replicaRole().role();
            c.reply().array(role.length);
            for (Object field : role) {
                if (field instanceof Long n) {
                    c.reply().integer(n);
                } else {
                    c.reply().bulk((String) field);
                }
            }
            return;
        }
        ReplicationStream stream = c.server().propagation().stream();
        List<ReplicationStream.ReplicaState> replicas = stream.onlineReplicas();
        c.reply().array(3);
        c.reply().bulk("master");
        c.reply().integer(stream.offset());
        c.reply().array(replicas.size());
        for (ReplicationStream.ReplicaState r : replicas) {
            c.reply().array(3);
            c.reply().bulk(r.ip());
            c.reply().bulk(Integer.toString(r.port()));
            c.reply().bulk(Long.toString(r.ackOffset()));
        }
    }
}
