package e2e;

import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Properties;

/**
 * Stands in for pinpoint-bootstrap.jar in the end-to-end test: records the
 * system properties the Pinpoint agent reads, and where it was loaded from, into
 * logs/record.properties under its own folder, where the real agent writes its logs.
 */
public final class RecordingAgent {
    private static final String[] KEYS = {
        "pinpoint.agentId",
        "pinpoint.applicationName",
        "pinpoint.agentName",
        "pinpoint.container",
        "pinpoint.profiler.profiles.active",
        "profiler.transport.grpc.collector.ip",
        "profiler.transport.grpc.agent.collector.port",
        "profiler.transport.grpc.span.collector.port",
        "app.mode",
    };

    private RecordingAgent() {}

    public static void premain(String args, Instrumentation inst) throws Exception {
        Path jar = Paths.get(RecordingAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Properties record = new Properties();
        for (String key : KEYS) {
            String value = System.getProperty(key);
            if (value != null) record.setProperty(key, value);
        }
        record.setProperty("agent.jar", jar.toString());
        Path logs = jar.getParent().resolve("logs");
        Files.createDirectories(logs);
        try (OutputStream out = Files.newOutputStream(logs.resolve("record.properties"))) {
            record.store(out, "recorded by the e2e Pinpoint stand-in agent");
        }
    }
}
