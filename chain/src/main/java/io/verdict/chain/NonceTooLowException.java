package io.verdict.chain;

/**
 * The transaction's nonce was already used by another transaction of the sender (the chain
 * answered "nonce too low" and does not know this transaction). Sign again with
 * {@link AnchorChain#pendingNonce()}.
 */
public class NonceTooLowException extends ChainRejectedException {
  private static final long serialVersionUID = 1L;

  public NonceTooLowException(String message) {
    super(message);
  }
}
