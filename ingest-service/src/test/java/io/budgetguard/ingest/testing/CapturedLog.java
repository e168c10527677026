package io.budgetguard.ingest.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A logback appender (configured in {@code logback-test.xml}) that keeps every log event of the test JVM as text —
 * logger, thread, message, MDC, and every exception with its causes and stack — for {@link LogLeakCheck}. Past
 * {@value #MAX_LINES} events it stops keeping them and checks each at once against the secrets known so far.
 */
public final class CapturedLog extends AppenderBase<ILoggingEvent> {

    static final int MAX_LINES = 200_000;
    private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ConcurrentLinkedQueue<String> LATE_LEAKS = new ConcurrentLinkedQueue<>();

    /** Every event captured so far, as text. */
    public static List<String> lines() {
        return new ArrayList<>(LINES);
    }

    /** Leaks found in events past the cap (found when they were logged). */
    static List<String> lateLeaks() {
        return new ArrayList<>(LATE_LEAKS);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String text = render(event);
        if (COUNT.incrementAndGet() <= MAX_LINES) {
            LINES.add(text);
        } else {
            LATE_LEAKS.addAll(LeakScanner.scan(List.of(text), TestSecrets.all()).stream().map(Object::toString).toList());
        }
    }

    static String render(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(256)
                .append(event.getLevel()).append(' ').append(event.getLoggerName())
                .append(" [").append(event.getThreadName()).append("] ")
                .append(event.getFormattedMessage());
        if (!event.getMDCPropertyMap().isEmpty()) {
            text.append(" mdc=").append(event.getMDCPropertyMap());
        }
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            text.append("\n").append(t.getClassName()).append(": ").append(t.getMessage());
            for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                text.append("\n\tat ").append(frame.getSTEAsString());
            }
            for (IThrowableProxy suppressed : t.getSuppressed()) {
                text.append("\nSuppressed: ").append(suppressed.getClassName()).append(": ").append(suppressed.getMessage());
            }
        }
        return text.toString();
    }
}
