package io.clustermode.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {

    @Test
    void the_text_form_round_trips_every_field_including_awkward_strings_and_absent(@TempDir Path dir) {
        History h = new Hist().key("a key/with spaces")
                .put(1, "multi\nline ~ value %", 100, 200)
                .get(2, null, 150, 250)
                .casUnknown(3, "~", "null", 160, 900)
                .delete(4, 300, 400)
                .build();
        Path file = dir.resolve("history.txt");
        h.save(file);
        assertThat(History.load(file).operations()).isEqualTo(h.operations());
        assertThat(h.toText()).startsWith(History.HEADER);
    }

    @Test
    void a_malformed_line_is_reported_with_its_number() {
        assertThatThrownBy(() -> History.fromText(History.HEADER + "\n1 2 put k\n"))
                .hasMessageContaining("line 2");
    }

    @Test
    void the_recorder_gives_ids_in_invocation_order_and_counts_outcomes() {
        History.Recorder r = new History.Recorder();
        var first = r.invoke(1, OpKind.PUT, "k", "a", null);
        var second = r.invoke(2, OpKind.GET, "k", null, null);
        second.ok("a");
        first.unknown();
        r.invoke(3, OpKind.CAS, "k", "b", "a").failed();
        History h = r.history();
        assertThat(h.operations()).extracting(Operation::id).containsExactly(0, 1, 2);
        assertThat(h.operations().get(1).value()).isEqualTo("a");
        assertThat(h.countByOutcome()).containsEntry(Outcome.OK, 1).containsEntry(Outcome.UNKNOWN, 1)
                .containsEntry(Outcome.FAILED, 1);
    }
}
