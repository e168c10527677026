package io.budgetguard.ledger.privacy;

import io.budgetguard.ledger.chain.CanonicalJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM for personal data in the ledger. A ciphertext is {@code v1:<key_version>:<base64 of nonce ‖ ciphertext ‖
 * tag>} (12-byte random nonce, 16-byte tag, standard base64 with padding), where {@code key_version} names the row of
 * {@code tenant_data_keys} that holds the data key, wrapped. The associated data is the canonical array
 * {@code ["bg-pd-v1", tenant_id, event_id, field]}, so a ciphertext cannot be moved to another tenant, event or field
 * without failing authentication.
 */
public final class PersonalDataCipher {

    public static final String FORMAT = "v1";
    public static final String END_USER = "end_user";
    public static final String METADATA = "metadata";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern CIPHERTEXT = Pattern.compile("v1:([1-9][0-9]{0,8}):([A-Za-z0-9+/]+={0,2})");
    /** Per thread: the sink encrypts on its hot path, and a shared generator or a new cipher per call costs more. */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(PersonalDataCipher::newRandom);
    private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(PersonalDataCipher::newCipher);

    private PersonalDataCipher() {}

    /** Encrypts {@code plaintext} (UTF-8) of {@code field} of an event. */
    public static String encrypt(DataKeyRef key, String tenantId, String eventId, String field, String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.get().nextBytes(nonce);
        try {
            // one cipher per thread, re-initialised with a fresh nonce for every value
            Cipher cipher = CIPHER.get();
            cipher.init(Cipher.ENCRYPT_MODE, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(tenantId, eventId, field));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
            return FORMAT + ":" + key.version() + ":" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts a ciphertext made by {@link #encrypt} with the same tenant, event and field.
     *
     * @throws IllegalArgumentException when it is malformed, was made for another tenant/event/field, or was changed
     */
    public static String decrypt(SecretKey key, String tenantId, String eventId, String field, String ciphertext) {
        byte[] bytes = Base64.getDecoder().decode(parse(ciphertext).group(2));
        if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("the ciphertext is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, bytes, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData(tenantId, eventId, field));
            return new String(cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("the ciphertext does not authenticate (changed, or made for another "
                    + "tenant, event or field)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** The data key version a ciphertext names. */
    public static int keyVersion(String ciphertext) {
        return Integer.parseInt(parse(ciphertext).group(1));
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new SecureRandom();
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has AES/GCM/NoPadding", e);
        }
    }

    private static Matcher parse(String ciphertext) {
        Matcher m = ciphertext == null ? null : CIPHERTEXT.matcher(ciphertext);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("expected v1:<key_version>:<base64>");
        }
        return m;
    }

    private static byte[] associatedData(String tenantId, String eventId, String field) {
        return CanonicalJson.array(List.of("bg-pd-v1", tenantId, eventId, field));
    }
}
