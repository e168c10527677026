package io.budgetguard.bench.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * What the dedup store costs per remembered event id: RocksDB bytes on disk (its SST files, after the application
 * closed and flushed its memtables) and bytes of its changelog topic on the broker, divided by the ids it holds.
 */
record DedupFootprint(long entries, long sstBytes, long otherFileBytes, long changelogBytes) {

    static DedupFootprint measure(Path stateDir, String applicationId, String store, Admin admin, long entries) {
        long sst = 0;
        long other = 0;
        try (Stream<Path> files = Files.walk(stateDir.resolve(applicationId))) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("/" + store + "/"))::iterator) {
                long size = Files.size(file);
                if (file.getFileName().toString().endsWith(".sst")) {
                    sst += size;
                } else {
                    other += size;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DedupFootprint(entries, sst, other, changelogBytes(admin, applicationId + "-" + store + "-changelog"));
    }

    private static long changelogBytes(Admin admin, String topic) {
        try {
            long bytes = 0;
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(
                    admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList()).allDescriptions().get()
                    .values()) {
                for (LogDirDescription dir : dirs.values()) {
                    for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                        if (replica.getKey().topic().equals(topic)) {
                            bytes += replica.getValue().size();
                        }
                    }
                }
            }
            return bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException e) {
            return -1;
        }
    }

    double sstBytesPerEntry() {
        return (double) sstBytes / entries;
    }

    double changelogBytesPerEntry() {
        return (double) changelogBytes / entries;
    }
}
