package io.budgetguard.metering;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Caps the off-heap memory of every RocksDB instance of the process together (block cache, index and filter blocks,
 * memtables), the recipe of the Kafka Streams memory-management guide. Without it each store instance (one per task,
 * and one per time segment of the dedup window store) takes its own 50 MiB block cache and up to 3 × 16 MiB of
 * memtables, which does not fit the dev stack's memory budget.
 *
 * <p>Kafka Streams instantiates this class by name for every store, so the shared cache has to be static; it is
 * never closed, because every store of the process uses it until the JVM exits.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {

    static final long TOTAL_OFF_HEAP_BYTES = 64L * 1024 * 1024;
    static final long MEMTABLE_BYTES = 24L * 1024 * 1024;
    private static final double INDEX_FILTER_BLOCK_RATIO = 0.1;
    private static final long BLOCK_SIZE = 16 * 1024;
    private static final int MEMTABLES_PER_STORE = 2;
    private static final long MEMTABLE_SIZE = 4L * 1024 * 1024;
    /**
     * A memtable reserves memory an arena block at a time, by default an eighth of its size (512 KiB). The process has
     * dozens of memtables (each task's stores, each dedup segment, each store's offsets column family), so with the
     * default the reservations alone exceeded the write-buffer budget and the write buffer manager flushed memtables
     * continuously (thousands of tiny SST files and compactions a minute, measured by {@code bench/run.sh streams}).
     */
    private static final long ARENA_BLOCK_SIZE = 64 * 1024;

    private static final Cache CACHE = new LRUCache(TOTAL_OFF_HEAP_BYTES, -1, false, INDEX_FILTER_BLOCK_RATIO);
    private static final WriteBufferManager WRITE_BUFFERS = new WriteBufferManager(MEMTABLE_BYTES, CACHE);

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(CACHE);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        options.setWriteBufferManager(WRITE_BUFFERS);
        options.setMaxWriteBufferNumber(MEMTABLES_PER_STORE);
        options.setWriteBufferSize(MEMTABLE_SIZE);
        options.setArenaBlockSize(ARENA_BLOCK_SIZE);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared by every store: never closed per store
    }
}
