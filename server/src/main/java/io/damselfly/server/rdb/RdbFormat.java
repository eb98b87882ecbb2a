package io.damselfly.server.rdb;

/** The RDB format's constants, as Redis 7.0's rdb.h names them. */
final class RdbFormat {
    private RdbFormat() {
    }

    /** The version written: Redis 7.0's. Payloads and files of higher versions are refused. */
    static final int VERSION = 10;
    /** The highest file version read: Redis 7.2's, whose only new type the keyspace holds is SET_LISTPACK. */
    static final int MAX_FILE_VERSION = 11;

    // length encodings: the top two bits of the first byte
    static final int LEN_6BIT = 0;
    static final int LEN_14BIT = 1;
    static final int ENCVAL = 3;
    static final int LEN_32BIT = 0x80;
    static final int LEN_64BIT = 0x81;

    // special string encodings (ENCVAL's low six bits)
    static final int ENC_INT8 = 0;
    static final int ENC_INT16 = 1;
    static final int ENC_INT32 = 2;
    static final int ENC_LZF = 3;

    // value types
    static final int TYPE_STRING = 0;
    static final int TYPE_LIST = 1;
    static final int TYPE_SET = 2;
    static final int TYPE_ZSET = 3;
    static final int TYPE_HASH = 4;
    static final int TYPE_ZSET_2 = 5;
    static final int TYPE_LIST_ZIPLIST = 10;
    static final int TYPE_SET_INTSET = 11;
    static final int TYPE_ZSET_ZIPLIST = 12;
    static final int TYPE_HASH_ZIPLIST = 13;
    static final int TYPE_LIST_QUICKLIST = 14;
    static final int TYPE_HASH_LISTPACK = 16;
    static final int TYPE_ZSET_LISTPACK = 17;
    static final int TYPE_LIST_QUICKLIST_2 = 18;
    // types damselfly does not hold: named for the reader's messages
    static final int TYPE_MODULE = 6;
    static final int TYPE_MODULE_2 = 7;
    static final int TYPE_HASH_ZIPMAP = 9;
    static final int TYPE_STREAM_LISTPACKS = 15;
    static final int TYPE_STREAM_LISTPACKS_2 = 19;
    /** Redis 7.2 (RDB 11): a small set as a listpack of members. */
    static final int TYPE_SET_LISTPACK = 20;
    static final int TYPE_STREAM_LISTPACKS_3 = 21;

    // file opcodes (rdb.h), in the type byte's place
    static final int OPCODE_FUNCTION2 = 245;
    static final int OPCODE_FUNCTION = 246;
    static final int OPCODE_MODULE_AUX = 247;
    static final int OPCODE_IDLE = 248;
    static final int OPCODE_FREQ = 249;
    static final int OPCODE_AUX = 250;
    static final int OPCODE_RESIZEDB = 251;
    static final int OPCODE_EXPIRETIME_MS = 252;
    static final int OPCODE_EXPIRETIME = 253;
    static final int OPCODE_SELECTDB = 254;
    static final int OPCODE_EOF = 255;

    // quicklist node containers (quicklist.h)
    static final int QUICKLIST_PLAIN = 1;
    static final int QUICKLIST_PACKED = 2;
}
