package dev.wfad.neo4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * The local Neo4j server behind `wfad db start`.
 *
 * <p>Neo4j Community 5.26 run as the documented embedded DBMS
 * ({@link DatabaseManagementServiceBuilder}) with its Bolt connector enabled, so that every client
 * (neo4j-driver in wfad, cypher-shell, Neo4j Browser over Bolt) talks to it exactly as to a
 * standalone server. It listens on loopback only.
 *
 * <p>Arguments: {@code --home DIR --host 127.0.0.1 --port 7687 [--pagecache 512m]
 * [--parent-pid PID]}. With {@code --parent-pid} the server shuts down by itself when that process
 * ends, so a foreground `npm start` that is killed leaves nothing behind.
 *
 * <p>Authentication: when the environment variable {@code NEO4J_PASSWORD} is set, auth is enabled
 * and the built-in {@code neo4j} user gets that password; otherwise auth is disabled (the server is
 * only reachable from this machine). Secrets never travel on the command line.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    Path home = Path.of(opts.getOrDefault("home", ".wfad/neo4j")).toAbsolutePath();
    String host = opts.getOrDefault("host", "127.0.0.1");
    String port = opts.getOrDefault("port", "7687");
    String password = System.getenv("NEO4J_PASSWORD");
    boolean auth = password != null && !password.isEmpty();
    Files.createDirectories(home);

    Map<String, String> config = new HashMap<>();
    config.put("server.bolt.enabled", "true");
    config.put("server.bolt.listen_address", host + ":" + port);
    config.put("server.bolt.advertised_address", host + ":" + port);
    config.put("server.bolt.tls_level", "DISABLED");
    config.put("dbms.security.auth_enabled", Boolean.toString(auth));
    config.put("server.memory.pagecache.size", opts.getOrDefault("pagecache", "512m"));
    // Keep the transaction log small: this is a working store, not an audit trail.
    config.put("db.tx_log.rotation.retention_policy", "2 files");
    config.put("dbms.usage_report.enabled", "false");
    // Bolt's shutdown waits 5 s for its worker pool and 5 s for connections after the databases
    // have already stopped (and flushed): 10 s of every stop, and of the restart after a bulk import.
    config.put("internal.server.bolt.thread_pool_shutdown_wait_time", "1s");
    config.put("internal.server.bolt.connection_shutdown_wait_time", "1s");

    // The builder takes typed settings or a properties file; a generated neo4j.conf keeps the
    // settings readable by name and leaves a record of what the server ran with.
    Path conf = home.resolve("neo4j.conf");
    StringBuilder text = new StringBuilder("# written by wfad db start; edits are overwritten\n");
    config.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Files.writeString(conf, text.toString());
    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(conf).build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dbms.shutdown();
                  stopped.countDown();
                },
                "wfad-neo4j-shutdown"));

    GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    db.executeTransactionally("RETURN 1");
    if (auth) {
      // The embedded API runs with full rights, so it can set the initial password directly.
      GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
      system.executeTransactionally(
          "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
    }
    writePid(home);
    System.out.println(
        "wfad-neo4j READY bolt://" + host + ":" + port + " home=" + home + " auth=" + auth);
    System.out.flush();

    String parent = opts.get("parent-pid");
    if (parent != null) {
      long parentPid = Long.parseLong(parent);
      Thread watchdog =
          new Thread(
              () -> {
                while (true) {
                  boolean alive =
                      ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
                  if (!alive) {
                    System.out.println("wfad-neo4j parent " + parentPid + " ended; stopping");
                    System.exit(0);
                  }
                  try {
                    Thread.sleep(500);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "wfad-neo4j-parent-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
    }
    stopped.await();
  }

  private static void writePid(Path home) throws IOException {
    Files.writeString(home.resolve("server.pid"), Long.toString(ProcessHandle.current().pid()));
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + args[i]);
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }
}
