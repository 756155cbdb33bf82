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
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;

/**
 * The part of HBase's shell the pinpoint-hbase image's scripts use, for the
 * end to end (HBase's JRuby shell is not on Maven Central):
 *
 *   statements       prints a `create` statement per table of a Pinpoint
 *                    release, from its own jar (the HbaseColumnFamily
 *                    constants name every table and family); what the
 *                    image's hbase-create.hbase holds, without pre-split
 *                    regions or TTLs (a test cluster holds a handful of rows)
 *   shell [FILE]     runs `create 't', {NAME => 'f'}, ...`, `exists 't'` and
 *                    `list` statements from FILE or stdin through the Admin
 *                    API, answering as the shell does ("Table t does exist")
 *
 * The connection comes from hbase-site.xml on the class path.
 */
public final class PinpointTables {
  private static final String COLUMN_FAMILY_CLASS = "com.navercorp.pinpoint.common.hbase.HbaseColumnFamily";
  private static final Pattern CREATE = Pattern.compile("^\\s*create\\s+'([^']+)'(.*)$");
  private static final Pattern EXISTS = Pattern.compile("^\\s*exists\\s+'([^']+)'");
  private static final Pattern FAMILY = Pattern.compile("NAME\\s*=>\\s*'([^']+)'");

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("statements")) {
      for (Map.Entry<String, TreeSet<String>> t : declaredTables().entrySet()) {
        List<String> families = new ArrayList<>();
        for (String f : t.getValue()) families.add("{ NAME => '" + f + "' }");
        System.out.println("create '" + t.getKey() + "', " + String.join(", ", families));
      }
      return;
    }
    if (args.length == 0 || !args[0].equals("shell")) throw new IllegalArgumentException("usage: statements | shell [FILE]");
    BufferedReader in = args.length > 1 ? new BufferedReader(new FileReader(args[1], StandardCharsets.UTF_8)) : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Connection connection = ConnectionFactory.createConnection(HBaseConfiguration.create()); Admin admin = connection.getAdmin()) {
      for (String line; (line = in.readLine()) != null; ) {
        Matcher create = CREATE.matcher(line);
        Matcher exists = EXISTS.matcher(line);
        if (create.find()) {
          TableName name = TableName.valueOf(create.group(1));
          if (admin.tableExists(name)) {
            System.out.println("ERROR: Table already exists: " + name);
            continue;
          }
          TableDescriptorBuilder table = TableDescriptorBuilder.newBuilder(name);
          Matcher family = FAMILY.matcher(create.group(2));
          while (family.find()) table.setColumnFamily(ColumnFamilyDescriptorBuilder.of(family.group(1)));
          admin.createTable(table.build());
          System.out.println("Created table " + name);
        } else if (exists.find()) {
          boolean present = admin.tableExists(TableName.valueOf(exists.group(1)));
          System.out.println("Table " + exists.group(1) + (present ? " does exist" : " does not exist"));
        } else if (line.trim().equals("list")) {
          for (TableName t : admin.listTableNames()) System.out.println(t.getNameAsString());
        }
      }
    }
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
