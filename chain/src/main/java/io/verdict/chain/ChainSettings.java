package io.verdict.chain;

import io.verdict.verification.Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * How to reach the anchor chain.
 *
 * @param rpcUrl the JSON-RPC endpoint, {@code http://} or {@code https://}
 * @param chainId the chain id transactions are signed for (EIP-155); the node must agree
 * @param contract the VerdictAnchor address
 * @param key the signing key (the anchorer; the owner for registry calls)
 * @param requestTimeout bound on each JSON-RPC request (connect, write, read, total)
 */
public record ChainSettings(String rpcUrl, long chainId, Address contract, AnchorerKey key,
                            Duration requestTimeout) {
  /** A request timeout that suits a local or nearby node. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

  public ChainSettings {
    checkRpcUrl(rpcUrl);
    if (chainId <= 0) {
      throw new IllegalArgumentException("chain id must be positive, got " + chainId);
    }
    if (contract == null || key == null) {
      throw new IllegalArgumentException("contract and key are required");
    }
    if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive");
    }
  }

  public ChainSettings(String rpcUrl, long chainId, Address contract, AnchorerKey key) {
    this(rpcUrl, chainId, contract, key, DEFAULT_REQUEST_TIMEOUT);
  }

  /**
   * Checks an RPC endpoint on its own, before the rest of the settings are known.
   *
   * @throws IllegalArgumentException unless it is an {@code http://} or {@code https://} URL with
   *     a host; the message never repeats its path or query
   */
  public static void checkRpcUrl(String rpcUrl) {
    if (rpcUrl == null || !(rpcUrl.startsWith("http://") || rpcUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("rpc url must be an http:// or https:// URL");
    }
    try {
      if (new URI(rpcUrl).getHost() == null) {
        throw new IllegalArgumentException("rpc url has no host: " + redact(rpcUrl));
      }
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("rpc url is not a valid URL");
    }
  }

  public ChainSettings withRequestTimeout(Duration timeout) {
    return new ChainSettings(rpcUrl, chainId, contract, key, timeout);
  }

  /** The endpoint as {@code scheme://host:port}: paths and queries may hold provider API keys. */
  public String endpoint() {
    return redact(rpcUrl);
  }

  /** {@code url} as {@code scheme://host:port}, for logs and messages (paths may hold API keys). */
  public static String redact(String url) {
    try {
      URI uri = new URI(url);
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    } catch (URISyntaxException | RuntimeException e) {
      return "(unparseable url)";
    }
  }

  @Override
  public String toString() {
    return "ChainSettings[rpc=" + endpoint() + ", chainId=" + chainId + ", contract=" + contract
        + ", sender=" + key.address() + ", requestTimeout=" + requestTimeout + "]";
  }
}
