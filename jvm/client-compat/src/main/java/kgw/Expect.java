package kgw;

import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Why this exists: every check reports its outcome the same way (a thrown Mismatch, Skip or
 * PassNote that the runner in Compat turns into one output line), so the outcome types and the
 * small assertion helpers that throw them live here, shared by all check classes.
 */
final class Expect {
    private Expect() { }

    /** Thrown by a check to report a mismatch. */
    static final class Mismatch extends RuntimeException {
        Mismatch(String m) { super(m); }
    }

    /** Thrown when the client version lacks the API under test. */
    static final class Skip extends RuntimeException {
        Skip(String m) { super(m); }
    }

    /** Thrown by a check that passed but wants to say which of Kafka's valid behaviours it saw. */
    static final class PassNote extends RuntimeException {
        PassNote(String m) { super(m); }
    }

    /** One scenario, or any step that may throw. */
    interface Check { void run() throws Exception; }

    static void check(boolean cond, String fmt, Object... args) {
        if (!cond) throw new Mismatch(String.format(fmt, args));
    }

    static void eq(Object expected, Object actual, String what) {
        if (!Objects.equals(expected, actual))
            throw new Mismatch(what + ": expected " + expected + " got " + actual);
    }

    static void waitFor(BooleanSupplier cond, long ms, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new Mismatch("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    /** Runs the call expecting it to fail with the given exception type (possibly wrapped). */
    static Throwable expectFailure(Class<? extends Throwable> type, Check c, String what) throws Exception {
        try {
            c.run();
        } catch (Throwable t) {
            Throwable root = unwrap(t);
            if (type.isInstance(root)) return root;
            throw new Mismatch(what + ": expected " + type.getSimpleName() + " got " + describe(root));
        }
        throw new Mismatch(what + ": expected " + type.getSimpleName() + " but call succeeded");
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException
                || t instanceof InvocationTargetException) && t.getCause() != null) t = t.getCause();
        return t;
    }

    static String describe(Throwable t) {
        String m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        m = m.replaceAll("\\s+", " ");
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}
