package org.transfusion.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub's environment variables (issue 27) are checked where they are read: a value that cannot mean what the
 * variable means is one line naming the variable and what was expected, exit 2, from every command that reads it,
 * rather than exit 1 and the HTTP client's stack trace. Settings are read like the variables of the same name, from
 * system properties first; one test sets the real variable in a child JVM.
 */
class HubSettingsCommandTest {
    @TempDir Path dir;

    private static final String[] VARIABLES = {"HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_TOKEN", "TRANSFUSION_CACHE",
        "TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT"};

    @BeforeEach
    void cache() {
        System.setProperty("TRANSFUSION_CACHE", dir.toString());
    }

    @AfterEach
    void clear() {
        for (String v : VARIABLES) {
            System.clearProperty(v);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-url", "http://exa mple.com", "ftp://example.com/hub", "file:///etc",
        "http://127.0.0.1:99999", "https://"})
    void aBadEndpointIsOneLineNamingTheVariable(String endpoint) {
        System.setProperty("HF_ENDPOINT", endpoint);
        CliRun.of("weights", "list").assertOneLineError("HF_ENDPOINT is '" + endpoint + "'");
        CliRun fetch = CliRun.of("weights", "fetch", "resnet18");
        fetch.assertOneLineError("HF_ENDPOINT is '" + endpoint + "'");
        assertThat(fetch.err()).contains("expected");
    }

    @Test
    void aMirrorWithAPathPrefixIsAccepted() {
        System.setProperty("HF_ENDPOINT", "http://127.0.0.1:8080/mirror/");
        CliRun r = CliRun.of("weights", "list");
        assertThat(r.code()).as(r.err()).isZero();
    }

    @Test
    void aTokenWithALineBreakIsNamedWithoutPrintingIt() {
        System.setProperty("HF_TOKEN", "hf_secret\nX-Injected: 1");
        CliRun r = CliRun.of("weights", "fetch", "resnet18");
        r.assertOneLineError("HF_TOKEN holds a line break at position 10 of 23");
        assertThat(r.err()).doesNotContain("secret").doesNotContain("Injected");
    }

    @Test
    void anOfflineSettingThatIsNeitherYesNorNoIsRefused() {
        System.setProperty("HF_HUB_OFFLINE", "sometimes");
        CliRun.of("weights", "fetch", "resnet18").assertOneLineError("HF_HUB_OFFLINE is 'sometimes' (expected 1, "
                + "true, yes or on");
    }

    @Test
    void anIdleTimeoutThatIsNotWholeSecondsIsRefusedBeforeAnyRequest() {
        // The endpoint is a closed port: were the setting read after a request, the message would be another.
        System.setProperty("HF_ENDPOINT", "http://127.0.0.1:9");
        System.setProperty("TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT", "0");
        CliRun.of("weights", "fetch", "resnet18").assertOneLineError("TRANSFUSION_DOWNLOAD_IDLE_TIMEOUT is '0' "
                + "(expected whole seconds from 1 to 86400");
    }

    @Test
    @org.junit.jupiter.api.Tag("process") // a child JVM: left out of the fast loop (-Pfast)
    void theRealEnvironmentVariableInAChildJvmGivesTheSameOneLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "weights", "list");
        pb.environment().put("HF_ENDPOINT", "http://exa mple.com");
        pb.environment().put("TRANSFUSION_CACHE", dir.toString());
        Path err = dir.resolve("err.txt");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("finished").isTrue();
        String text = Files.readString(err);
        assertThat(p.exitValue()).as(text).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(text.strip().lines().count()).as(text).isEqualTo(1);
        assertThat(text).startsWith("transfusion: error: HF_ENDPOINT is 'http://exa mple.com'")
                .doesNotContain("\tat ");
    }
}
