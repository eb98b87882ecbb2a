package io.damselfly.server.pubsub;

import io.damselfly.server.config.KeyspaceEventClasses;
import io.damselfly.server.keyspace.KeyEvent;
import io.damselfly.server.keyspace.Keyspace;
import io.damselfly.server.keyspace.KeyspaceObserver;
import java.nio.charset.StandardCharsets;

/**
 * Keyspace notifications (Redis's notify.c): every key event of a class enabled by
 * notify-keyspace-events is published as {@code __keyspace@<db>__:<key>} with the event's name
 * (class K) and as {@code __keyevent@<db>__:<event>} with the key (class E).
 *
 * <p>It observes the keyspace's write hook, so it runs on the writing thread under the key's
 * shard lock: with notifications off it costs one volatile read (nothing before they were first
 * turned on: it is not an observer until then); with them on it builds the two
 * channel names and publishes, which only enqueues (see {@link PubSub}).
 */
public final class KeyspaceNotifier implements KeyspaceObserver {
    private static final byte[] KEYSPACE_PREFIX = "__keyspace@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYEVENT_PREFIX = "__keyevent@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "__:".getBytes(StandardCharsets.US_ASCII);

    private final Keyspace keyspace;
    private final PubSub pubsub;
    private volatile int flags;
    private boolean observing;

    public KeyspaceNotifier(Keyspace keyspace, PubSub pubsub) {
        this.keyspace = keyspace;
        this.pubsub = pubsub;
    }

    /**
     * Sets the enabled classes (notify-keyspace-events). The notifier observes the keyspace from
     * the first non-empty setting on, so writes pay nothing for it until then.
     */
    public synchronized void setClasses(KeyspaceEventClasses classes) {
        this.flags = classes.flags();
        if (classes.flags() != 0 && !observing) {
            observing = true;
            keyspace.addObserver(this);
        }
    }

    @Override
    public void keyMissed(int db, byte[] key) {
        keyChanged(db, key, KeyEvent.KEYMISS);
    }

    @Override
    public void keyChanged(int db, byte[] key, KeyEvent event) {
        int f = flags;
        if (f == 0 || (f & KeyspaceEventClasses.bitOf(event.notifyClass())) == 0 || event.redisName() == null) {
            return;
        }
        byte[] name = event.redisName().getBytes(StandardCharsets.US_ASCII);
        byte[] dbDigits = Integer.toString(db).getBytes(StandardCharsets.US_ASCII);
        if ((f & KeyspaceEventClasses.KEYSPACE) != 0) {
            pubsub.publish(concat(KEYSPACE_PREFIX, dbDigits, SUFFIX, key), name, null, null);
        }
        if ((f & KeyspaceEventClasses.KEYEVENT) != 0) {
            pubsub.publish(concat(KEYEVENT_PREFIX, dbDigits, SUFFIX, name), key, null, null);
        }
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c, byte[] d) {
        byte[] out = new byte[a.length + b.length + c.length + d.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        System.arraycopy(d, 0, out, a.length + b.length + c.length, d.length);
        return out;
    }
}
