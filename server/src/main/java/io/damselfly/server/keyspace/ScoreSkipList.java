package io.damselfly.server.keyspace;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * The large form of a sorted set: a skip list ordered by (score, member) whose links carry spans,
 * so rank lookups and rank ranges cost O(log n), with a table from member to node beside it for
 * O(1) ZSCORE. Redis's zskiplist plus its dict, in one class.
 */
final class ScoreSkipList {
    /*
     * Design. As Redis's t_zset.c: a node's level is geometric with p = 1/4, at most 32; each
     * forward link at level i records how many level-0 steps it jumps (its span), so descending
     * from the top level and summing spans gives a node's rank, and walking spans finds the node
     * at a rank. Level 0 is also linked backwards (prev) for reverse iteration. Ranks are
     * 1-based inside this class, as in zslGetRank; SortedSetValue speaks 0-based ranks.
     *
     * Every range question is answered as a count: countWhile(test) descends while the next node
     * passes a test that holds for a prefix of the order ("score below min", "member before the
     * lex bound"), so ZCOUNT, ZRANGEBYSCORE and ZREMRANGEBYLEX reduce to two descents and a
     * rank range, O(log n) plus what is returned.
     *
     * Member table: open addressing with linear probing over the nodes themselves (each node
     * keeps its member's keyed SipHash), backward-shift deletion, grown past 3/4 full and shrunk
     * under 1/8, like FieldTable; 4 bytes a slot and no entry object. ZSCAN walks its home
     * buckets in reverse-binary cursor order, so a member present for the whole scan is returned
     * across resizes (dictScan's guarantee).
     *
     * Footprint: nodes (object, link and span arrays, member array) summed as they come and go,
     * plus the table and the header node: O(1) to read.
     */

    static final int MAX_LEVEL = 32;
    /** Node: header 12 + member 4 + score 8 + hash 4 + prev 4 + next 4 + span 4 = 40. */
    static final int NODE_BYTES = 40;
    /** This object: header 12 + header 4 + tail 4 + length 4 + level 4 + table 4 + tableSize 4 + nodeBytes 8 = 44, aligned to 48. */
    static final int LIST_BYTES = 48;
    /** The header node: a node without member, with all 32 levels. */
    private static final long HEADER_BYTES = NODE_BYTES + MemoryLayout.referenceArray(MAX_LEVEL) + MemoryLayout.intArray(MAX_LEVEL);
    private static final int MIN_TABLE = 8;

    static final class Node {
        final byte[] member;
        double score;
        final int hash;
        Node prev;
        final Node[] next;
        final int[] span;

        Node(byte[] member, double score, int hash, int level) {
            this.member = member;
            this.score = score;
            this.hash = hash;
            this.next = new Node[level];
            this.span = new int[level];
        }

        long bytes() {
            return NODE_BYTES + MemoryLayout.referenceArray(next.length) + MemoryLayout.intArray(span.length)
                    + MemoryLayout.byteArray(member.length);
        }
    }

    /** Whether a node lies before some bound; must hold for a prefix of the order. */
    @FunctionalInterface
    interface NodeTest {
        boolean test(Node n);
    }

    private final Node header = new Node(null, 0, 0, MAX_LEVEL);
    private Node tail;
    private int length;
    private int level = 1;
    private Node[] table = new Node[MIN_TABLE];
    private long nodeBytes;

    int size() {
        return length;
    }

    long footprint() {
        return LIST_BYTES + HEADER_BYTES + MemoryLayout.referenceArray(table.length) + nodeBytes;
    }

    // ---- order ------------------------------------------------------------------------------

    static int compare(double s1, byte[] m1, double s2, byte[] m2) {
        if (s1 != s2) {
            return s1 < s2 ? -1 : 1;
        }
        return Arrays.compareUnsigned(m1, m2);
    }

    private static int randomLevel() {
        int lvl = 1;
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (lvl < MAX_LEVEL && (r.nextInt() & 0xFFFF) < 0xFFFF / 4) {
            lvl++;
        }
        return lvl;
    }

    // ---- reads ------------------------------------------------------------------------------

    /** The node of a member, or null. */
    Node find(byte[] member) {
        int h = FieldTable.hash(member);
        int mask = table.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            Node n = table[i];
            if (n == null) {
                return null;
            }
            if (n.hash == h && Arrays.equals(n.member, member)) {
                return n;
            }
        }
    }

    /** The 1-based rank of a node in the list. */
    long rankOf(Node target) {
        long rank = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && compare(x.next[i].score, x.next[i].member, target.score, target.member) <= 0) {
                rank += x.span[i];
                x = x.next[i];
            }
            if (x == target) {
                return rank;
            }
        }
        throw new IllegalStateException("node not in the list");
    }

    /** The node at a 1-based rank, or null past the ends. */
    Node nodeAt(long rank) {
        if (rank < 1 || rank > length) {
            return null;
        }
        long traversed = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && traversed + x.span[i] <= rank) {
                traversed += x.span[i];
                x = x.next[i];
            }
            if (traversed == rank) {
                return x;
            }
        }
        return null;
    }

    /** How many nodes, from the first, pass {@code before}. */
    long countWhile(NodeTest before) {
        long rank = 0;
        Node x = header;
        for (int i = level - 1; i >= 0; i--) {
            while (x.next[i] != null && before.test(x.next[i])) {
                rank += x.span[i];
                x = x.next[i];
            }
        }
        return rank;
    }

    Node first() {
        return header.next[0];
    }

    Node last() {
        return tail;
    }

    // ---- writes -----------------------------------------------------------------------------

    /** Adds a member that is not in the set. */
    void insert(byte[] member, double score) {
        Node n = new Node(member, score, FieldTable.hash(member), randomLevel());
        link(n);
        nodeBytes += n.bytes();
        tablePut(n);
    }

    /** Changes a member's score, moving its node only when its place changes (zslUpdateScore). */
    void updateScore(Node n, double score) {
        boolean stays = (n.prev == null || compare(n.prev.score, n.prev.member, score, n.member) < 0)
                && (n.next[0] == null || compare(n.next[0].score, n.next[0].member, score, n.member) > 0);
        if (stays) {
            n.score = score;
            return;
        }
        unlink(n);
        n.score = score;
        link(n);
    }

    /** Removes a member's node. */
    void delete(Node n) {
        unlink(n);
        nodeBytes -= n.bytes();
        tableRemove(n);
    }

    private void link(Node x) {
        int lvl = x.next.length;
        // the search path, one node per level in use (levels are about log4(n): a few words each)
        Node[] update = new Node[Math.max(level, lvl)];
        long[] rank = new long[update.length];
        Node p = header;
        for (int i = level - 1; i >= 0; i--) {
            rank[i] = i == level - 1 ? 0 : rank[i + 1];
            while (p.next[i] != null && compare(p.next[i].score, p.next[i].member, x.score, x.member) < 0) {
                rank[i] += p.span[i];
                p = p.next[i];
            }
            update[i] = p;
        }
        if (lvl > level) {
            for (int i = level; i < lvl; i++) {
                rank[i] = 0;
                update[i] = header;
                header.span[i] = length;
            }
            level = lvl;
        }
        for (int i = 0; i < lvl; i++) {
            x.next[i] = update[i].next[i];
            update[i].next[i] = x;
            x.span[i] = (int) (update[i].span[i] - (rank[0] - rank[i]));
            update[i].span[i] = (int) (rank[0] - rank[i]) + 1;
        }
        for (int i = lvl; i < level; i++) {
            update[i].span[i]++;
        }
        x.prev = update[0] == header ? null : update[0];
        if (x.next[0] != null) {
            x.next[0].prev = x;
        } else {
            tail = x;
        }
        length++;
    }

    private void unlink(Node x) {
        Node[] update = new Node[level];
        Node p = header;
        for (int i = level - 1; i >= 0; i--) {
            while (p.next[i] != null && compare(p.next[i].score, p.next[i].member, x.score, x.member) < 0) {
                p = p.next[i];
            }
            update[i] = p;
        }
        if (update[0].next[0] != x) {
            throw new IllegalStateException("node not in the list");
        }
        for (int i = 0; i < level; i++) {
            if (update[i].next[i] == x) {
                update[i].span[i] += x.span[i] - 1;
                update[i].next[i] = x.next[i];
            } else {
                update[i].span[i]--;
            }
        }
        if (x.next[0] != null) {
            x.next[0].prev = x.prev;
        } else {
            tail = x.prev;
        }
        while (level > 1 && header.next[level - 1] == null) {
            level--;
        }
        length--;
        Arrays.fill(x.next, null);
        Arrays.fill(x.span, 0);
        x.prev = null;
    }

    // ---- the member table -------------------------------------------------------------------

    private void tablePut(Node n) {
        int mask = table.length - 1;
        int i = n.hash & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = n;
        if (length > table.length / 4 * 3) {
            resize(table.length * 2);
        }
    }

    private void tableRemove(Node n) {
        int mask = table.length - 1;
        int hole = n.hash & mask;
        while (table[hole] != n) {
            hole = (hole + 1) & mask;
        }
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (table[i] == null) {
                break;
            }
            int home = table[i].hash & mask;
            boolean homeBetween = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!homeBetween) {
                table[hole] = table[i];
                hole = i;
            }
        }
        table[hole] = null;
        if (length < table.length / 8 && table.length > MIN_TABLE) {
            long need = Math.max(MIN_TABLE, (length * 8L + 2) / 3);
            resize((int) Math.min(1 << 30, Long.highestOneBit(need - 1) << 1));
        }
    }

    private void resize(int capacity) {
        Node[] old = table;
        table = new Node[capacity];
        int mask = capacity - 1;
        for (Node n : old) {
            if (n != null) {
                int i = n.hash & mask;
                while (table[i] != null) {
                    i = (i + 1) & mask;
                }
                table[i] = n;
            }
        }
    }

    /** A node chosen uniformly (rejection sampling over the table, at least 1/8 full). */
    Node randomNode(RandomGenerator random) {
        int mask = table.length - 1;
        while (true) {
            Node n = table[random.nextInt() & mask];
            if (n != null) {
                return n;
            }
        }
    }

    /** One dictScan step over the table's home bucket {@code cursor & mask}; the next cursor. */
    long scanStep(long cursor, java.util.function.Consumer<Node> visitor) {
        int mask = table.length - 1;
        int bucket = (int) (cursor & mask);
        for (int i = bucket; table[i] != null; i = (i + 1) & mask) {
            if ((table[i].hash & mask) == bucket) {
                visitor.accept(table[i]);
            }
        }
        long v = cursor | ~(long) mask;
        v = Long.reverse(v);
        v++;
        return Long.reverse(v);
    }

    /** Recomputes what is kept incrementally and checks the order and spans; null when sound. For tests. */
    String checkStructure() {
        long bytes = 0;
        int n = 0;
        Node prev = null;
        for (Node x = header.next[0]; x != null; x = x.next[0]) {
            n++;
            bytes += x.bytes();
            if (x.prev != prev) {
                return "bad back link at " + n;
            }
            if (prev != null && compare(prev.score, prev.member, x.score, x.member) >= 0) {
                return "out of order at " + n;
            }
            if (find(x.member) != x) {
                return "member table misses node " + n;
            }
            if (rankOf(x) != n) {
                return "rank of node " + n + " is " + rankOf(x);
            }
            prev = x;
        }
        if (prev != tail) {
            return "bad tail";
        }
        int inTable = 0;
        for (Node x : table) {
            if (x != null) {
                inTable++;
            }
        }
        if (n != length || inTable != length || bytes != nodeBytes) {
            return "length " + length + "/" + n + "/" + inTable + ", bytes " + nodeBytes + "/" + bytes;
        }
        return null;
    }
}
