package io.verdict.chain.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.verification.Address;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevnetTest {
  /** Hardhat's account #0 (public development account). */
  private static final Address ACCOUNT_0 =
      Address.parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

  @Test
  void startsDeploysMinesOnItsOwnAndStopsWithoutLeavingAProcess() throws Exception {
    Path work = Path.of("target", "devnet", "DevnetTest");
    Devnet devnet = Devnet.start(Devnet.locateContractsDir(), work, Duration.ofMillis(200));
    List<ProcessHandle> family;
    try {
      assertThat(devnet.rpcUrl()).startsWith("http://127.0.0.1:");
      assertThat(devnet.chainId()).isEqualTo(31337);
      assertThat(devnet.ownerKey().address()).isEqualTo(ACCOUNT_0);
      assertThat(devnet.anchorerKey().address()).isEqualTo(ACCOUNT_0);
      assertThat(devnet.toString()).doesNotContain("0xac09"); // the key's first digits
      JsonNode info = new ObjectMapper().readTree(work.resolve("devnet.json").toFile());
      assertThat(info.get("pid").asLong()).isEqualTo(devnet.pid());
      assertThat(info.get("contract").asText()).isEqualTo(devnet.contract().toString());
      assertThat(Files.readString(devnet.logFile()))
          .contains("devnet ready " + devnet.rpcUrl() + " " + devnet.contract());

      try (Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
        long first = chain.blockNumber();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (chain.blockNumber() < first + 3 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(chain.blockNumber()).isGreaterThanOrEqualTo(first + 3);
      }
      family = ProcessHandle.of(devnet.pid()).orElseThrow().descendants().toList();
    } finally {
      devnet.stop();
    }

    assertThat(devnet.isAlive()).isFalse();
    assertThat(ProcessHandle.of(devnet.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(family).noneMatch(ProcessHandle::isAlive);
    devnet.stop(); // idempotent
  }

  @Test
  void theScriptExitsZeroOnSigterm(@TempDir Path dir) throws Exception {
    Path contracts = Devnet.locateContractsDir();
    Path out = dir.resolve("devnet.json");
    Process node = new ProcessBuilder(Devnet.nodeExecutable(), contracts.resolve("scripts/devnet.mjs").toString(),
        "--port", "0", "--home", dir.resolve("home").toString(), "--out", out.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("log").toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(out) && node.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(out).exists();
      node.destroy(); // SIGTERM
      assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(node.exitValue()).isZero();
      assertThat(Files.readString(dir.resolve("log"))).contains("devnet: SIGTERM, stopping");
    } finally {
      node.destroyForcibly();
    }
  }

  @Test
  void aMissingScriptOrHardhatIsReportedClearly(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> Devnet.start(dir, dir.resolve("work")))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("no devnet script");
    Files.createDirectories(dir.resolve("scripts"));
    Files.writeString(dir.resolve("scripts/devnet.mjs"), "");
    assertThatThrownBy(() -> Devnet.start(dir, dir.resolve("work")))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("npm ci");
  }

  @Test
  void aStartUpFailureCarriesTheLogTail(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("node_modules/hardhat"));
    Files.createDirectories(dir.resolve("scripts"));
    Files.writeString(dir.resolve("scripts/devnet.mjs"),
        "console.error('devnet: cannot start, port taken'); process.exit(3);\n");
    assertThatThrownBy(() -> Devnet.start(dir, dir.resolve("work")))
        .isInstanceOf(DevnetException.class)
        .hasMessageContaining("exited with status 3")
        .hasMessageContaining("cannot start, port taken");
  }
}
