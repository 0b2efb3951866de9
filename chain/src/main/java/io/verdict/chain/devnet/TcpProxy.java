package io.verdict.chain.devnet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP forwarder for tests: listens on 127.0.0.1 and copies bytes both ways to a target
 * port on 127.0.0.1. {@link #down()} closes the listener and resets every open connection, so
 * clients see "connection refused" or "connection reset" as if the endpoint had died, while the
 * target (e.g. a devnet, whose state a restart would lose) keeps running; {@link #up()} listens
 * again on the same port.
 */
public final class TcpProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger threads = new AtomicInteger();
  private int port;
  private ServerSocket listener;
  private Thread acceptor;
  private boolean closed;

  private TcpProxy(int targetPort) {
    this.targetPort = targetPort;
  }

  /** A proxy to 127.0.0.1:{@code targetPort}, up, on a free port. */
  public static TcpProxy start(int targetPort) {
    if (targetPort <= 0 || targetPort > 65535) {
      throw new IllegalArgumentException("target port out of range: " + targetPort);
    }
    TcpProxy proxy = new TcpProxy(targetPort);
    proxy.listen(0);
    return proxy;
  }

  /** The port it listens on (the same across {@link #down()} and {@link #up()}). */
  public synchronized int port() {
    return port;
  }

  public int targetPort() {
    return targetPort;
  }

  public synchronized boolean isUp() {
    return listener != null;
  }

  /**
   * Stops listening and resets every open connection; when it returns, connections to the port
   * are refused. Idempotent.
   */
  public void down() {
    ServerSocket stopping;
    Thread accepting;
    synchronized (this) {
      stopping = listener;
      accepting = acceptor;
      listener = null;
      acceptor = null;
    }
    if (stopping != null) {
      closeQuietly(stopping);
      // The JDK defers the real close of a server socket that a thread is blocked accepting on
      // until that thread wakes up: until then the port still completes handshakes.
      if (accepting != null && accepting != Thread.currentThread()) {
        try {
          accepting.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    synchronized (this) {
      for (Socket socket : open) {
        reset(socket);
      }
      open.clear();
    }
  }

  /**
   * Listens again on the same port. Idempotent.
   *
   * @throws UncheckedIOException if the port was taken meanwhile
   */
  public synchronized void up() {
    if (closed) {
      throw new IllegalStateException("the proxy is closed");
    }
    if (listener == null) {
      listen(port);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    down();
  }

  @Override
  public String toString() {
    return "TcpProxy[127.0.0.1:" + port + " -> 127.0.0.1:" + targetPort + (isUp() ? "" : ", down")
        + "]";
  }

  private synchronized void listen(int onPort) {
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true); // rebinding the port while old connections sit in TIME_WAIT
      server.bind(new InetSocketAddress(LOOPBACK, onPort), 50);
      listener = server;
      port = server.getLocalPort();
      acceptor = thread("accept", () -> acceptLoop(server));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + onPort, e);
    }
  }

  private void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed by down()
      }
      Socket upstream = new Socket();
      synchronized (this) {
        if (listener != server) { // went down meanwhile
          reset(client);
          return;
        }
        open.add(client);
        open.add(upstream);
      }
      thread("connect", () -> connect(client, upstream));
    }
  }

  private void connect(Socket client, Socket upstream) {
    try {
      upstream.connect(new InetSocketAddress(LOOPBACK, targetPort), 5_000);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      LOG.debug("proxy {}: cannot reach target port {}: {}", port, targetPort, e.getMessage());
      reset(client);
      closeQuietly(upstream);
      forget(client, upstream);
      return;
    }
    Link link = new Link(client, upstream);
    thread("up", () -> link.pump(client, upstream));
    link.pump(upstream, client);
  }

  private void forget(Socket a, Socket b) {
    open.remove(a);
    open.remove(b);
  }

  /** One proxied connection: two pumps; closed when both directions ended or either failed. */
  private final class Link {
    private final Socket client;
    private final Socket upstream;
    private final AtomicInteger ended = new AtomicInteger();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput(); // pass the orderly end of stream on
        if (ended.incrementAndGet() == 2) {
          close();
        }
      } catch (IOException e) {
        close();
      }
    }

    void close() {
      closeQuietly(client);
      closeQuietly(upstream);
      forget(client, upstream);
    }
  }

  private Thread thread(String role, Runnable body) {
    Thread t = new Thread(body, "tcp-proxy-" + port + "-" + role + "-" + threads.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Closes with SO_LINGER 0: the peer gets a reset, not an orderly end of stream. */
  private static void reset(Socket socket) {
    try {
      if (!socket.isClosed() && socket.isConnected()) {
        socket.setSoLinger(true, 0);
      }
    } catch (SocketException e) {
      // closing anyway
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing to do
    }
  }
}
