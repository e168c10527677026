package io.budgetguard.cli.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    private static final List<LoadOptions.Model> MODELS = List.of(new LoadOptions.Model("openai", "gpt-4o"));

    @Test
    void shouldReadProviderSlashModel() {
        assertThat(LoadOptions.Model.parse("anthropic/claude-sonnet-4-5"))
                .isEqualTo(new LoadOptions.Model("anthropic", "claude-sonnet-4-5"));
        assertThatThrownBy(() -> LoadOptions.Model.parse("gpt-4o")).hasMessageContaining("provider/model");
    }

    @Test
    void shouldExplainWhereTheUrlAndKeyComeFromWhenMissing() {
        assertThatThrownBy(() -> new LoadOptions(null, "k", 1, 0, 1, 1, 0, MODELS))
                .hasMessageContaining("INGEST_URL").hasMessageContaining("dev.env");
        assertThatThrownBy(() -> new LoadOptions("http://127.0.0.1:1", " ", 1, 0, 1, 1, 0, MODELS))
                .hasMessageContaining("DEMO_API_KEY");
    }

    @Test
    void shouldRefuseABatchAboveTheServersLimitAndADuplicateFractionAboveOne() {
        assertThatThrownBy(() -> new LoadOptions("http://127.0.0.1:1", "k", 1, 0, 1001, 1, 0, MODELS))
                .hasMessageContaining("--batch");
        assertThatThrownBy(() -> new LoadOptions("http://127.0.0.1:1", "k", 1, 0, 10, 1, 1.5, MODELS))
                .hasMessageContaining("--duplicates");
    }
}
