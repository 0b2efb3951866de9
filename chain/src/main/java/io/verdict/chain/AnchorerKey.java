package io.verdict.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdict.verification.Address;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.WalletUtils;
import org.web3j.crypto.exception.CipherException;

/**
 * The secp256k1 key that signs anchoring (and, for the owner, registry) transactions. The private
 * key never appears in {@link #toString()}, logs or exception messages; it leaves this object
 * only towards web3j's transaction signer.
 */
public final class AnchorerKey {
  private static final Pattern HEX_KEY = Pattern.compile("(0x)?[0-9a-fA-F]{64}");
  private static final BigInteger N = new BigInteger(
      "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

  private final Credentials credentials;
  private final Address address;

  private AnchorerKey(BigInteger privateKey, String source) {
    if (privateKey.signum() <= 0 || privateKey.compareTo(N) >= 0) {
      throw new AnchorerKeyException(source + " is not a valid secp256k1 private key (out of range)");
    }
    this.credentials = Credentials.create(ECKeyPair.create(privateKey));
    this.address = Address.parse(credentials.getAddress().toLowerCase(Locale.ROOT));
  }

  /**
   * A key from 64 hex digits, with or without {@code 0x}.
   *
   * @throws AnchorerKeyException if the text is not such a key (the text is not echoed)
   */
  public static AnchorerKey fromHex(String hex) {
    return fromHex(hex, "the anchorer key");
  }

  /**
   * A fresh random key, for read-only use of a chain client (it never signs anything that is
   * sent), e.g. checking a receipt on chain.
   */
  public static AnchorerKey generate() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    key[0] &= 0x7f; // below the secp256k1 order
    key[31] |= 1; // not zero
    return fromHex("0x" + java.util.HexFormat.of().formatHex(key), "a generated key");
  }

  /**
   * The key held (as hex) by an environment variable.
   *
   * @throws AnchorerKeyException if the variable is unset, empty or malformed
   */
  public static AnchorerKey fromEnvironment(String variable) {
    return fromEnvironment(variable, System::getenv);
  }

  /** As {@link #fromEnvironment(String)}, reading variables through {@code environment}. */
  public static AnchorerKey fromEnvironment(String variable, Function<String, String> environment) {
    Objects.requireNonNull(variable, "variable");
    String value = environment.apply(variable);
    if (value == null || value.isBlank()) {
      throw new AnchorerKeyException("environment variable " + variable + " is not set");
    }
    return fromHex(value, "environment variable " + variable);
  }

  /**
   * A key from a standard Ethereum JSON keystore file (version 3, scrypt or pbkdf2).
   *
   * @throws AnchorerKeyException if the file is unreadable, not a keystore, the password is wrong
   *     or the decrypted key does not match the address the file declares
   */
  public static AnchorerKey fromKeystore(Path file, char[] password) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(password, "password");
    if (!Files.isReadable(file)) {
      throw new AnchorerKeyException("keystore " + file + " does not exist or is not readable");
    }
    Credentials loaded;
    try {
      loaded = WalletUtils.loadCredentials(new String(password), file.toFile());
    } catch (CipherException e) {
      throw new AnchorerKeyException("keystore " + file + ": wrong password or corrupt keystore");
    } catch (IOException | RuntimeException e) {
      // no cause attached: nothing from the decryption path may carry key material into a log
      throw new AnchorerKeyException("keystore " + file + " is not a readable Ethereum keystore ("
          + e.getClass().getSimpleName() + ")");
    }
    AnchorerKey key = new AnchorerKey(loaded.getEcKeyPair().getPrivateKey(), "keystore " + file);
    String declared = declaredAddress(file);
    if (declared != null && !declared.equals(key.address.toLowerHex())) {
      throw new AnchorerKeyException("keystore " + file + " declares address " + declared
          + " but its key is " + key.address);
    }
    return key;
  }

  private static AnchorerKey fromHex(String hex, String source) {
    String text = hex == null ? "" : hex.strip();
    if (!HEX_KEY.matcher(text).matches()) {
      throw new AnchorerKeyException(source + " is not a private key (expected 64 hex digits,"
          + " optionally 0x-prefixed)");
    }
    return new AnchorerKey(new BigInteger(text.replaceFirst("^0x", ""), 16), source);
  }

  private static String declaredAddress(Path file) {
    try {
      JsonNode json = new ObjectMapper().readTree(file.toFile());
      String declared = json.path("address").asText("");
      if (declared.isEmpty()) {
        return null;
      }
      return "0x" + declared.toLowerCase(Locale.ROOT).replaceFirst("^0x", "");
    } catch (IOException e) {
      return null;
    }
  }

  /** The address of this key. */
  public Address address() {
    return address;
  }

  /** For web3j's signer only. */
  Credentials credentials() {
    return credentials;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnchorerKey other
        && credentials.getEcKeyPair().getPrivateKey()
            .equals(other.credentials.getEcKeyPair().getPrivateKey());
  }

  @Override
  public int hashCode() {
    return address.hashCode();
  }

  @Override
  public String toString() {
    return "AnchorerKey[address=" + address + "]";
  }
}
