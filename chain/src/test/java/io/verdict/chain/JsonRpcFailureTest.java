package io.verdict.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How answers other than Hardhat's are classified: transport failures, HTTP errors, and the
 * JSON-RPC error shapes of geth-style nodes, against small fake servers.
 */
class JsonRpcFailureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AnchorerKey KEY = AnchorerKey.fromHex(
      "0x" + "11".repeat(32));
  private static final Address CONTRACT =
      Address.parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
  private static final String SECRET_PATH = "/v3/some-provider-token";

  private HttpServer server;
  /** method → the JSON of "result" or "error", as text. */
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private volatile int status = 200;

  @BeforeEach
  void startFakeNode() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      String answer = answers.getOrDefault(request.path("method").asText(),
          "\"error\":{\"code\":-32601,\"message\":\"method not found\"}");
      byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + request.path("id").asLong() + "," + answer
          + "}").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("content-type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    answers.put("eth_chainId", "\"result\":\"0x7a69\"");
  }

  @AfterEach
  void stopFakeNode() {
    server.stop(0);
  }

  private Web3AnchorChain client(long chainId) {
    return new Web3AnchorChain(new ChainSettings("http://127.0.0.1:"
        + server.getAddress().getPort() + SECRET_PATH, chainId, CONTRACT, KEY,
        Duration.ofSeconds(2)));
  }

  private static SignedTx someTx() {
    return new SignedTx(3, "0xf86b03", "0x" + "ab".repeat(32));
  }

  @Test
  void constructionContactsNothing() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Web3AnchorChain chain = new Web3AnchorChain(new ChainSettings("http://127.0.0.1:" + port,
        31337, CONTRACT, KEY))) {
      assertThatThrownBy(chain::blockNumber)
          .isInstanceOf(ChainUnavailableException.class)
          .hasMessageContaining("connection refused")
          .hasMessageContaining("127.0.0.1:" + port);
    }
  }

  @Test
  void aSilentEndpointTimesOutWithinTheRequestTimeout() throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         Web3AnchorChain chain = new Web3AnchorChain(new ChainSettings(
             "http://127.0.0.1:" + silent.getLocalPort(), 31337, CONTRACT, KEY,
             Duration.ofMillis(500)))) {
      long started = System.nanoTime();
      assertThatThrownBy(chain::blockNumber)
          .isInstanceOf(ChainUnavailableException.class)
          .hasMessageContaining("no answer within the request timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void anHttpErrorIsUnavailableAndTheUrlPathIsNotShown() {
    status = 503;
    answers.put("eth_blockNumber", "\"result\":\"0x10\"");
    try (Web3AnchorChain chain = client(31337)) {
      assertThatThrownBy(chain::blockNumber)
          .isInstanceOf(ChainUnavailableException.class)
          .hasMessageContaining("HTTP error")
          .hasMessageContaining("503")
          .hasMessageNotContaining("some-provider-token");
    }
  }

  @Test
  void rateLimitingIsUnavailableOtherNodeErrorsAreRejections() {
    try (Web3AnchorChain chain = client(31337)) {
      answers.put("eth_blockNumber", "\"error\":{\"code\":-32005,\"message\":\"limit exceeded\"}");
      assertThatThrownBy(chain::blockNumber).isInstanceOf(ChainUnavailableException.class);
      answers.put("eth_blockNumber", "\"error\":{\"code\":-32601,\"message\":\"not supported\"}");
      assertThatThrownBy(chain::blockNumber).isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("not supported");
    }
  }

  @Test
  void alreadyKnownIsSuccess() {
    answers.put("eth_sendRawTransaction",
        "\"error\":{\"code\":-32000,\"message\":\"already known\"}");
    try (Web3AnchorChain chain = client(31337)) {
      chain.broadcast(someTx());
    }
  }

  @Test
  void nonceTooLowIsSuccessOnlyForATransactionTheNodeKnows() {
    answers.put("eth_sendRawTransaction",
        "\"error\":{\"code\":-32000,\"message\":\"nonce too low: next nonce 5, tx nonce 3\"}");
    answers.put("eth_getTransactionByHash", "\"result\":null");
    try (Web3AnchorChain chain = client(31337)) {
      assertThatThrownBy(() -> chain.broadcast(someTx()))
          .isInstanceOf(NonceTooLowException.class)
          .hasMessageContaining("nonce 3 of " + KEY.address());
      answers.put("eth_getTransactionByHash", "\"result\":{\"hash\":\"0x" + "ab".repeat(32)
          + "\",\"nonce\":\"0x3\",\"blockHash\":null,\"blockNumber\":null,\"from\":\""
          + KEY.address().toLowerHex() + "\",\"to\":\"" + CONTRACT.toLowerHex()
          + "\",\"value\":\"0x0\",\"gas\":\"0x5208\",\"gasPrice\":\"0x1\",\"input\":\"0x\"}");
      chain.broadcast(someTx());
    }
  }

  @Test
  void insufficientFundsIsARejection() {
    answers.put("eth_sendRawTransaction", "\"error\":{\"code\":-32000,"
        + "\"message\":\"insufficient funds for gas * price + value\"}");
    try (Web3AnchorChain chain = client(31337)) {
      assertThatThrownBy(() -> chain.broadcast(someTx()))
          .isExactlyInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("insufficient funds");
    }
  }

  @Test
  void aGethStyleRevertIsDecoded() {
    Bytes32 batch = AnchorAbi.batchKey(4);
    String data = RevertReason.selector("RootMismatch(bytes32,bytes32,bytes32)") + batch.toHex()
        .substring(2) + "01".repeat(32) + "02".repeat(32);
    answers.put("eth_call", "\"error\":{\"code\":3,\"message\":\"execution reverted\","
        + "\"data\":\"" + data + "\"}");
    try (Web3AnchorChain chain = client(31337)) {
      assertThatThrownBy(() -> chain.batch(4))
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("batchOf(4) reverted: RootMismatch(" + batch.toHex() + ", 0x0101")
          .satisfies(e -> assertThat(((ChainRejectedException) e).errorName())
              .contains("RootMismatch"));
    }
  }

  @Test
  void aWrongChainIdIsARejection() {
    answers.put("eth_chainId", "\"result\":\"0x1\"");
    try (Web3AnchorChain chain = client(31337)) {
      assertThatThrownBy(chain::checkChainId)
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("serves chain id 1, but chain id 31337 is configured")
          .hasMessageNotContaining("some-provider-token");
    }
  }

  @Test
  void aMalformedAnswerIsUnavailable() {
    answers.put("eth_blockNumber", "\"result\":\"not a number\"");
    try (Web3AnchorChain chain = client(31337)) {
      assertThatThrownBy(chain::blockNumber).isInstanceOf(ChainUnavailableException.class)
          .hasMessageContaining("malformed answer");
    }
  }
}
