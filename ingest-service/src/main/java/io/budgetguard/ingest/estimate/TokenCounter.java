package io.budgetguard.ingest.estimate;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.Locale;

/**
 * Counts tokens before a call is made, with jtokkit's implementation of OpenAI's BPE encodings: {@code o200k_base} for
 * gpt-4o, gpt-4.1, gpt-4.5, gpt-5 and the o-series, {@code cl100k_base} for gpt-4, gpt-3.5 and the text-embedding
 * models. That count is exact for OpenAI models (and the same models on Azure). Every other provider's tokenizer is
 * not public or not in Java, so its count is the {@code o200k_base} count, flagged {@code estimated}: typically within
 * 10–20 % for English text.
 *
 * <p>Messages are counted as OpenAI documents for its chat models: 3 tokens per message, plus its role, content and
 * name (1 more for a name), plus 3 for the reply's priming.
 */
public final class TokenCounter {

    /** A count and how it was made. */
    public record Count(long tokens, String tokenizer, boolean estimated) {}

    /** One chat message: role, text content, optional name. */
    public record Message(String role, String content, String name) {}

    private static final int TOKENS_PER_MESSAGE = 3;
    private static final int TOKENS_PER_NAME = 1;
    private static final int REPLY_PRIMING = 3;
    private static final List<String> O200K_PREFIXES = List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5",
            "o1", "o3", "o4");
    private static final List<String> CL100K_PREFIXES = List.of("gpt-4", "gpt-3.5", "text-embedding-3",
            "text-embedding-ada-002");

    /** Loaded on first use and shared: an encoding's vocabulary takes a moment to load and some MB to hold. */
    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    /**
     * Loads both vocabularies on a low-priority daemon thread (several seconds of one core), so that the first
     * estimate does not wait for them. Services call it at start; tests need not.
     */
    public static void warmUpInBackground() {
        Thread thread = new Thread(() -> {
            REGISTRY.getEncoding(EncodingType.O200K_BASE).countTokensOrdinary("warm up");
            REGISTRY.getEncoding(EncodingType.CL100K_BASE).countTokensOrdinary("warm up");
        }, "tokenizer-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** The encoding for the model and whether its count is only an estimate. */
    static Choice choose(String provider, String model) {
        if (isOpenAiHost(provider)) {
            String name = model.toLowerCase(Locale.ROOT);
            for (String prefix : O200K_PREFIXES) {
                if (name.startsWith(prefix)) {
                    return new Choice(EncodingType.O200K_BASE, false);
                }
            }
            for (String prefix : CL100K_PREFIXES) {
                if (name.startsWith(prefix)) {
                    return new Choice(EncodingType.CL100K_BASE, false);
                }
            }
        }
        return new Choice(EncodingType.O200K_BASE, true);
    }

    record Choice(EncodingType encoding, boolean estimated) {}

    public Count countText(String provider, String model, String text) {
        Choice choice = choose(provider, model);
        return new Count(encoding(choice).countTokensOrdinary(text), choice.encoding().getName(), choice.estimated());
    }

    public Count countMessages(String provider, String model, List<Message> messages) {
        Choice choice = choose(provider, model);
        Encoding encoding = encoding(choice);
        long tokens = REPLY_PRIMING;
        for (Message message : messages) {
            tokens += TOKENS_PER_MESSAGE + encoding.countTokensOrdinary(message.role())
                    + encoding.countTokensOrdinary(message.content());
            if (message.name() != null) {
                tokens += TOKENS_PER_NAME + encoding.countTokensOrdinary(message.name());
            }
        }
        return new Count(tokens, choice.encoding().getName(), choice.estimated());
    }

    private static Encoding encoding(Choice choice) {
        return REGISTRY.getEncoding(choice.encoding());
    }

    private static boolean isOpenAiHost(String provider) {
        return provider.equals("openai") || provider.equals("azure");
    }
}
