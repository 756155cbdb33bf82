package e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A JVM app with no framework: the JDK's HTTP server, started by `java` itself (so JAVA_TOOL_OPTIONS carries the agent). */
public final class PlainApp {
  public static void main(String[] args) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 0);
    server.createContext("/", exchange -> {
      byte[] body = handle(exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    System.out.println("plain app listening on " + args[0]);
  }

  /** The app's entry point; the Deployment names it as the agent's `profiler.entrypoint` (no plugin traces com.sun.net.httpserver). */
  public static String handle(String path) {
    return "plain app: " + path + "\n";
  }
}
