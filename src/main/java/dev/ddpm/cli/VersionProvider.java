package dev.ddpm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Reads the version that Maven wrote into {@code ddpm-version.properties}. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties p = new Properties();
        try (InputStream in =
                VersionProvider.class.getResourceAsStream("/ddpm-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return new String[] {
            "ddpm " + p.getProperty("version", "unknown"),
            "DJL "
                    + p.getProperty("djl", "unknown")
                    + ", PyTorch "
                    + p.getProperty("pytorch", "unknown"),
            "Java "
                    + System.getProperty("java.version")
                    + " ("
                    + System.getProperty("java.vm.name")
                    + ")"
        };
    }
}
