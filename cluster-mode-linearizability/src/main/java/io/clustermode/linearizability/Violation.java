package io.clustermode.linearizability;

import java.util.List;

/**
 * Where the linearizability search of one key got stuck.
 *
 * @param key           the key
 * @param register      the register's value at the deepest point the search reached ({@code null}: absent)
 * @param linearizedTail the last operations of that deepest partial linearization, in order
 * @param pending       the operations pending there (invoked before the earliest remaining
 *                      acknowledged operation returned), none of which could take effect next
 * @param explanation   one line saying so
 */
public record Violation(String key, String register, List<Operation> linearizedTail, List<Operation> pending,
                        String explanation) {

    /** Multi-line report: the explanation, then the window of operations. */
    public String describe() {
        StringBuilder out = new StringBuilder(explanation).append('\n');
        out.append("  linearized so far (last ").append(linearizedTail.size()).append("):\n");
        for (Operation op : linearizedTail) {
            out.append("    ").append(op.describe()).append('\n');
        }
        out.append("  pending, none possible next:\n");
        for (Operation op : pending) {
            out.append("    ").append(op.describe()).append('\n');
        }
        return out.toString();
    }
}
