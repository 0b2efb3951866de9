package io.verdict.cli;

/**
 * A gRPC call to the node failed: the status code name (such as {@code NOT_FOUND}) and the
 * node's description, printed as {@code error: NOT_FOUND: model 'foo' is not published}.
 */
public final class NodeCallFailed extends CliException {
  private final String code;
  private final String description;

  public NodeCallFailed(String code, String description, Throwable cause) {
    super(ExitCodes.NODE_ERROR, description == null || description.isBlank()
        ? code : code + ": " + description, cause);
    this.code = code;
    this.description = description == null ? "" : description;
  }

  /** The gRPC status code name, e.g. {@code INVALID_ARGUMENT}. */
  public String code() {
    return code;
  }

  public String description() {
    return description;
  }
}
