package io.budgetguard.common.keys.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.type.TypeReference;
import io.budgetguard.common.json.Json;
import io.budgetguard.common.keys.KeyServiceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local key store: one JSON file, readable by its owner only (0600, in a 0700 directory), replaced atomically on
 * every change. Several processes may share the directory (dev mode with services as separate processes): changes
 * are made under an exclusive file lock after re-reading the file, and readers pick up the newest file when it has
 * changed since they last read it.
 */
final class LocalKeyFile {

    static final String FILE_NAME = "local-keys.json";
    private static final String LOCK_NAME = "local-keys.lock";
    static final String FORMAT = "budgetguard-local-keys-v1";

    private static final Logger LOG = LoggerFactory.getLogger(LocalKeyFile.class);
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    /** File locks belong to the whole JVM, so two instances in one JVM must also exclude each other in memory. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    /** The whole store. Version numbers are map keys; every map is sorted so the file diffs cleanly. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Contents(String format, Map<String, StoredKey> keys, Map<String, Map<String, String>> secrets) {
        Contents {
            keys = keys == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(keys));
            secrets = secrets == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(secrets));
        }

        static Contents empty() {
            return new Contents(FORMAT, Map.of(), Map.of());
        }

        Contents withKey(String name, StoredKey key) {
            Map<String, StoredKey> copy = new TreeMap<>(keys);
            if (key == null) {
                copy.remove(name);
            } else {
                copy.put(name, key);
            }
            return new Contents(format, copy, secrets);
        }

        Contents withSecret(String path, Map<String, String> values) {
            Map<String, Map<String, String>> copy = new TreeMap<>(secrets);
            copy.put(path, Collections.unmodifiableMap(new TreeMap<>(values)));
            return new Contents(format, keys, copy);
        }
    }

    /** One named key: its type and every version's material (base64). */
    record StoredKey(String type, int latest, Map<Integer, StoredVersion> versions) {
        StoredKey {
            versions = Collections.unmodifiableMap(new TreeMap<>(versions));
        }
    }

    /**
     * {@code key}: PKCS#8 Ed25519 private key or raw AES-256 key; {@code publicKey}: raw Ed25519 public key (signing
     * keys only); {@code hmacKey}: the version's HMAC-SHA256 key; {@code createdAt}: epoch seconds.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StoredVersion(String key, String publicKey, String hmacKey, long createdAt) {}

    private final Path directory;
    private final Path file;
    private final Path lockFile;
    private final ReentrantLock jvmLock;
    private volatile Contents contents = Contents.empty();
    private volatile FileStamp loadedStamp = FileStamp.NONE;

    /** Every change replaces the file, so its identity (inode) changes even when time and size do not. */
    private record FileStamp(Object fileKey, FileTime modified, long size) {
        static final FileStamp NONE = new FileStamp(null, FileTime.fromMillis(0), -1);
    }

    LocalKeyFile(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
        this.file = this.directory.resolve(FILE_NAME);
        this.lockFile = this.directory.resolve(LOCK_NAME);
        this.jvmLock = JVM_LOCKS.computeIfAbsent(this.directory, d -> new ReentrantLock());
        createDirectory();
        tightenPermissions();
        refresh();
    }

    Path file() {
        return file;
    }

    /** The current contents, re-read first when another process has changed the file. */
    Contents read() {
        refresh();
        return contents;
    }

    /** Applies {@code change} to the newest contents under the file lock and writes the result. */
    Contents update(UnaryOperator<Contents> change) {
        jvmLock.lock();
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            Contents current = load();
            Contents changed = change.apply(current);
            if (changed != current) {
                write(changed);
            }
            return contents;
        } catch (IOException e) {
            throw new KeyServiceException("cannot update the local key store " + file + ": " + e.getMessage(), e);
        } finally {
            jvmLock.unlock();
        }
    }

    private void refresh() {
        FileStamp stamp = stamp();
        if (!stamp.equals(loadedStamp)) {
            jvmLock.lock();
            try {
                load();
            } finally {
                jvmLock.unlock();
            }
        }
    }

    private Contents load() {
        FileStamp stamp = stamp();
        if (stamp.equals(FileStamp.NONE)) {
            contents = Contents.empty();
            loadedStamp = stamp;
            return contents;
        }
        try {
            Contents loaded = Json.MAPPER.readValue(file.toFile(), new TypeReference<Contents>() {});
            if (!FORMAT.equals(loaded.format())) {
                throw new KeyServiceException("the local key store " + file + " has an unknown format '"
                        + loaded.format() + "'; expected " + FORMAT);
            }
            contents = loaded;
            loadedStamp = stamp;
            return loaded;
        } catch (IOException e) {
            throw new KeyServiceException("cannot read the local key store " + file + " (" + e.getClass().getSimpleName()
                    + "); move it away to start with new keys", e);
        }
    }

    private void write(Contents changed) throws IOException {
        Path temp = Files.createTempFile(directory, ".local-keys", ".tmp", posixFileAttributes());
        try {
            Files.write(temp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(changed));
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        contents = changed;
        loadedStamp = stamp();
    }

    private FileStamp stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
        } catch (NoSuchFileException e) {
            return FileStamp.NONE;
        } catch (IOException e) {
            throw new KeyServiceException("cannot read the local key store " + file + ": " + e.getMessage(), e);
        }
    }

    private void createDirectory() {
        try {
            if (!Files.isDirectory(directory)) {
                if (isPosix(directory.getParent())) {
                    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
                } else {
                    Files.createDirectories(directory);
                }
            }
        } catch (FileAlreadyExistsException e) {
            throw new KeyServiceException("the local key directory " + directory + " exists but is not a directory");
        } catch (IOException e) {
            throw new KeyServiceException("cannot create the local key directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** A key file others can read is a leaked key: fix it, and say so. */
    private void tightenPermissions() {
        if (!isPosix(directory)) {
            return;
        }
        try {
            if (Files.exists(file) && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY_FILE)) {
                LOG.warn("the local key store {} was readable by others; restricting it to its owner (0600)", file);
                Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
            }
        } catch (IOException e) {
            throw new KeyServiceException("cannot restrict the permissions of " + file + ": " + e.getMessage(), e);
        }
    }

    private java.nio.file.attribute.FileAttribute<?>[] posixFileAttributes() {
        return isPosix(directory)
                ? new java.nio.file.attribute.FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }

    private static boolean isPosix(Path path) {
        Path existing = path;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
