package io.budgetguard.ingest.usage;

import static io.budgetguard.ingest.usage.UsageRequestReaderTest.errors;
import static io.budgetguard.ingest.usage.UsageRequestReaderTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.budgetguard.common.http.Problem.FieldError;
import io.budgetguard.schemas.UsageEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Clients write an event's fields in any order, and may change it between events: no order changes what is read. */
class UsageRequestReaderFieldOrderTest {

    private static List<String> fields(int i) {
        List<String> fields = new ArrayList<>(List.of(
                "\"event_id\":\"evt-" + i + "\"",
                "\"occurred_at\":\"2025-06-15T11:" + String.format("%02d", i % 60) + ":00Z\"",
                "\"provider\":\"" + (i % 2 == 0 ? "openai" : "anthropic") + "\"",
                "\"model\":\"model-" + i % 7 + "\"",
                "\"input_tokens\":" + (1000 + i),
                "\"output_tokens\":" + (200 + i),
                "\"cached_input_tokens\":" + i % 50,
                "\"cache_write_tokens\":" + i % 30,
                "\"reasoning_tokens\":" + i % 20,
                "\"end_user\":\"user-" + i % 11 + "\"",
                "\"metadata\":{\"team\":\"t" + i % 5 + "\",\"feature\":\"f" + i % 3 + "\"}"));
        if (i % 4 == 0) {
            fields.remove(9 - i % 3); // some events leave out an optional field
        }
        return fields;
    }

    private static String object(List<String> fields) {
        return fields.stream().collect(Collectors.joining(",", "{", "}"));
    }

    @Test
    void shouldReadEventsWhoseFieldsComeInAnyOrderAsInTheDocumentedOrder() {
        Random random = new Random(20261208);
        List<String> shuffled = new ArrayList<>();
        List<UsageEvent> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            List<String> fields = fields(i);
            expected.addAll(read(object(fields)));
            // runs of events in one order (what clients send), then a new order; sometimes a single odd one
            if (i % 25 == 0 || i % 7 == 3) {
                Collections.shuffle(fields, random);
            }
            shuffled.add(object(fields));
        }

        List<UsageEvent> events = read(shuffled.stream().collect(Collectors.joining(",", "{\"events\":[", "]}")));

        assertThat(events).containsExactlyElementsOf(expected);
    }

    @Test
    void shouldRefuseAFieldThatAppearsTwiceInAnEventAfterOthersInTheUsualOrder() {
        String usual = object(fields(1));
        String twice = usual.replace("\"provider\":\"anthropic\"", "\"occurred_at\":\"2025-06-15T11:02:00Z\"");

        List<FieldError> errors = errors("{\"events\":[" + usual + "," + usual.replace("evt-1", "evt-2") + ","
                + twice.replace("evt-1", "evt-3") + "]}");

        assertThat(errors).extracting(FieldError::index, FieldError::field)
                .contains(tuple(2, "occurred_at"));
    }

    @Test
    void shouldReportAnUnknownFieldBetweenTwoKnownOnes() {
        String usual = object(fields(1));
        String unknown = usual.replace("\"model\":", "\"colour\":\"blue\",\"model\":");

        List<FieldError> errors = errors("{\"events\":[" + usual + "," + unknown.replace("evt-1", "evt-2") + "]}");

        assertThat(errors).extracting(FieldError::index, FieldError::field)
                .containsExactly(tuple(1, "colour"));
    }
}
