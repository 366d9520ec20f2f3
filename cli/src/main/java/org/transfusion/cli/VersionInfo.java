package org.transfusion.cli;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import org.transfusion.engine.Devices;
import picocli.CommandLine;

/** Versions of Transfusion and of the engine it was built against, from the filtered version.properties. */
public final class VersionInfo implements CommandLine.IVersionProvider {

    public static Properties properties() {
        Properties p = new Properties();
        try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    @Override
    public String[] getVersion() {
        Properties p = properties();
        return new String[] {
            "transfusion " + p.getProperty("version", "unknown"),
            "DJL " + p.getProperty("djl", "?") + ", libtorch " + p.getProperty("libtorch", "?")
                    + ", Java " + System.getProperty("java.version"),
            "engine " + Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion()
                    + "; devices: " + Devices.describe(),
        };
    }
}
