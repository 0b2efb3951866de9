package io.verdict.actors.validator;

import io.verdict.verification.keys.KeystoreException;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.keys.ValidatorKeystore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The validator identities a node hosts: standard Ethereum JSON keystore files
 * {@code validator-1.json}, {@code validator-2.json}, … in one directory, all under one password.
 * On first start the missing files are created; afterwards the same keys are loaded, so a node
 * keeps its validator addresses across restarts. Keys never reach a log: only addresses do.
 */
public final class ValidatorKeyring {

    private ValidatorKeyring() {}

    /**
     * Loads {@code count} keys from {@code dir}, creating the files that do not exist yet.
     *
     * @throws io.verdict.verification.keys.KeystoreException if a file exists but cannot be
     *     decrypted with {@code password} (wrong password, corrupt file)
     */
    public static List<ValidatorKey> loadOrCreate(Path dir, int count, String password,
                                                  ValidatorKeystore.Strength strength)
            throws KeystoreException {
        if (count < 1) {
            throw new IllegalArgumentException("a node hosts at least one validator, got " + count);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the key directory " + dir, e);
        }
        List<ValidatorKey> keys = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            Path file = dir.resolve(fileName(i));
            if (Files.exists(file)) {
                keys.add(ValidatorKeystore.load(file, password));
            } else {
                ValidatorKey key = ValidatorKey.generate();
                ValidatorKeystore.save(key, password, file, strength);
                keys.add(key);
            }
        }
        return List.copyOf(keys);
    }

    /** How many keystore files {@code dir} holds (more than configured is allowed: extras are unused). */
    public static long countFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("validator-\\d+\\.json")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String fileName(int index) {
        return "validator-" + index + ".json";
    }
}
