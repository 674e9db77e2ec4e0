package io.clustermode.faults.nemesis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessesTest {

    @Test
    void signals_to_processes_that_are_not_our_children_are_refused() {
        assertThatThrownBy(() -> Processes.kill9(1)).hasMessageContaining("refusing to send SIGKILL to 1");
        assertThatThrownBy(() -> Processes.pause(ProcessHandle.current().pid()))
                .hasMessageContaining("not a live child");
    }
}
