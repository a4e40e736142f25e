import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.RelationshipType;
import org.neo4j.graphdb.Transaction;

/**
 * Neo4j's transactional write floor with no client at all: the runs of a JSON Lines file (one run
 * per line: {@code {"props": {...}, "jobs": [{...}], "edges": [[a, b], ...]}}, the properties as
 * wfad stores them) written by Neo4j's own Java API inside one embedded database: no Bolt, no
 * Cypher, no planning. Same Job indexes as wfad's schema. Each pass writes every run again under
 * new ids, so the first pass meets an empty store and a just-started JVM, the later ones a
 * non-empty store past the JIT's warm-up.
 *
 * <p>Run by {@code npm run bench:ingest-floor -- --core-api} with the server's jars on the class
 * path (single-file source launch). Arguments: FILE PASSES JOBS_PER_TX PROPS(all|identity)
 * INDEXES(yes|no) INTEGER_PROPERTIES (comma-separated: JSON cannot tell 4 from 4.0, wfad's stored
 * types can). Prints one JSON line per pass.
 */
public final class CoreApiFloor {
  private static final Label JOB = Label.label("Job");
  private static final Label RUN = Label.label("Run");
  private static final RelationshipType HAS_JOB = RelationshipType.withName("HAS_JOB");
  private static final RelationshipType FEEDS = RelationshipType.withName("FEEDS");

  private static java.util.Set<String> ints;

  private CoreApiFloor() {}

  public static void main(String[] args) throws Exception {
    java.nio.file.Path file = java.nio.file.Path.of(args[0]);
    int passes = Integer.parseInt(args[1]);
    int jobsPerTx = Integer.parseInt(args[2]);
    boolean identityOnly = "identity".equals(args[3]);
    boolean indexes = "yes".equals(args[4]);
    ints = java.util.Set.of(args[5].split(","));
    List<JsonNode> runs = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader in = Files.newBufferedReader(file)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) runs.add(json.readTree(line));
    }
    java.nio.file.Path home = Files.createTempDirectory("wfad-core-api-floor");
    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(GraphDatabaseSettings.pagecache_memory, 512L << 20)
            .build();
    try {
      GraphDatabaseService db = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
      db.executeTransactionally("CREATE CONSTRAINT run_id IF NOT EXISTS FOR (r:Run) REQUIRE r.id IS UNIQUE");
      if (indexes) {
        db.executeTransactionally("CREATE CONSTRAINT job_id IF NOT EXISTS FOR (j:Job) REQUIRE j.id IS UNIQUE");
        db.executeTransactionally("CREATE INDEX job_run IF NOT EXISTS FOR (j:Job) ON (j.runId)");
        db.executeTransactionally("CREATE INDEX job_label IF NOT EXISTS FOR (j:Job) ON (j.label)");
      }
      db.executeTransactionally("CALL db.awaitIndexes(300)");
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      for (int pass = 0; pass < passes; pass++) {
        String suffix = pass == 0 ? "" : "#" + pass;
        long t0 = System.nanoTime();
        long cpu0 = os.getProcessCpuTime();
        long jobs = 0;
        long edges = 0;
        long properties = 0;
        int i = 0;
        while (i < runs.size()) {
          try (Transaction tx = db.beginTx()) {
            int inTx = 0;
            while (i < runs.size() && inTx < jobsPerTx) {
              JsonNode r = runs.get(i++);
              Node run = tx.createNode(RUN);
              properties += setAll(run, r.get("props"), suffix, false);
              JsonNode js = r.get("jobs");
              Node[] nodes = new Node[js.size()];
              for (int j = 0; j < nodes.length; j++) {
                Node n = tx.createNode(JOB);
                properties += setAll(n, js.get(j), suffix, identityOnly);
                run.createRelationshipTo(n, HAS_JOB);
                nodes[j] = n;
              }
              for (JsonNode e : r.get("edges")) nodes[e.get(0).asInt()].createRelationshipTo(nodes[e.get(1).asInt()], FEEDS);
              jobs += nodes.length;
              edges += r.get("edges").size();
              inTx += nodes.length;
            }
            tx.commit();
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf(
            "{\"pass\":%d,\"jobs\":%d,\"edges\":%d,\"propertiesWritten\":%d,\"seconds\":%.2f,\"cpuSeconds\":%.2f,\"jobsPerSecond\":%d}%n",
            pass, jobs, edges, properties, seconds, cpu, Math.round(jobs / seconds));
      }
    } finally {
      dbms.shutdown();
      deleteTree(home);
    }
  }

  /** Sets an object's properties on a node; ids get the pass's suffix (unique constraints). */
  private static int setAll(Node n, JsonNode props, String suffix, boolean identityOnly) {
    int count = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      if (identityOnly && !(k.equals("id") || k.equals("runId") || k.equals("name") || k.equals("index") || k.equals("label"))) continue;
      JsonNode v = e.getValue();
      Object value;
      if (v.isTextual()) value = k.equals("id") || k.equals("runId") ? v.asText() + suffix : v.asText();
      else if (v.isNumber()) value = ints.contains(k) ? (Object) v.asLong() : (Object) v.asDouble();
      else if (v.isBoolean()) value = v.asBoolean();
      else if (v.isArray() && v.size() > 0 && v.get(0).isNumber()) value = doubleArray(v);
      else if (v.isArray()) value = stringArray(v);
      else continue;
      n.setProperty(k, value);
      count++;
    }
    return count;
  }

  private static String[] stringArray(JsonNode v) {
    String[] out = new String[v.size()];
    for (int i = 0; i < out.length; i++) out[i] = v.get(i).asText();
    return out;
  }

  private static double[] doubleArray(JsonNode v) {
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) out[i] = v.get(i).asDouble();
    return out;
  }

  private static void deleteTree(java.nio.file.Path p) throws java.io.IOException {
    try (var walk = Files.walk(p)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    }
  }
}
