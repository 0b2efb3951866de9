package io.verdict.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import org.web3j.protocol.core.Request;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.exceptions.ClientConnectionException;
import org.web3j.protocol.http.HttpService;

/**
 * JSON-RPC over web3j's {@link HttpService} on our own OkHttp client (every request bounded by
 * the timeout), with transport failures turned into {@link ChainUnavailableException} and error
 * answers into {@link RpcError}. One job: asking; what an answer means is the caller's business.
 */
final class JsonRpc implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OkHttpClient http;
  private final HttpService service;
  private final String endpoint;

  JsonRpc(String url, Duration timeout) {
    this.http = new OkHttpClient.Builder()
        .connectTimeout(timeout)
        .readTimeout(timeout)
        .writeTimeout(timeout)
        .callTimeout(timeout)
        .build();
    this.service = new HttpService(url, http, false);
    this.endpoint = ChainSettings.redact(url);
  }

  String endpoint() {
    return endpoint;
  }

  /**
   * Sends one request.
   *
   * @return the answer, which may be an error answer ({@link Response#hasError()})
   * @throws ChainUnavailableException on connection, I/O, timeout or HTTP status failures
   */
  <T extends Response<?>> T send(String method, List<?> params, Class<T> type) {
    Request<?, T> request = new Request<>(method, params, service, type);
    try {
      T response = request.send();
      if (response == null) {
        throw new ChainUnavailableException(method + " on " + endpoint + ": empty answer");
      }
      return response;
    } catch (ConnectException e) {
      throw new ChainUnavailableException(method + " on " + endpoint + ": connection refused", e);
    } catch (InterruptedIOException e) { // SocketTimeoutException, and OkHttp's call timeout
      throw new ChainUnavailableException(method + " on " + endpoint + ": no answer within the "
          + "request timeout", e);
    } catch (IOException e) {
      throw new ChainUnavailableException(method + " on " + endpoint + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
    } catch (ClientConnectionException e) {
      // web3j's HttpService reports non-2xx HTTP statuses this way ("Invalid response received: 503; ...")
      throw new ChainUnavailableException(method + " on " + endpoint + ": HTTP error ("
          + firstLine(e.getMessage()) + ")", e);
    }
  }

  /**
   * Sends one request and returns its answer, which must not be an error.
   *
   * @throws ChainRejectedException on an error answer (decoded revert when there is one)
   */
  <T extends Response<?>> T call(String method, List<?> params, Class<T> type) {
    T response = send(method, params, type);
    if (response.hasError()) {
      throw RpcError.of(response.getError()).toException(method, endpoint);
    }
    return response;
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    String line = message.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }

  /** A JSON-RPC error answer, with the revert data when the node gave it. */
  record RpcError(int code, String message, Optional<String> revertData) {
    private static final Pattern RETURN_DATA = Pattern.compile("return data: (0x[0-9a-fA-F]*)");

    static RpcError of(Response.Error error) {
      String message = error.getMessage() == null ? "" : error.getMessage();
      Optional<String> data = revertData(error.getData());
      if (data.isEmpty()) {
        Matcher m = RETURN_DATA.matcher(message);
        if (m.find()) {
          data = Optional.of(m.group(1));
        }
      }
      return new RpcError(error.getCode(), message, data);
    }

    /** error.data is a hex string (geth) or an object {message, data} (Hardhat). */
    private static Optional<String> revertData(String raw) {
      if (raw == null || raw.isBlank()) {
        return Optional.empty();
      }
      String text = raw.strip();
      if (text.startsWith("0x")) {
        return Optional.of(text);
      }
      try {
        return hexIn(JSON.readTree(text));
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    private static Optional<String> hexIn(JsonNode node) {
      if (node.isTextual() && node.asText().startsWith("0x")) {
        return Optional.of(node.asText());
      }
      if (node.isObject() && node.has("data")) {
        return hexIn(node.get("data"));
      }
      return Optional.empty();
    }

    boolean isRevert() {
      return revertData.isPresent() || lower().contains("revert");
    }

    boolean isNonceTooLow() {
      String m = lower();
      return m.contains("nonce too low") || m.contains("nonce is too low")
          || m.contains("oldnonce") || m.contains("nonce has already been used");
    }

    boolean isAlreadyKnown() {
      String m = lower();
      return m.contains("already known") || m.contains("known transaction")
          || m.contains("already imported") || m.contains("alreadyknown")
          || m.contains("already in the mempool") || m.contains("already exists");
    }

    /** Errors that say the node cannot answer now, not that the request is wrong. */
    boolean isTransient() {
      String m = lower();
      return code == -32005 || code == 429 || m.contains("rate limit") || m.contains("too many requests")
          || m.contains("header not found") || m.contains("timeout") || m.contains("timed out")
          || m.contains("syncing");
    }

    RevertReason revert() {
      return revertData.map(RevertReason::decode).orElse(RevertReason.NO_DATA);
    }

    ChainException toException(String method, String endpoint) {
      if (isRevert()) {
        RevertReason reason = revert();
        return new ChainRejectedException(method + " reverted: " + reason, reason);
      }
      String text = method + " on " + endpoint + ": node error " + code + " " + brief();
      if (isTransient()) {
        return new ChainUnavailableException(text);
      }
      if (isNonceTooLow()) {
        return new NonceTooLowException(text);
      }
      return new ChainRejectedException(text);
    }

    String brief() {
      String line = message.lines().findFirst().orElse("");
      return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private String lower() {
      return message.toLowerCase(Locale.ROOT);
    }
  }
}
