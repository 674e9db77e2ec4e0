package io.clustermode.fencing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The three {@link TokenStore}s keep the largest token per group; the durable ones keep it across a reopen. */
class TokenStoreTest {

    @TempDir
    Path dir;

    @Test
    void in_memory_keeps_the_largest_per_group() throws Exception {
        largestWins(new InMemoryTokenStore());
    }

    @Test
    void a_file_keeps_the_largest_per_group_across_a_reopen() throws Exception {
        Path file = dir.resolve("tokens");
        largestWins(new FileTokenStore(file));
        assertThat(Files.readString(file)).isEqualTo("a 7\nb 3\n");
        FileTokenStore reopened = new FileTokenStore(file);
        assertThat(reopened.raise("a", 6)).isEqualTo(7);
        assertThat(reopened.raise("a", 8)).isEqualTo(8);
        assertThat(Files.list(dir)).containsExactly(file); // no temporary file left behind
    }

    @Test
    void a_file_that_is_not_tokens_is_refused_naming_the_line() throws Exception {
        Path file = dir.resolve("tokens");
        Files.writeString(file, "a 1\nb x\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new FileTokenStore(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    void a_database_table_keeps_the_largest_per_group() throws Exception {
        // a DataSource reduced to getConnection(), which is all the store uses
        DataSource h2 = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection") || args != null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return DriverManager.getConnection("jdbc:h2:mem:tokens;DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=30000");
                });
        JdbcFence fence = JdbcFence.of("tokens");
        try (Connection c = h2.getConnection()) {
            fence.createTable(c);
        }
        largestWins(new JdbcTokenStore(h2, fence));
        assertThat(new JdbcTokenStore(h2, fence).raise("a", 2)).isEqualTo(7);
    }

    @Test
    void concurrent_raises_end_at_the_largest() throws Exception {
        FileTokenStore store = new FileTokenStore(dir.resolve("tokens"));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (long token = 1; token <= 40; token++) {
                long t = token;
                results.add(threads.submit((Callable<Long>) () -> store.raise("g", t)));
            }
            for (int i = 0; i < results.size(); i++) {
                assertThat(results.get(i).get()).isGreaterThanOrEqualTo(i + 1L);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(new FileTokenStore(dir.resolve("tokens")).raise("g", 0)).isEqualTo(40);
    }

    private static void largestWins(TokenStore store) throws IOException {
        assertThat(store.raise("a", 5)).isEqualTo(5);
        assertThat(store.raise("a", 7)).isEqualTo(7);
        assertThat(store.raise("a", 6)).isEqualTo(7);
        assertThat(store.raise("a", 7)).isEqualTo(7);
        assertThat(store.raise("b", 3)).isEqualTo(3);
    }
}
