package io.verdict.chain.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdict.chain.AnchorerKey;
import io.verdict.chain.ChainSettings;
import io.verdict.verification.Address;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local development chain for tests and {@code ./verdict up}: {@code contracts/scripts/devnet.mjs}
 * (Hardhat's JSON-RPC node on 127.0.0.1, chain id 31337, VerdictAnchor deployed by Hardhat's
 * account #0, which owns it and is its anchorer) run as a child process of this JVM.
 *
 * <p>The work directory receives {@code devnet.json} (what the script wrote), {@code devnet.log}
 * (its stdout and stderr) and {@code hardhat-home/} (Hardhat's config and cache folders). The
 * child also exits when this JVM dies (its stdin closes). {@link #stop()} ends exactly that
 * process: SIGTERM, then SIGKILL after a few seconds. The keys are Hardhat's publicly known
 * development keys.
 *
 * <p>By default the chain lives in memory and every start is a fresh chain. Started with a state
 * file ({@link #start(Path, Path, Duration, Path)}), the script appends every mined transaction to
 * it and a later start on the same file replays them, each in the block it was first mined in, so
 * that anchored roots, their block numbers, receipts and validator sets survive a restart (block
 * timestamps and hashes do not); see the Devnet section of {@code contracts/README.md}.
 */
public final class Devnet implements AutoCloseable {
  /** How long {@link #start} waits for the chain. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** The default interval between mined blocks. */
  public static final Duration DEFAULT_BLOCK_TIME = Duration.ofSeconds(1);
  /** Environment variable naming the Node.js executable (default {@code node} on the PATH). */
  public static final String NODE_VARIABLE = "VERDICT_NODE";

  private static final Logger LOG = LoggerFactory.getLogger(Devnet.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final Process process;
  private final OutputStream stdin;
  private final Path workDir;
  private final Path stateFile;
  private final String rpcUrl;
  private final long chainId;
  private final Address contract;
  private final AnchorerKey ownerKey;
  private final AnchorerKey anchorerKey;

  private Devnet(Process process, Path workDir, Path stateFile, JsonNode info) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.workDir = workDir;
    this.stateFile = stateFile;
    this.rpcUrl = info.path("rpcUrl").asText();
    this.chainId = info.path("chainId").asLong();
    this.contract = Address.parse(info.path("contract").asText());
    this.ownerKey = AnchorerKey.fromHex(info.path("ownerKey").asText());
    this.anchorerKey = AnchorerKey.fromHex(info.path("anchorerKey").asText());
  }

  /** Starts a devnet mining a block every second (and every transaction at once). */
  public static Devnet start(Path contractsDir, Path workDir) {
    return start(contractsDir, workDir, DEFAULT_BLOCK_TIME);
  }

  /**
   * Starts an in-memory devnet (a fresh chain) and waits (up to {@link #START_TIMEOUT}) until the
   * contract is deployed.
   *
   * @param contractsDir the repository's {@code contracts/} folder, with {@code node_modules}
   *     installed ({@code npm ci})
   * @param workDir where the devnet keeps its files (created if missing)
   * @param blockTime interval mining period; zero mines only when a transaction arrives
   * @throws DevnetException if it cannot start; the message ends with the tail of the log
   */
  public static Devnet start(Path contractsDir, Path workDir, Duration blockTime) {
    return launch(contractsDir, workDir, blockTime, null);
  }

  /**
   * Starts a devnet whose chain survives restarts: every transaction it mines is appended to
   * {@code stateFile} (JSON lines, created if missing), and if the file already holds a history,
   * it is replayed instead of deploying the contract: every transaction again in the same block
   * number with the same hash and receipt status, the contract at the recorded address with its
   * roots and validator sets. Waits up to {@link #START_TIMEOUT} for the replay.
   *
   * @param stateFile the history to continue; one devnet at a time per file
   * @throws DevnetException if it cannot start, also when the state file is defective (the message
   *     then names the file and line)
   * @see #start(Path, Path, Duration)
   */
  public static Devnet start(Path contractsDir, Path workDir, Duration blockTime, Path stateFile) {
    if (stateFile == null) {
      throw new IllegalArgumentException("a state file is required; use start(contractsDir, workDir,"
          + " blockTime) for an in-memory chain");
    }
    return launch(contractsDir, workDir, blockTime, stateFile.toAbsolutePath().normalize());
  }

  private static Devnet launch(Path contractsDir, Path workDir, Duration blockTime, Path stateFile) {
    Path contracts = contractsDir.toAbsolutePath().normalize();
    Path script = contracts.resolve("scripts").resolve("devnet.mjs");
    if (!Files.isRegularFile(script)) {
      throw new DevnetException("no devnet script at " + script);
    }
    if (!Files.isDirectory(contracts.resolve("node_modules").resolve("hardhat"))) {
      throw new DevnetException("Hardhat is not installed in " + contracts
          + "/node_modules: run `npm ci --no-audit --no-fund` there (Maven's contracts module does"
          + " it in its pre-integration-test phase)");
    }
    Path work = workDir.toAbsolutePath().normalize();
    Path out = work.resolve("devnet.json");
    Path log = work.resolve("devnet.log");
    Process process;
    try {
      Files.createDirectories(work);
      Files.deleteIfExists(out); // a file left by an earlier run must not be taken for ours
      List<String> command = new ArrayList<>(List.of(nodeExecutable(), script.toString(),
          "--port", "0",
          "--block-time", Long.toString(blockTime.toMillis()),
          "--home", work.resolve("hardhat-home").toString(),
          "--out", out.toString(),
          "--exit-on-stdin-close"));
      if (stateFile != null) {
        command.addAll(List.of("--state", stateFile.toString()));
      }
      process = new ProcessBuilder(command)
          .directory(contracts.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new DevnetException("cannot start the devnet (" + e.getMessage() + ")", e);
    }
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    try {
      while (true) {
        JsonNode info = readInfo(out);
        if (info != null) { // the stale file was deleted above: this one is ours
          if (info.path("pid").asLong() != process.pid()) {
            LOG.warn("devnet reports pid {} but the child process is {}: is {} a wrapper of node?",
                info.path("pid").asLong(), process.pid(), NODE_VARIABLE);
          }
          Devnet devnet = new Devnet(process, work, stateFile, info);
          LOG.info("devnet ready at {} (chain {}, contract {}, pid {})", devnet.rpcUrl,
              devnet.chainId, devnet.contract, process.pid());
          return devnet;
        }
        if (!process.isAlive()) {
          throw new DevnetException("the devnet exited with status " + process.exitValue()
              + " during start-up; last lines of " + log + ":\n" + tail(log, 30));
        }
        if (System.nanoTime() > deadline) {
          stopProcess(process);
          throw new DevnetException("the devnet was not ready within " + START_TIMEOUT.toSeconds()
              + " s; last lines of " + log + ":\n" + tail(log, 30));
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      stopProcess(process);
      Thread.currentThread().interrupt();
      throw new DevnetException("interrupted while starting the devnet", e);
    } catch (RuntimeException e) {
      stopProcess(process);
      throw e;
    }
  }

  /**
   * The repository's {@code contracts/} folder: the first {@code contracts} directory holding
   * {@code scripts/devnet.mjs} in the working directory or one of its parents.
   *
   * @throws DevnetException if there is none
   */
  public static Path locateContractsDir() {
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      Path candidate = p.resolve("contracts");
      if (Files.isRegularFile(candidate.resolve("scripts").resolve("devnet.mjs"))) {
        return candidate;
      }
    }
    throw new DevnetException("no contracts/scripts/devnet.mjs in " + dir + " or its parents");
  }

  public String rpcUrl() {
    return rpcUrl;
  }

  /** The port the JSON-RPC server listens on (127.0.0.1). */
  public int port() {
    return URI.create(rpcUrl).getPort();
  }

  public long chainId() {
    return chainId;
  }

  /** The deployed VerdictAnchor. */
  public Address contract() {
    return contract;
  }

  /** The contract's owner (Hardhat account #0; development key). */
  public AnchorerKey ownerKey() {
    return ownerKey;
  }

  /** The authorised anchorer (also account #0 on the devnet). */
  public AnchorerKey anchorerKey() {
    return anchorerKey;
  }

  public long pid() {
    return process.pid();
  }

  public Path workDir() {
    return workDir;
  }

  public Path logFile() {
    return workDir.resolve("devnet.log");
  }

  /** The file the chain's history is recorded in; empty for an in-memory devnet. */
  public Optional<Path> stateFile() {
    return Optional.ofNullable(stateFile);
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Settings for a client of this devnet signing with {@code key}. */
  public ChainSettings settings(AnchorerKey key) {
    return new ChainSettings(rpcUrl, chainId, contract, key);
  }

  /** Settings for a client of this devnet signing as the anchorer. */
  public ChainSettings settings() {
    return settings(anchorerKey);
  }

  /** Stops the devnet process (TERM, then KILL after a few seconds) and waits for it; idempotent. */
  public void stop() {
    stopProcess(process);
    try {
      stdin.close();
    } catch (IOException e) {
      // the process is gone already
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "Devnet[" + rpcUrl + ", chain " + chainId + ", contract " + contract + ", pid "
        + process.pid() + (stateFile == null ? "" : ", state " + stateFile) + "]";
  }

  private static void stopProcess(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM: devnet.mjs completes its state file, if any, and exits 0
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("devnet pid {} did not stop within {} s, killing it", process.pid(),
            STOP_GRACE.toSeconds());
        process.destroyForcibly();
        process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static JsonNode readInfo(Path out) {
    if (!Files.isRegularFile(out)) {
      return null;
    }
    try {
      return JSON.readTree(out.toFile()); // written atomically: complete or absent
    } catch (IOException e) {
      return null;
    }
  }

  static String nodeExecutable() {
    String configured = System.getenv(NODE_VARIABLE);
    return configured == null || configured.isBlank() ? "node" : configured;
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
