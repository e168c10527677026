package io.budgetguard.infra.local;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedRegistryTest {

    @TempDir
    Path emptyHome;

    @Test
    void shouldTellHowToUnpackApicurioWhenItIsMissing() {
        assertThatThrownBy(() -> EmbeddedRegistry.start(0, emptyHome))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("./mvnw -DskipTests install")
                .hasMessageContaining(emptyHome.toString());
    }
}
