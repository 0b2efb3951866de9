package io.verdict.cli;

/** The exit status of every {@code verdict} command (documented in docs/CLI.md). */
public final class ExitCodes {
  /** The command did what was asked (for {@code infer}: the job is AGREED). */
  public static final int OK = 0;
  /** A negative answer: a receipt failed verification, or a job ended DISPUTED or FAILED. */
  public static final int FAILED = 1;
  /** The command line or a local input (JSON, file, directory) is wrong; nothing was sent. */
  public static final int USAGE = 2;
  /** The node answered with a gRPC error status, or could not be reached in time. */
  public static final int NODE_ERROR = 3;
  /** The job is still running when the wait ended; follow it with {@code verdict job ID --watch}. */
  public static final int NOT_FINAL = 4;

  private ExitCodes() {}
}
