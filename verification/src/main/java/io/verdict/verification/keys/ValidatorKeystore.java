package io.verdict.verification.keys;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.crypto.exception.CipherException;

/**
 * Saves and loads validator keys as standard Ethereum JSON keystore files (version 3, scrypt,
 * AES-128-CTR), readable by geth, ethers and web3j. Real files use {@link Strength#STANDARD}
 * scrypt parameters (N = 2^18, p = 1: about a second and 256 MiB to open — deliberate);
 * {@link Strength#LIGHT} (N = 2^12, p = 6) exists for tests and throw-away keys.
 */
public final class ValidatorKeystore {
  /** scrypt cost of a keystore file. */
  public enum Strength {
    STANDARD(1 << 18, 1),
    LIGHT(1 << 12, 6);

    private final int n;
    private final int p;

    Strength(int n, int p) {
      this.n = n;
      this.p = p;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ValidatorKeystore() {}

  /** Writes {@code key} to {@code file} with standard scrypt parameters. */
  public static void save(ValidatorKey key, String password, Path file) throws KeystoreException {
    save(key, password, file, Strength.STANDARD);
  }

  /**
   * Writes {@code key} to {@code file}, encrypted under {@code password}. The file is written to a
   * temporary sibling first and moved into place, so a crash never leaves half a keystore.
   */
  public static void save(ValidatorKey key, String password, Path file, Strength strength)
      throws KeystoreException {
    try {
      WalletFile wallet = Wallet.create(password, ECKeyPair.create(key.privateScalar()),
          strength.n, strength.p);
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".keystore", ".tmp");
      JSON.writeValue(tmp.toFile(), wallet);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (CipherException | IOException e) {
      throw new KeystoreException(file, "cannot write keystore (" + e.getClass().getSimpleName()
          + ")", null);
    }
  }

  /**
   * Reads and decrypts a keystore file.
   *
   * @throws KeystoreException if the file is unreadable, not a keystore, the password is wrong, or
   *     the decrypted key does not match the address the file declares
   */
  public static ValidatorKey load(Path file, String password) throws KeystoreException {
    WalletFile wallet;
    try {
      wallet = JSON.readValue(file.toFile(), WalletFile.class);
    } catch (IOException e) {
      throw new KeystoreException(file, "not a readable keystore file", e);
    }
    ECKeyPair pair;
    try {
      pair = Wallet.decrypt(password, wallet);
    } catch (CipherException | RuntimeException e) {
      // Deliberately no cause: web3j's messages are safe today, but nothing from the decryption
      // path should be able to carry key material into a log.
      throw new KeystoreException(file, "wrong password or corrupt keystore", null);
    }
    ValidatorKey key = ValidatorKey.fromPrivateKey(pair.getPrivateKey());
    String declared = wallet.getAddress();
    if (declared != null && !declared.isEmpty()) {
      String actual = key.address().address().toLowerHex().substring(2);
      if (!declared.toLowerCase(Locale.ROOT).replaceFirst("^0x", "").equals(actual)) {
        throw new KeystoreException(file, "keystore address does not match its key", null);
      }
    }
    return key;
  }

  /** The address a keystore file declares, without decrypting it. */
  public static ValidatorAddress peekAddress(Path file) throws KeystoreException {
    try {
      WalletFile wallet = JSON.readValue(file.toFile(), WalletFile.class);
      return ValidatorAddress.parse("0x" + wallet.getAddress().toLowerCase(Locale.ROOT)
          .replaceFirst("^0x", ""));
    } catch (IOException | RuntimeException e) {
      throw new KeystoreException(file, "keystore file declares no valid address", e);
    }
  }
}
