package org.transfusion.engine;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions and host facts for provenance records. */
public final class Versions {
    private static final Properties PROPS = new Properties();

    static {
        try (InputStream in = Versions.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                PROPS.load(in);
            }
        } catch (IOException ignored) {
            // provenance then says "unknown"
        }
    }

    private Versions() {}

    public static String transfusion() {
        return PROPS.getProperty("version", "unknown");
    }

    public static Map<String, Object> provenance() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("transfusion", transfusion());
        m.put("djl", PROPS.getProperty("djl", "unknown"));
        m.put("libtorch", PROPS.getProperty("libtorch", "unknown"));
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("host", host());
        return m;
    }

    /** This machine's host name, or "unknown". */
    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
