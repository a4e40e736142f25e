package dev.wfad.neo4j;

import org.neo4j.cli.AdminTool;

/**
 * Neo4j's bulk importer ({@code neo4j-admin database import full}) for `wfad ingest`, stopped when
 * the ingest that started it ends: a killed ingest must not leave an importer writing into a staging
 * folder the next ingest reuses.
 *
 * <p>Arguments: {@code --parent-pid PID} then the admin tool's own ({@code database import full …}).
 * NEO4J_HOME and NEO4J_CONF (environment) name the staging home.
 */
public final class BulkImport {
  private BulkImport() {}

  public static void main(String[] args) {
    if (args.length < 2 || !args[0].equals("--parent-pid")) {
      throw new IllegalArgumentException("expected --parent-pid PID, then the importer's arguments");
    }
    long parentPid = Long.parseLong(args[1]);
    Thread watchdog =
        new Thread(
            () -> {
              while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                  Thread.sleep(250);
                } catch (InterruptedException e) {
                  return;
                }
              }
              System.err.println("wfad bulk import: ingest process " + parentPid + " ended; stopping");
              Runtime.getRuntime().halt(3);
            },
            "wfad-bulk-import-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    String[] rest = new String[args.length - 2];
    System.arraycopy(args, 2, rest, 0, rest.length);
    AdminTool.main(rest);
  }
}
