package io.verdict.chain.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {
  private ServerSocket echo;

  @BeforeEach
  void startEchoServer() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread t = new Thread(() -> {
            try (s) {
              s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException e) {
              // client gone
            }
          });
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopEchoServer() throws IOException {
    echo.close();
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
    byte[] buffer = new byte[text.length()];
    InputStream in = s.getInputStream();
    int read = 0;
    while (read < buffer.length) {
      int n = in.read(buffer, read, buffer.length - read);
      if (n < 0) {
        throw new IOException("end of stream");
      }
      read += n;
    }
    return new String(buffer, StandardCharsets.UTF_8);
  }

  /**
   * Whether nothing listens on {@code port}. Linux may connect a loopback socket to itself when the
   * port it picks as its own is the (free, ephemeral) port it connects to: that is not a listener.
   */
  private static boolean refused(int port) throws IOException {
    try (Socket s = connect(port)) {
      return s.getLocalPort() == port;
    } catch (ConnectException e) {
      return true;
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(5_000);
    return s;
  }

  @Test
  void forwardsGoesDownAndComesBackOnTheSamePort() throws IOException {
    try (TcpProxy proxy = TcpProxy.start(echo.getLocalPort())) {
      int port = proxy.port();
      Socket open = connect(port);
      assertThat(roundTrip(open, "hello")).isEqualTo("hello");

      proxy.down();

      assertThat(proxy.isUp()).isFalse();
      assertThatThrownBy(() -> {
        roundTrip(open, "still there?");
        roundTrip(open, "still there?");
      }).isInstanceOf(IOException.class);
      assertThat(refused(port)).as("a connection to the proxy's port while it is down").isTrue();

      proxy.up();

      assertThat(proxy.port()).isEqualTo(port);
      try (Socket again = connect(port)) {
        assertThat(roundTrip(again, "back")).isEqualTo("back");
      }
      open.close();
    }
  }

  @Test
  void aDeadTargetResetsTheClient() throws IOException {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = s.getLocalPort();
    }
    try (TcpProxy proxy = TcpProxy.start(deadPort); Socket s = connect(proxy.port())) {
      assertThatThrownBy(() -> roundTrip(s, "anyone?")).isInstanceOf(IOException.class);
    }
  }

  @Test
  void closeStopsListening() throws IOException {
    TcpProxy proxy = TcpProxy.start(echo.getLocalPort());
    int port = proxy.port();
    proxy.close();
    assertThat(refused(port)).isTrue();
    assertThatThrownBy(proxy::up).isInstanceOf(IllegalStateException.class);
  }
}
