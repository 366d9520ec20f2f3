package org.transfusion.spark;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.transfusion.error.BadInputException;

/**
 * The checks of a study's Spark settings before a SparkContext exists or anything is written: the master URL in one
 * of the forms Spark accepts, and the {@code --conf} values whose type is known (counts, memory sizes, switches).
 * Spark itself would fail on a bad master with a stack trace, divide by {@code local[0]}'s zero slots, and take
 * {@code spark.task.maxFailures=banana} or {@code spark.driver.memory=-5g} without a word until much later, if ever.
 * Each check is a pure function of the text; the caller names where it came from ({@code --master},
 * {@code --conf KEY}).
 */
final class SparkSettings {
    /** local, local[N], local[*], local[N,F], local[*,F]: N task slots (cores), F attempts per task. */
    static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,(\\d+))?\\])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[(\\d+),(\\d+),(\\d+)\\]");
    private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-_]+|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern MEMORY = Pattern.compile("(\\d+)([kmgtp]b?|b)?", Pattern.CASE_INSENSITIVE);

    /** Settings holding a whole count of at least 1 (at least 0 for the executor instances). */
    static final Map<String, Integer> COUNTS = Map.of(
            "spark.task.maxFailures", 1, "spark.task.cpus", 1, "spark.executor.cores", 1, "spark.driver.cores", 1,
            "spark.cores.max", 1, "spark.default.parallelism", 1, "spark.executor.instances", 0,
            "spark.dynamicAllocation.minExecutors", 0, "spark.dynamicAllocation.maxExecutors", 1);
    /** Settings holding a memory size: a whole number with an optional unit (b, k, m, g, t, p; kb, mb, ...). */
    static final java.util.Set<String> MEMORY_SIZES = java.util.Set.of("spark.driver.memory", "spark.executor.memory",
            "spark.driver.memoryOverhead", "spark.executor.memoryOverhead", "spark.executor.pyspark.memory");
    /** Settings holding true or false. */
    static final java.util.Set<String> SWITCHES = java.util.Set.of("spark.speculation", "spark.ui.enabled",
            "spark.dynamicAllocation.enabled", "spark.eventLog.enabled", "spark.shuffle.service.enabled",
            "spark.submit.deployMode.client", "spark.authenticate", "spark.ssl.enabled");

    private SparkSettings() {}

    /** The master URL, refused unless it is a form Spark accepts with sensible numbers. */
    static String master(String where, String master) {
        String m = master.strip();
        Matcher local = LOCAL.matcher(m);
        if (local.matches()) {
            if (local.group(1) != null && !local.group(1).equals("*")) {
                count(where + " '" + m + "': task slots must be", local.group(1), 1);
            }
            if (local.group(2) != null) {
                count(where + " '" + m + "': attempts per task must be", local.group(2), 1);
            }
            return m;
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(m);
        if (cluster.matches()) {
            count(where + " '" + m + "': workers must be", cluster.group(1), 1);
            count(where + " '" + m + "': cores per worker must be", cluster.group(2), 1);
            count(where + " '" + m + "': MiB per worker must be", cluster.group(3), 1);
            return m;
        }
        if (m.equals("yarn")) {
            return m;
        }
        if (m.startsWith("spark://")) {
            for (String hostPort : m.substring("spark://".length()).split(",", -1)) {
                hostPort(where, m, hostPort, true);
            }
            return m;
        }
        if (m.startsWith("k8s://") || m.startsWith("mesos://")) {
            String rest = m.substring(m.indexOf("://") + 3);
            for (String scheme : new String[] {"https://", "http://", "zk://"}) {
                if (rest.startsWith(scheme)) {
                    rest = rest.substring(scheme.length());
                    break;
                }
            }
            int slash = rest.indexOf('/');
            for (String hostPort : (slash < 0 ? rest : rest.substring(0, slash)).split(",", -1)) {
                hostPort(where, m, hostPort, m.startsWith("mesos://")); // k8s defaults the port to 443
            }
            return m;
        }
        throw new BadInputException(where + " '" + BadInputException.printable(master, 200) + "': not a Spark master URL "
                + "(expected local, local[N], local[*], local[N,F], local-cluster[N,C,M], spark://HOST:PORT, yarn, "
                + "k8s://HOST:PORT or mesos://HOST:PORT)");
    }

    /** {@code value} for the setting {@code key}, refused when its type is known and it is not of it. */
    static String conf(String key, String value) {
        String where = "--conf " + key;
        String v = value.strip();
        if (!key.startsWith("spark.")) {
            throw new BadInputException("--conf " + BadInputException.printable(key, 200) + ": not a Spark setting "
                    + "(Spark settings start with 'spark.'; Spark would ignore it)");
        }
        if (key.equals("spark.master")) {
            return master(where, v);
        }
        Integer least = COUNTS.get(key);
        if (least != null) {
            return Long.toString(count(where + "=" + BadInputException.printable(value, 200) + ": expected a whole number",
                    v, least));
        }
        if (MEMORY_SIZES.contains(key)) {
            Matcher mem = MEMORY.matcher(v);
            if (!mem.matches() || mem.group(1).length() > 15 || Long.parseLong(mem.group(1)) < 1) {
                throw new BadInputException(where + "=" + BadInputException.printable(value, 200) + ": expected a "
                        + "memory size, a positive whole number with an optional unit k, m, g or t (e.g. 4g)");
            }
            return v;
        }
        if (SWITCHES.contains(key)) {
            String b = v.toLowerCase(Locale.ROOT);
            if (!b.equals("true") && !b.equals("false")) {
                throw new BadInputException(where + "=" + BadInputException.printable(value, 200)
                        + ": expected true or false");
            }
            return b;
        }
        return value;
    }

    /** Every setting of {@code conf}, checked. */
    static void conf(Map<String, String> conf) {
        conf.forEach(SparkSettings::conf);
    }

    /** A whole number from {@code least} to 2^31 - 1; else a bad input {@code REFUSAL from L to 2147483647, got 'TEXT'}. */
    private static long count(String refusal, String text, int least) {
        long n = text.matches("\\d{1,10}") ? Long.parseLong(text) : -1;
        if (n < least || n > Integer.MAX_VALUE) {
            throw new BadInputException(refusal + " from " + least + " to " + Integer.MAX_VALUE + ", got '"
                    + BadInputException.printable(text, 200) + "'");
        }
        return n;
    }

    private static void hostPort(String where, String url, String hostPort, boolean portRequired) {
        int colon = hostPort.lastIndexOf(':');
        boolean hasPort = colon >= 0 && !hostPort.endsWith("]");
        String host = hasPort ? hostPort.substring(0, colon) : hostPort;
        String port = hasPort ? hostPort.substring(colon + 1) : "";
        boolean portOk = port.isEmpty() ? !portRequired
                : port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
        if (host.isEmpty() || !HOST_PORT.matcher(host).matches() || !portOk) {
            throw new BadInputException(where + " '" + BadInputException.printable(url, 200) + "': expected HOST:PORT "
                    + "with a port from 1 to 65535, got '" + BadInputException.printable(hostPort, 200) + "'");
        }
    }
}
