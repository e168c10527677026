package io.budgetguard.cli.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriterPasswordTest {

    private static final String PASSWORD = "a-writer-password-of-32-chars-xx";

    @TempDir
    Path tempDir;

    @Test
    void shouldReadThePasswordFromTheEnvironment() {
        assertThat(WriterPassword.resolve(null, Map.of(WriterPassword.ENV, PASSWORD))).isEqualTo(PASSWORD);
    }

    @Test
    void shouldPreferTheFileAndDropItsTrailingLineBreak() throws Exception {
        Path file = Files.writeString(tempDir.resolve("secret"), PASSWORD + "\r\n");

        assertThat(WriterPassword.resolve(file, Map.of(WriterPassword.ENV, "another-password-from-env")))
                .isEqualTo(PASSWORD);
    }

    @Test
    void shouldNameBothSourcesWhenThereIsNoPassword() {
        assertThatThrownBy(() -> WriterPassword.resolve(null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(WriterPassword.ENV)
                .hasMessageContaining("--writer-password-file");
    }

    @Test
    void shouldRefuseAShortPasswordWithoutShowingIt() {
        assertThatThrownBy(() -> WriterPassword.resolve(null, Map.of(WriterPassword.ENV, "short-secret")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 16 characters")
                .hasMessageNotContaining("short-secret");
    }

    @Test
    void shouldNameAnUnreadableFile() {
        Path missing = tempDir.resolve("missing");

        assertThatThrownBy(() -> WriterPassword.resolve(missing, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }
}
