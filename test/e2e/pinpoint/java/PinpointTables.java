import java.io.BufferedReader;
import java.io.FileReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.HConstants;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.io.encoding.DataBlockEncoding;
import org.apache.hadoop.hbase.util.RegionSplitter;

/**
 * The part of HBase's shell the pinpoint-hbase image's scripts use, for the
 * end to end (HBase's JRuby shell is not on Maven Central):
 *
 *   statements       prints the tables of a Pinpoint release and their
 *                    families, from its own jar (the HbaseColumnFamily
 *                    constants name every table and family), one
 *                    `create 't', { NAME => 'f' }, ...` line each; the stand-in
 *                    writes them in upstream's form (TTLs, pre-splits)
 *   shell [FILE]     runs `create`, `alter`, `describe`, `exists` and `list`
 *                    statements from FILE or stdin through the Admin API,
 *                    answering as the shell does ("Table t does exist", a
 *                    family per line as HBase's own descriptor prints it).
 *                    `create` applies TTL, VERSIONS, DATA_BLOCK_ENCODING,
 *                    SPLITS=>["\x01\x00…", …] and NUMREGIONS with
 *                    SPLITALGO => 'UniformSplit' as the shell does;
 *                    `alter 't', { NAME => 'f', TTL => n }` sets a TTL
 *   inspect          one line per table: `table regions family=ttl …`
 *                    (ttl in seconds, FOREVER when none), as the live
 *                    cluster has them: what the end to end asserts on
 *   count T [T ...]  one line per table: `table rows cells` (a full scan;
 *                    for the small tables of a bench run): what bench part 6
 *                    reads to prove its agents' data reached HBase
 *
 * The connection comes from hbase-site.xml on the class path.
 */
public final class PinpointTables {
  private static final String COLUMN_FAMILY_CLASS = "com.navercorp.pinpoint.common.hbase.HbaseColumnFamily";
  private static final Pattern CREATE = Pattern.compile("^\\s*create\\s+'([^']+)'(.*)$");
  private static final Pattern EXISTS = Pattern.compile("^\\s*exists\\s+'([^']+)'");
  private static final Pattern ALTER = Pattern.compile("^\\s*alter\\s+'([^']+)'(.*)$");
  private static final Pattern DESCRIBE = Pattern.compile("^\\s*describe\\s+'([^']+)'");
  /** One `{ … }` of a statement: a family (it has NAME) or the table's split options. */
  private static final Pattern BRACES = Pattern.compile("\\{([^{}]*)\\}");
  private static final Pattern NAME = Pattern.compile("NAME\\s*=>\\s*'([^']+)'");
  private static final Pattern TTL = Pattern.compile("TTL\\s*=>\\s*(\\d+)");
  private static final Pattern VERSIONS = Pattern.compile("VERSIONS\\s*=>\\s*(\\d+)");
  private static final Pattern ENCODING = Pattern.compile("DATA_BLOCK_ENCODING\\s*=>\\s*'([A-Z_]+)'");
  private static final Pattern SPLITS = Pattern.compile("SPLITS\\s*=>\\s*\\[([^\\]]*)\\]");
  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern NUMREGIONS = Pattern.compile("NUMREGIONS\\s*=>\\s*(\\d+)");
  private static final Pattern SPLITALGO = Pattern.compile("SPLITALGO\\s*=>\\s*'([A-Za-z]+)'");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("statements")) {
      for (Map.Entry<String, TreeSet<String>> t : declaredTables().entrySet()) {
        List<String> families = new ArrayList<>();
        for (String f : t.getValue()) families.add("{ NAME => '" + f + "' }");
        System.out.println("create '" + t.getKey() + "', " + String.join(", ", families));
      }
      return;
    }
    if (args.length > 0 && args[0].equals("inspect")) {
      try (Connection connection = ConnectionFactory.createConnection(HBaseConfiguration.create()); Admin admin = connection.getAdmin()) {
        for (TableName t : admin.listTableNames()) {
          StringBuilder line = new StringBuilder(t.getNameAsString()).append(' ').append(admin.getRegions(t).size());
          for (ColumnFamilyDescriptor f : admin.getDescriptor(t).getColumnFamilies()) {
            line.append(' ').append(f.getNameAsString()).append('=').append(f.getTimeToLive() == HConstants.FOREVER ? "FOREVER" : String.valueOf(f.getTimeToLive()));
          }
          System.out.println(line);
        }
      }
      return;
    }
    if (args.length > 0 && args[0].equals("count")) {
      try (Connection connection = ConnectionFactory.createConnection(HBaseConfiguration.create())) {
        for (int i = 1; i < args.length; i++) {
          long rows = 0;
          long cells = 0;
          try (Table table = connection.getTable(TableName.valueOf(args[i])); ResultScanner scanner = table.getScanner(new Scan())) {
            for (Result r : scanner) {
              rows++;
              cells += r.size();
            }
          }
          System.out.println(args[i] + " " + rows + " " + cells);
        }
      }
      return;
    }
    if (args.length == 0 || !args[0].equals("shell")) throw new IllegalArgumentException("usage: statements | shell [FILE] | inspect | count TABLE...");
    BufferedReader in = args.length > 1 ? new BufferedReader(new FileReader(args[1], StandardCharsets.UTF_8)) : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Connection connection = ConnectionFactory.createConnection(HBaseConfiguration.create()); Admin admin = connection.getAdmin()) {
      for (String line; (line = in.readLine()) != null; ) {
        Matcher create = CREATE.matcher(line);
        Matcher alter = ALTER.matcher(line);
        Matcher describe = DESCRIBE.matcher(line);
        Matcher exists = EXISTS.matcher(line);
        if (create.find()) {
          TableName name = TableName.valueOf(create.group(1));
          if (admin.tableExists(name)) {
            System.out.println("ERROR: Table already exists: " + name);
            continue;
          }
          create(admin, name, create.group(2));
          System.out.println("Created table " + name);
        } else if (alter.find()) {
          TableName name = TableName.valueOf(alter.group(1));
          Matcher family = BRACES.matcher(alter.group(2));
          while (family.find()) {
            String f = group(NAME, family.group(1));
            String ttl = group(TTL, family.group(1));
            if (f == null || ttl == null) throw new IllegalArgumentException("only alter 't', { NAME => 'f', TTL => n } is played here: " + line);
            ColumnFamilyDescriptor current = admin.getDescriptor(name).getColumnFamily(f.getBytes(StandardCharsets.UTF_8));
            admin.modifyColumnFamily(name, ColumnFamilyDescriptorBuilder.newBuilder(current).setTimeToLive(Integer.parseInt(ttl)).build());
          }
          System.out.println("Updating all regions with the new schema...");
        } else if (describe.find()) {
          TableName name = TableName.valueOf(describe.group(1));
          TableDescriptor table = admin.getDescriptor(name);
          System.out.println("Table " + name + " is " + (admin.isTableEnabled(name) ? "ENABLED" : "DISABLED"));
          System.out.println(name);
          System.out.println("COLUMN FAMILIES DESCRIPTION");
          // HBase's own rendering of a family, which is what its shell prints (TTL => '604800 SECONDS (7 DAYS)').
          for (ColumnFamilyDescriptor f : table.getColumnFamilies()) System.out.println(f);
        } else if (exists.find()) {
          boolean present = admin.tableExists(TableName.valueOf(exists.group(1)));
          System.out.println("Table " + exists.group(1) + (present ? " does exist" : " does not exist"));
        } else if (line.trim().equals("list")) {
          for (TableName t : admin.listTableNames()) System.out.println(t.getNameAsString());
        }
      }
    }
  }

  /** `create 't', {family}, …, {SPLITS=>[…]} | {NUMREGIONS => n, SPLITALGO => 'UniformSplit'}`, as the shell applies it. */
  private static void create(Admin admin, TableName name, String rest) throws Exception {
    TableDescriptorBuilder table = TableDescriptorBuilder.newBuilder(name);
    byte[][] splits = null;
    Matcher brace = BRACES.matcher(rest);
    while (brace.find()) {
      String body = brace.group(1);
      String family = group(NAME, body);
      if (family != null) {
        ColumnFamilyDescriptorBuilder f = ColumnFamilyDescriptorBuilder.newBuilder(family.getBytes(StandardCharsets.UTF_8));
        String ttl = group(TTL, body);
        if (ttl != null) f.setTimeToLive(Integer.parseInt(ttl));
        String versions = group(VERSIONS, body);
        if (versions != null) f.setMaxVersions(Integer.parseInt(versions));
        String encoding = group(ENCODING, body);
        if (encoding != null) f.setDataBlockEncoding(DataBlockEncoding.valueOf(encoding));
        table.setColumnFamily(f.build());
        continue;
      }
      String keys = group(SPLITS, body);
      if (keys != null) {
        List<byte[]> out = new ArrayList<>();
        Matcher q = QUOTED.matcher(keys);
        while (q.find()) out.add(unescape(q.group(1)));
        splits = out.toArray(new byte[0][]);
      }
      String regions = group(NUMREGIONS, body);
      if (regions != null) {
        String algo = group(SPLITALGO, body);
        if (!"UniformSplit".equals(algo)) throw new IllegalArgumentException("only SPLITALGO => 'UniformSplit' is played here, not " + algo);
        splits = new RegionSplitter.UniformSplit().split(Integer.parseInt(regions));
      }
    }
    if (splits == null || splits.length == 0) admin.createTable(table.build());
    else admin.createTable(table.build(), splits);
  }

  private static String group(Pattern p, String s) {
    Matcher m = p.matcher(s);
    return m.find() ? m.group(1) : null;
  }

  /** A Ruby double-quoted string's bytes: \xNN escapes, \\ and \", other characters as themselves. */
  private static byte[] unescape(String s) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'x' && i + 3 < s.length()) {
        out.write(Integer.parseInt(s.substring(i + 2, i + 4), 16));
        i += 3;
      } else if (c == '\\' && i + 1 < s.length()) {
        out.write(s.charAt(++i));
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  /** Table name to family names, from every public static HbaseColumnFamily constant of the release. */
  private static Map<String, TreeSet<String>> declaredTables() throws Exception {
    Class<?> type = Class.forName(COLUMN_FAMILY_CLASS);
    Map<String, TreeSet<String>> out = new TreeMap<>();
    for (Field f : type.getFields()) {
      if (!Modifier.isStatic(f.getModifiers()) || !type.isAssignableFrom(f.getType())) continue;
      Object cf = f.get(null);
      Object table = type.getMethod("getTable").invoke(cf);
      String tableName = (String) table.getClass().getMethod("getName").invoke(table);
      String family = new String((byte[]) type.getMethod("getName").invoke(cf), StandardCharsets.UTF_8);
      out.computeIfAbsent(tableName, k -> new TreeSet<>()).add(family);
    }
    if (out.isEmpty()) throw new IllegalStateException("no table found in " + COLUMN_FAMILY_CLASS);
    return out;
  }
}
