package io.verdict.chain;

import io.verdict.chain.JsonRpc.RpcError;
import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.quorum.ValidatorSet;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthBlockNumber;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthChainId;
import org.web3j.protocol.core.methods.response.EthEstimateGas;
import org.web3j.protocol.core.methods.response.EthGasPrice;
import org.web3j.protocol.core.methods.response.EthGetTransactionCount;
import org.web3j.protocol.core.methods.response.EthGetTransactionReceipt;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.EthTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;

/**
 * {@link AnchorChain} over JSON-RPC with web3j: legacy EIP-155 transactions signed locally with
 * the {@link AnchorerKey}, gas price from {@code eth_gasPrice}, gas limit from
 * {@code eth_estimateGas} plus a quarter and 10,000.
 *
 * <p>Construction does not contact the chain (a service starts while its RPC endpoint is down).
 * The first call that touches the contract or sends checks once that the node's chain id is the
 * configured one ({@link #checkChainId()}).
 *
 * <p>{@link #registerValidatorSet} for an epoch already registered with the same set returns the
 * outcome of the original registration, found from its {@code ValidatorSetRegistered} event; when
 * the node cannot search its logs (some providers limit {@code eth_getLogs}), it returns an
 * outcome with the zero transaction hash at the latest block instead.
 *
 * <p>Thread-safe; nonces are the caller's business (one writer per key).
 */
public final class Web3AnchorChain implements AnchorChain {
  private static final Logger LOG = LoggerFactory.getLogger(Web3AnchorChain.class);
  private static final BigInteger GAS_HEADROOM = BigInteger.valueOf(10_000);
  private static final int REGISTER_ATTEMPTS = 3;

  private final ChainSettings settings;
  private final JsonRpc rpc;
  private final String contractHex;
  private final String senderHex;
  private volatile boolean chainIdChecked;
  private volatile boolean closed;

  /** Builds the client; no request is made until the first call. */
  public Web3AnchorChain(ChainSettings settings) {
    this.settings = settings;
    this.rpc = new JsonRpc(settings.rpcUrl(), settings.requestTimeout());
    this.contractHex = settings.contract().toLowerHex();
    this.senderHex = settings.key().address().toLowerHex();
  }

  public ChainSettings settings() {
    return settings;
  }

  @Override
  public long chainId() {
    EthChainId answer = call("eth_chainId", List.of(), EthChainId.class);
    return quantity("eth_chainId", answer::getChainId);
  }

  @Override
  public long blockNumber() {
    EthBlockNumber answer = call("eth_blockNumber", List.of(), EthBlockNumber.class);
    return quantity("eth_blockNumber", answer::getBlockNumber);
  }

  @Override
  public Address contract() {
    return settings.contract();
  }

  @Override
  public Address sender() {
    return settings.key().address();
  }

  @Override
  public void checkChainId() {
    long actual = chainId();
    if (actual != settings.chainId()) {
      throw new ChainRejectedException("the RPC endpoint " + rpc.endpoint() + " serves chain id "
          + actual + ", but chain id " + settings.chainId() + " is configured");
    }
    chainIdChecked = true;
  }

  @Override
  public long pendingNonce() {
    ensureChainId();
    EthGetTransactionCount answer = call("eth_getTransactionCount",
        List.of(senderHex, DefaultBlockParameterName.PENDING.getValue()),
        EthGetTransactionCount.class);
    return quantity("eth_getTransactionCount", answer::getTransactionCount);
  }

  @Override
  public SignedTx signAnchor(long batchId, Bytes32 root, long count, long nonce) {
    String data = AnchorAbi.anchor(batchId, root, count);
    return sign(data, nonce, "anchor(batch " + batchId + ", root " + root + ", count " + count + ")");
  }

  @Override
  public void broadcast(SignedTx tx) {
    ensureChainId();
    ensureOpen();
    EthSendTransaction answer = rpc.send("eth_sendRawTransaction", List.of(tx.rawHex()),
        EthSendTransaction.class);
    if (!answer.hasError()) {
      String hash = answer.getTransactionHash();
      if (hash != null && !hash.toLowerCase(Locale.ROOT).equals(tx.txHash())) {
        LOG.warn("node answered hash {} for transaction {}", hash, tx.txHash());
      }
      LOG.debug("broadcast {} (nonce {})", tx.txHash(), tx.nonce());
      return;
    }
    RpcError error = RpcError.of(answer.getError());
    if (error.isAlreadyKnown()) {
      LOG.debug("broadcast {}: already known to the node", tx.txHash());
      return;
    }
    if (error.isNonceTooLow()) {
      if (isKnown(tx.txHash())) {
        LOG.debug("broadcast {}: nonce used by this very transaction, already known", tx.txHash());
        return;
      }
      throw new NonceTooLowException("nonce " + tx.nonce() + " of " + sender()
          + " is already used by another transaction; transaction " + tx.txHash()
          + " was not accepted (" + error.brief() + ")");
    }
    if (error.isRevert()) {
      RevertReason reason = error.revert();
      throw new ChainRejectedException("transaction " + tx.txHash() + " reverted: " + reason,
          reason);
    }
    throw error.toException("eth_sendRawTransaction of " + tx.txHash(), rpc.endpoint());
  }

  @Override
  public Optional<TxOutcome> receipt(String txHash) {
    Optional<TransactionReceipt> receipt = minedReceipt(txHash);
    if (receipt.isEmpty()) {
      return Optional.empty();
    }
    TransactionReceipt r = receipt.get();
    return Optional.of(decoded("eth_getTransactionReceipt", () -> new TxOutcome(txHash,
        r.getBlockNumber().longValueExact(), r.getBlockHash().toLowerCase(Locale.ROOT),
        r.isStatusOK())));
  }

  /** topic0 of {@code Anchored(bytes32 indexed batchId, bytes32 root, uint64 count, address indexed anchorer)}. */
  private static final String ANCHORED_TOPIC = Hex.encodePrefixed(Keccak.hash32(
      "Anchored(bytes32,bytes32,uint64,address)".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).bytes());

  @Override
  public Optional<Bytes32> anchoredRootIn(String txHash, long batchId) {
    Optional<TransactionReceipt> receipt = minedReceipt(txHash);
    if (receipt.isEmpty() || !receipt.get().isStatusOK() || receipt.get().getLogs() == null) {
      return Optional.empty();
    }
    String batchTopic = Hex.encodePrefixed(AnchorAbi.batchKey(batchId).bytes());
    return decoded("eth_getTransactionReceipt", () -> receipt.get().getLogs().stream()
        .filter(l -> contractHex.equalsIgnoreCase(l.getAddress()))
        .filter(l -> l.getTopics().size() >= 2 && ANCHORED_TOPIC.equalsIgnoreCase(l.getTopics().get(0))
            && batchTopic.equalsIgnoreCase(l.getTopics().get(1)))
        .map(l -> Bytes32.parse(l.getData().substring(0, 66).toLowerCase(Locale.ROOT)))
        .findFirst());
  }

  /** The receipt of a mined transaction; empty while it is pending or unknown. */
  private Optional<TransactionReceipt> minedReceipt(String txHash) {
    if (txHash == null || !SignedTx.HASH.matcher(txHash).matches()) {
      throw new IllegalArgumentException("transaction hash must be 0x + 64 lowercase hex digits");
    }
    ensureChainId();
    EthGetTransactionReceipt answer = call("eth_getTransactionReceipt", List.of(txHash),
        EthGetTransactionReceipt.class);
    return answer.getTransactionReceipt()
        .filter(r -> r.getBlockHash() != null && r.getBlockNumberRaw() != null);
  }

  @Override
  public Optional<AnchoredBatch> batch(long batchId) {
    String returned = ethCall(AnchorAbi.batchOf(batchId), "batchOf(" + batchId + ")");
    byte[][] words = decoded("batchOf", () -> AnchorAbi.fixedWords(returned, 3));
    Bytes32 root = Bytes32.wrap(words[0]);
    if (root.equals(Bytes32.ZERO)) {
      return Optional.empty();
    }
    return Optional.of(new AnchoredBatch(root, new BigInteger(1, words[1]).longValueExact(),
        new BigInteger(1, words[2]).longValueExact()));
  }

  @Override
  public Optional<Bytes32> validatorSetDigest(long epoch) {
    String threshold = ethCall(AnchorAbi.thresholdOf(epoch), "thresholdOf(" + epoch + ")");
    if (decoded("thresholdOf", () -> AnchorAbi.decodeUint(threshold)).signum() == 0) {
      return Optional.empty();
    }
    String digest = ethCall(AnchorAbi.validatorSetDigest(epoch), "validatorSetDigest(" + epoch + ")");
    return Optional.of(decoded("validatorSetDigest", () -> AnchorAbi.decodeBytes32(digest)));
  }

  @Override
  public TxOutcome registerValidatorSet(ValidatorSet set, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Bytes32 ours = set.digest();
    for (int attempt = 1; attempt <= REGISTER_ATTEMPTS; attempt++) {
      Optional<Bytes32> onChain = validatorSetDigest(set.epoch());
      if (onChain.isPresent()) {
        if (!onChain.get().equals(ours)) {
          throw new ChainRejectedException("epoch " + set.epoch() + " is already registered with"
              + " another validator set (digest on chain " + onChain.get() + ", ours " + ours + ")");
        }
        LOG.debug("validator set of epoch {} already registered ({})", set.epoch(), ours);
        return existingRegistration(set.epoch());
      }
      SignedTx tx;
      try {
        tx = sign(AnchorAbi.registerValidatorSet(set), pendingNonce(),
            "registerValidatorSet(epoch " + set.epoch() + ")");
        broadcast(tx);
      } catch (NonceTooLowException e) {
        LOG.debug("registerValidatorSet: nonce taken meanwhile, attempt {}", attempt);
        continue;
      } catch (ChainRejectedException e) {
        if (e.errorName().filter("EpochAlreadyRegistered"::equals).isPresent()) {
          continue; // registered meanwhile: the next round compares the digests
        }
        throw e;
      }
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      TxOutcome outcome = awaitReceipt(tx.txHash(), left);
      if (!outcome.success()) {
        throw new ChainRejectedException("registerValidatorSet(epoch " + set.epoch()
            + ") reverted in block " + outcome.blockNumber() + " (transaction " + tx.txHash() + ")");
      }
      LOG.info("registered the validator set of epoch {} ({} members, threshold {}) in block {}",
          set.epoch(), set.size(), set.threshold(), outcome.blockNumber());
      return outcome;
    }
    throw new ChainRejectedException("registerValidatorSet(epoch " + set.epoch() + "): gave up after "
        + REGISTER_ATTEMPTS + " attempts (the sender's nonce kept being taken)");
  }

  @Override
  public boolean verifyInclusion(long batchId, Bytes32 leaf, List<Bytes32> proof) {
    String returned = ethCall(AnchorAbi.verifyInclusion(batchId, leaf, proof),
        "verifyInclusion(" + batchId + ")");
    return decoded("verifyInclusion", () -> AnchorAbi.decodeBool(returned));
  }

  @Override
  public boolean verifyAttestation(Attestation attestation, List<Signature> signatures) {
    String returned = ethCall(AnchorAbi.verifyAttestation(attestation, signatures),
        "verifyAttestation(job " + attestation.jobId() + ")");
    return decoded("verifyAttestation", () -> AnchorAbi.decodeBool(returned));
  }

  @Override
  public long countSigners(Attestation attestation, List<Signature> signatures) {
    String returned = ethCall(AnchorAbi.countSigners(attestation, signatures),
        "countSigners(job " + attestation.jobId() + ")");
    return decoded("countSigners", () -> AnchorAbi.decodeUint(returned).longValueExact());
  }

  @Override
  public void close() {
    closed = true;
    rpc.close();
  }

  @Override
  public String toString() {
    return "Web3AnchorChain[" + settings + "]";
  }

  // ------------------------------------------------------------------ internals

  private SignedTx sign(String data, long nonce, String what) {
    if (nonce < 0) {
      throw new IllegalArgumentException("nonce must not be negative, got " + nonce);
    }
    ensureChainId();
    EthGasPrice price = call("eth_gasPrice", List.of(), EthGasPrice.class);
    BigInteger gasPrice = decoded("eth_gasPrice", price::getGasPrice);
    EthEstimateGas estimate;
    try {
      estimate = call("eth_estimateGas",
          List.of(Transaction.createEthCallTransaction(senderHex, contractHex, data)),
          EthEstimateGas.class);
    } catch (ChainRejectedException e) {
      if (e.revert().isPresent()) {
        throw new ChainRejectedException(what + " would revert: " + e.revert().get(),
            e.revert().get());
      }
      throw new ChainRejectedException(what + ": gas estimation refused: " + e.getMessage());
    }
    BigInteger gas = decoded("eth_estimateGas", estimate::getAmountUsed);
    BigInteger gasLimit = gas.add(gas.shiftRight(2)).add(GAS_HEADROOM);
    RawTransaction raw = RawTransaction.createTransaction(BigInteger.valueOf(nonce), gasPrice,
        gasLimit, contractHex, data);
    byte[] signed = TransactionEncoder.signMessage(raw, settings.chainId(),
        settings.key().credentials());
    SignedTx tx = new SignedTx(nonce, Hex.encodePrefixed(signed),
        Hex.encodePrefixed(Keccak.hash(signed)));
    LOG.debug("signed {}: nonce {}, gas limit {}, gas price {}, tx {}", what, nonce, gasLimit,
        gasPrice, tx.txHash());
    return tx;
  }

  private String ethCall(String data, String what) {
    ensureChainId();
    EthCall answer;
    try {
      answer = call("eth_call", List.of(
          Transaction.createEthCallTransaction(senderHex, contractHex, data),
          DefaultBlockParameterName.LATEST.getValue()), EthCall.class);
    } catch (ChainRejectedException e) {
      if (e.revert().isPresent()) {
        throw new ChainRejectedException(what + " reverted: " + e.revert().get(), e.revert().get());
      }
      throw e;
    }
    String value = answer.getValue();
    if (value == null || value.equals("0x") || value.isEmpty()) {
      throw new ChainRejectedException(what + " returned nothing: no VerdictAnchor at "
          + settings.contract() + " on chain " + settings.chainId() + " (" + rpc.endpoint() + ")?");
    }
    return value;
  }

  private boolean isKnown(String txHash) {
    EthTransaction answer = call("eth_getTransactionByHash", List.of(txHash), EthTransaction.class);
    return answer.getTransaction().isPresent();
  }

  @Override
  public Optional<TxOutcome> anchorTransaction(long batchId) {
    Optional<AnchoredBatch> batch = batch(batchId);
    if (batch.isEmpty()) {
      return Optional.empty();
    }
    // only the block the contract recorded: providers limit the range eth_getLogs may search
    String block = "0x" + Long.toHexString(batch.get().blockNumber());
    EthFilter filter = new EthFilter(
        org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(batch.get().blockNumber())),
        org.web3j.protocol.core.DefaultBlockParameter.valueOf(BigInteger.valueOf(batch.get().blockNumber())),
        contractHex);
    filter.addSingleTopic(ANCHORED_TOPIC);
    filter.addSingleTopic(Hex.encodePrefixed(AnchorAbi.batchKey(batchId).bytes()));
    EthLog logs = call("eth_getLogs", List.of(filter), EthLog.class);
    for (EthLog.LogResult<?> result : logs.getLogs()) {
      if (result instanceof EthLog.LogObject log && log.getTransactionHash() != null) {
        return Optional.of(decoded("eth_getLogs", () -> new TxOutcome(
            log.getTransactionHash().toLowerCase(Locale.ROOT), log.getBlockNumber().longValueExact(),
            log.getBlockHash().toLowerCase(Locale.ROOT), true)));
      }
    }
    LOG.debug("batch {} is anchored in block {} but no Anchored event was found there", batchId, block);
    return Optional.empty();
  }

  private TxOutcome existingRegistration(long epoch) {
    try {
      EthFilter filter = new EthFilter(DefaultBlockParameterName.EARLIEST,
          DefaultBlockParameterName.LATEST, contractHex);
      filter.addSingleTopic(AnchorAbi.VALIDATOR_SET_REGISTERED);
      filter.addSingleTopic(AnchorAbi.uint64Topic(epoch));
      EthLog logs = call("eth_getLogs", List.of(filter), EthLog.class);
      for (EthLog.LogResult<?> result : logs.getLogs()) {
        if (result instanceof EthLog.LogObject log && log.getTransactionHash() != null) {
          return decoded("eth_getLogs", () -> new TxOutcome(
              log.getTransactionHash().toLowerCase(Locale.ROOT), log.getBlockNumber().longValueExact(),
              log.getBlockHash().toLowerCase(Locale.ROOT), true));
        }
      }
    } catch (ChainRejectedException e) {
      LOG.debug("cannot search the registration of epoch {}: {}", epoch, e.getMessage());
    }
    EthBlock latest = call("eth_getBlockByNumber",
        List.of(DefaultBlockParameterName.LATEST.getValue(), false), EthBlock.class);
    EthBlock.Block block = latest.getBlock();
    if (block == null) {
      throw new ChainUnavailableException("eth_getBlockByNumber(latest) on " + rpc.endpoint()
          + ": no block");
    }
    return decoded("eth_getBlockByNumber", () -> new TxOutcome(Bytes32.ZERO.toHex(),
        block.getNumber().longValueExact(), block.getHash().toLowerCase(Locale.ROOT), true));
  }

  private <T extends Response<?>> T call(String method, List<?> params,
      Class<T> type) {
    ensureOpen();
    return rpc.call(method, params, type);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("this anchor chain client is closed");
    }
  }

  private void ensureChainId() {
    if (!chainIdChecked) {
      checkChainId();
    }
  }

  private long quantity(String method, Supplier<BigInteger> value) {
    return decoded(method, () -> value.get().longValueExact());
  }

  /** Decodes part of an answer; a malformed answer is the node's failure, not a refusal. */
  private <T> T decoded(String method, Supplier<T> decoder) {
    try {
      return decoder.get();
    } catch (RuntimeException e) {
      throw new ChainUnavailableException(method + " on " + rpc.endpoint() + ": malformed answer ("
          + e.getClass().getSimpleName() + ")", e);
    }
  }
}
